# fhirfort: the interface contract of the kit (see README.md). Every target installs what it needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
PYTEST := $(VENV)/bin/pytest
STAMP := $(VENV)/.installed-$(shell sha256sum pyproject.toml | cut -c1-12)
STACK ?= prod
PATIENT ?=
SINCE ?=

.PHONY: help venv lint test test-fast test-hosts audit up down status destroy token bench attack tlsscan \
        chaos secrets-scan disclosures verify-aws

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | column -t -s $$'\t'

$(STAMP): pyproject.toml
	@echo "==> python venv with pinned dependencies ($(VENV))"
	@test -x $(PY) || python3 -m venv $(VENV)
	@$(VENV)/bin/pip install -q --upgrade pip
	@$(VENV)/bin/pip install -q -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

venv: $(STAMP) ## create the Python venv (pinned versions)

lint: venv ## ruff over the kit's Python code
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test-fast: lint ## the tier that needs no hosts: unit, mocked stacks, policies, lint
	$(PYTEST) -m "not host" -q

test: test-fast test-hosts ## the whole suite (CI runs this)
	@echo "==> all tiers passed"

# The host tier: a real `make up`, a second converge that must report changed=0 on every host, the
# host-marked tests (testinfra, isolation, end to end through the edge), then `make down` whatever happened.
test-hosts: venv ## bring the local target up, gate on idempotence, run host and e2e tests, take it down
	@rc=0; mkdir -p build/local/logs; rm -f build/local/logs/pytest-*.log; \
	$(PY) -m fhirfort.cli up || rc=$$?; \
	if [ $$rc -eq 0 ]; then echo "==> second converge (idempotence gate)"; \
	  $(PY) -m fhirfort.cli up --no-hapi --expect-no-changes || rc=$$?; fi; \
	if [ $$rc -eq 0 ]; then $(PYTEST) -m host -q --ignore=tests/e2e_chaos 2>&1 | tee build/local/logs/pytest-hosts.log; \
	  rc=$${PIPESTATUS[0]}; fi; \
	if [ $$rc -eq 0 ] && [ -d tests/e2e_chaos ]; then echo "==> fault injection (short form, last: it restarts services)"; \
	  $(PYTEST) -m host -q tests/e2e_chaos 2>&1 | tee build/local/logs/pytest-chaos.log; rc=$${PIPESTATUS[0]}; fi; \
	if [ $$rc -ne 0 ] && [ -f build/local/logs/converge.log ]; then \
	  echo "==> last lines of build/local/logs/converge.log"; tail -n 40 build/local/logs/converge.log; fi; \
	$(PY) -m fhirfort.cli down || true; \
	if [ $$rc -ne 0 ]; then $(PY) -m fhirfort.cli digest || true; fi; \
	exit $$rc

audit: venv ## policy pack over the mocked dev and prod stacks; report in build/compliance/
	$(PY) -m fhirfort.cli audit

verify-aws: venv ## live checks of a deployed stack with boto3 (STACK=<name>)
	$(PY) -m fhirfort.cli verify-aws --stack $(STACK)

up down status destroy token bench attack tlsscan chaos secrets-scan: venv
	$(PY) -m fhirfort.cli $@

disclosures: venv ## accounting of disclosures (PATIENT=<id> [SINCE=<date>])
	$(PY) -m fhirfort.cli disclosures --patient "$(PATIENT)" $(if $(SINCE),--since "$(SINCE)")
