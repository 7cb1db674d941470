"""What every check receives: the stack's outputs and boto3 clients for its region."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, TypeVar

import boto3
from botocore.config import Config

from fhirfort.verify_aws.outputs import StackOutputs

T = TypeVar("T")

_RETRIES = Config(retries={"max_attempts": 5, "mode": "standard"})


@lru_cache(maxsize=8)
def _session(region: str) -> Any:
    """One boto3 session per region and process: its loaded service models are reused by every client."""
    return boto3.session.Session(region_name=region)


@dataclass
class CheckContext:
    """Outputs plus lazily created clients; `endpoint_url` points every client at a test server."""

    outputs: StackOutputs
    region: str
    endpoint_url: str | None = None
    _clients: dict[str, Any] = field(default_factory=dict, repr=False)
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)

    def client(self, service: str) -> Any:
        if service not in self._clients:
            session = _session(self.region)
            self._clients[service] = session.client(service, endpoint_url=self.endpoint_url, config=_RETRIES)
        return self._clients[service]

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """One API answer shared by the checks that read it (e.g. the DB instance for five RDS checks)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]  # type: ignore[no-any-return]
