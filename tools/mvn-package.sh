#!/usr/bin/env bash
# Builds one Maven module of the kit (fhir-server/, keycloak-extension/) into target/<jar>, with its tests.
# Idempotent: a jar newer than every source file is kept. Works offline once ~/.m2 is warm (mvn -o),
# falls back to Maven Central otherwise and prints how long the download/build took.
# Usage: tools/mvn-package.sh <module dir> <jar name> [--force] [--skip-tests]
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 <module dir> <jar name> [--force] [--skip-tests]" >&2; exit 2; }
cd "$1"
NAME=$(basename "$PWD")
JAR=target/$2
shift 2
FORCE=0; TESTS=1
for a in "$@"; do
  case "$a" in
    --force) FORCE=1 ;;
    --skip-tests) TESTS=0 ;;
    *) echo "usage: tools/mvn-package.sh <module dir> <jar name> [--force] [--skip-tests]" >&2; exit 2 ;;
  esac
done

for tool in java mvn; do
  command -v "$tool" >/dev/null || { echo "$NAME: '$tool' is missing (apt-get install -y openjdk-17-jdk-headless maven)" >&2; exit 1; }
done
jv=$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/{print $2}')
if [ "${jv%%.*}" -lt 17 ]; then echo "$NAME: Java >= 17 required (found $jv)" >&2; exit 1; fi

if [ "$FORCE" = 0 ] && [ -f "$JAR" ] && [ -z "$(find pom.xml src -newer "$JAR" -print -quit)" ]; then
  echo "==> $NAME: $JAR is up to date ($(du -h "$JAR" | cut -f1))"
  exit 0
fi

MVN=(mvn -B -ntp)
[ "$TESTS" = 1 ] || MVN+=(-DskipTests)
start=$(date +%s)
echo "==> $NAME: building with Maven (offline first, using ~/.m2)"
mkdir -p target
if "${MVN[@]}" -o package >target/build-offline.log 2>&1; then
  grep -E 'Tests run:.*Fail' target/build-offline.log | tail -1 || true
  echo "==> $NAME: built offline in $(( $(date +%s) - start ))s"
else
  echo "==> $NAME: offline build not possible; resolving from Maven Central (the first HAPI build downloads ~300 MB)"
  dl=$(date +%s)
  log=target/build-online.log; mkdir -p target
  if ! "${MVN[@]}" package >"$log" 2>&1; then
    tail -40 "$log" >&2
    echo "$NAME: build failed (full log: $NAME/$log)" >&2
    exit 1
  fi
  grep -E 'Tests run:.*Fail' "$log" | tail -1 || true
  echo "==> $NAME: dependency download + build took $(( $(date +%s) - dl ))s"
fi
echo "==> $NAME: $JAR ($(du -h "$JAR" | cut -f1))"
