#!/usr/bin/env bash
# Builds fhir-server/target/fhir-server.jar (HAPI FHIR JPA server, executable Spring Boot jar).
# Usage: fhir-server/build.sh [--force] [--skip-tests]   (see tools/mvn-package.sh)
exec "$(dirname "$0")/../tools/mvn-package.sh" "$(dirname "$0")" fhir-server.jar "$@"
