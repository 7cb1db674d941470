"""Fixtures: the dev and prod stacks evaluated once per session under Pulumi mocks."""

from __future__ import annotations

import pytest

from fhirfort.aws.mocked import DeclaredResource, StackRun, evaluate_stack


@pytest.fixture(scope="session")
def dev_run() -> StackRun:
    return evaluate_stack("dev")


@pytest.fixture(scope="session")
def prod_run() -> StackRun:
    return evaluate_stack("prod")


@pytest.fixture(scope="session")
def dev_resources(dev_run: StackRun) -> list[DeclaredResource]:
    return dev_run.resources


@pytest.fixture(scope="session")
def prod_resources(prod_run: StackRun) -> list[DeclaredResource]:
    return prod_run.resources


@pytest.fixture(scope="session", params=["dev", "prod"])
def run(request: pytest.FixtureRequest, dev_run: StackRun, prod_run: StackRun) -> StackRun:
    """Parametrised over both stacks: properties that hold everywhere."""
    return dev_run if request.param == "dev" else prod_run
