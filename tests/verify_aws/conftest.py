"""Fixtures of the verify-aws tests: a moto server on 127.0.0.1 (a random free port, started once per
session) and, per test, a reset server holding a freshly built compliant stack."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

import pytest
from moto.server import ThreadedMotoServer
from verify_aws_fakes import REGION, FakeStack, build, reset

_FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_CONFIG_FILE": "/dev/null",
    "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
}


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    saved = {k: os.environ.get(k) for k in _FAKE_ENV}
    os.environ.update(_FAKE_ENV)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="session")
def _stacks(moto_url: str) -> dict[str, FakeStack]:
    return {}  # the compliant stack, once built


@pytest.fixture
def stack(moto_url: str, _stacks: dict[str, FakeStack]) -> FakeStack:
    """The compliant stack. Built once; a test that leaves it dirty (a mutation it did not undo and
    verify) makes the next test start from a reset server and a fresh build."""
    current = _stacks.get("compliant")
    if current is None or current.dirty:
        reset(moto_url)
        current = _stacks["compliant"] = build(moto_url)
    return current
