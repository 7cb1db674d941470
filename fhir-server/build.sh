#!/usr/bin/env bash
# Builds fhir-server/target/fhir-server.jar (HAPI FHIR JPA server, executable Spring Boot jar).
# Idempotent: a jar newer than every source file is kept. Works offline once ~/.m2 is warm (mvn -o),
# falls back to Maven Central otherwise and prints how long the download/build took.
# Usage: fhir-server/build.sh [--force] [--skip-tests]
set -euo pipefail
cd "$(dirname "$0")"
JAR=target/fhir-server.jar
FORCE=0; TESTS=1
for a in "$@"; do
  case "$a" in
    --force) FORCE=1 ;;
    --skip-tests) TESTS=0 ;;
    *) echo "usage: $0 [--force] [--skip-tests]" >&2; exit 2 ;;
  esac
done

for tool in java mvn; do
  command -v "$tool" >/dev/null || { echo "fhir-server: '$tool' is missing (apt-get install -y openjdk-17-jdk-headless maven)" >&2; exit 1; }
done
jv=$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/{print $2}')
if [ "${jv%%.*}" -lt 17 ]; then echo "fhir-server: Java >= 17 required (found $jv)" >&2; exit 1; fi

if [ "$FORCE" = 0 ] && [ -f "$JAR" ] && [ -z "$(find pom.xml src -newer "$JAR" -print -quit)" ]; then
  echo "==> fhir-server: $JAR is up to date ($(du -h "$JAR" | cut -f1))"
  exit 0
fi

MVN=(mvn -B -ntp)
[ "$TESTS" = 1 ] || MVN+=(-DskipTests)
start=$(date +%s)
echo "==> fhir-server: building with Maven (offline first, using ~/.m2)"
mkdir -p target
if "${MVN[@]}" -o package >target/build-offline.log 2>&1; then
  grep -E 'Tests run:.*Fail' target/build-offline.log | tail -1 || true
  echo "==> fhir-server: built offline in $(( $(date +%s) - start ))s"
else
  echo "==> fhir-server: offline build not possible; resolving from Maven Central (first run downloads ~300 MB)"
  dl=$(date +%s)
  log=target/build-online.log; mkdir -p target
  if ! "${MVN[@]}" package >"$log" 2>&1; then
    tail -40 "$log" >&2
    echo "fhir-server: build failed (full log: fhir-server/$log)" >&2
    exit 1
  fi
  grep -E 'Tests run:.*Fail' "$log" | tail -1 || true
  echo "==> fhir-server: dependency download + build took $(( $(date +%s) - dl ))s"
fi
echo "==> fhir-server: $JAR ($(du -h "$JAR" | cut -f1))"
