#!/usr/bin/env bash
# Builds keycloak-extension/target/fhirfort-keycloak-extension.jar (the kit's Keycloak providers).
# Usage: keycloak-extension/build.sh [--force] [--skip-tests]   (see tools/mvn-package.sh)
exec "$(dirname "$0")/../tools/mvn-package.sh" "$(dirname "$0")" fhirfort-keycloak-extension.jar "$@"
