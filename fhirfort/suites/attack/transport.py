"""Send one corpus entry to the edge over verified TLS (kit CA, SNI and Host = the public name).

`http` entries go through http.client with the request-target, method and headers exactly as in the corpus
(requests/urllib3 would normalise dot segments and encodings); `raw` entries are written byte for byte to a
TLS socket, and every answer on the connection is counted (a second answer means a smuggled request).
One connection per request, closed afterwards.
"""

from __future__ import annotations

import http.client
import re
import socket
import ssl
import time
from dataclasses import dataclass, field
from pathlib import Path

from fhirfort.suites.attack import bodygen
from fhirfort.suites.attack.corpus import Entry

MAX_BODY = 256 * 1024
USER_AGENT = "fhirfort-attack-suite/1"


@dataclass(frozen=True)
class Target:
    address: str
    port: int
    server_name: str
    base_path: str
    ca_cert: Path
    token: str | None = None
    timeout: float = 30.0

    def context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=str(self.ca_cert))
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.set_alpn_protocols(["http/1.1"])
        return ctx


@dataclass
class Response:
    status: int | None = None
    body: str = ""
    content_type: str = ""
    responses: int = 0
    error: str | None = None
    elapsed: float = 0.0
    request_line: str = ""
    headers: dict[str, str] = field(default_factory=dict)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to a fixed address while SNI, certificate check and Host use the public name."""

    def __init__(self, target: Target, context: ssl.SSLContext) -> None:
        super().__init__(target.server_name, target.port, timeout=target.timeout, context=context)
        self._address = target.address
        self._ctx = context

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._ctx.wrap_socket(sock, server_hostname=self.host)


def resolve_target(entry: Entry, base_path: str) -> str:
    return entry.target.replace("{base}", base_path)


def entry_body(entry: Entry) -> bytes | None:
    if entry.body_gen is not None:
        return bodygen.generate(entry.body_gen)
    return entry.body.encode("utf-8") if entry.body is not None else None


def _headers(entry: Entry, target: Target, body: bytes | None) -> list[tuple[str, str]]:
    names = {k.lower() for k, _ in entry.headers}
    out = [("Host", target.server_name if target.port == 443 else f"{target.server_name}:{target.port}")]
    if "user-agent" not in names:
        out.append(("User-Agent", USER_AGENT))
    if "accept" not in names:
        out.append(("Accept", "application/fhir+json"))
    out.extend(entry.headers)
    if target.token:
        out.append(("Authorization", f"Bearer {target.token}"))
    if body is not None:
        out.append(("Content-Length", str(len(body))))
    out.append(("Connection", "close"))
    return out


def send_http(entry: Entry, target: Target) -> Response:
    path = resolve_target(entry, target.base_path)
    body = entry_body(entry)
    resp = Response(request_line=f"{entry.method} {path}")
    conn = _PinnedHTTPS(target, target.context())
    started = time.monotonic()
    try:
        try:
            conn.putrequest(entry.method, path, skip_host=True, skip_accept_encoding=True)
            for k, v in _headers(entry, target, body):
                conn.putheader(k, v)
            conn.endheaders(body)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError) as exc:
            # the edge may answer (413) and close while a large body is still being sent
            resp.error = f"send: {type(exc).__name__}"
        try:
            r = conn.getresponse()
            resp.status = r.status
            resp.headers = {k.lower(): v for k, v in r.getheaders()}
            resp.content_type = r.getheader("Content-Type", "") or ""
            resp.body = r.read(MAX_BODY).decode("utf-8", "replace")
            resp.responses = 1
            resp.error = None
        except (http.client.HTTPException, OSError) as exc:
            resp.error = resp.error or f"{type(exc).__name__}: {exc}"[:200]
    except (OSError, ValueError, bodygen.BodyGenError) as exc:
        resp.error = f"{type(exc).__name__}: {exc}"[:200]
    finally:
        conn.close()
        resp.elapsed = time.monotonic() - started
    return resp


_STATUS = re.compile(rb"HTTP/\d\.\d (\d{3})[^\r\n]*\r?\n")


def parse_raw_responses(data: bytes) -> list[tuple[int, bytes]]:
    """Split a byte stream into HTTP/1.x responses: [(status, body)], using Content-Length or chunking."""
    out: list[tuple[int, bytes]] = []
    pos = 0
    while pos < len(data):
        m = _STATUS.match(data, pos)
        if not m:
            break
        head_end = data.find(b"\r\n\r\n", m.end() - 2)
        if head_end < 0:
            out.append((int(m.group(1)), b""))
            break
        head = data[m.end() : head_end].decode("latin-1").lower()
        body_start = head_end + 4
        length = re.search(r"^content-length:\s*(\d+)", head, re.M)
        if length:
            end = body_start + int(length.group(1))
        elif re.search(r"^transfer-encoding:\s*chunked", head, re.M):
            end = data.find(b"\r\n0\r\n\r\n", body_start)
            end = len(data) if end < 0 else end + 7
        else:
            end = len(data)
        out.append((int(m.group(1)), data[body_start:end]))
        pos = end
    return out


def _exchange(payload: bytes, target: Target, started: float, idle: float, limit: float) -> bytes:
    """Write the payload, read until the edge closes, stays idle for `idle` s, or `limit` s have passed."""
    chunks: list[bytes] = []
    raw_sock = socket.create_connection((target.address, target.port), timeout=target.timeout)
    with target.context().wrap_socket(raw_sock, server_hostname=target.server_name) as tls:
        tls.sendall(payload)
        tls.settimeout(idle)
        while time.monotonic() - started < limit and sum(map(len, chunks)) < MAX_BODY:
            try:
                data = tls.recv(65536)
            except (TimeoutError, ConnectionResetError, ssl.SSLError):
                break
            if not data:
                break
            chunks.append(data)
    return b"".join(chunks)


def send_raw(entry: Entry, target: Target, idle: float = 2.0, limit: float = 10.0) -> Response:
    auth = f"Authorization: Bearer {target.token}\r\n" if target.token else ""
    text = (entry.raw or "").replace("{host}", target.server_name).replace("{base}", target.base_path)
    payload = text.replace("{auth}", auth).encode("latin-1")
    resp = Response(request_line=text.split("\n", 1)[0].rstrip("\r"))
    started = time.monotonic()
    data = b""
    try:
        data = _exchange(payload, target, started, idle, limit)
    except (OSError, ssl.SSLError) as exc:
        resp.error = f"{type(exc).__name__}: {exc}"[:200]
    answers = parse_raw_responses(data)
    resp.responses = len(answers)
    if answers:
        resp.status = answers[0][0]
        resp.body = answers[0][1].decode("utf-8", "replace")
        resp.error = None
    elif not data and resp.error is None:
        resp.error = "closed: no answer"
    resp.elapsed = time.monotonic() - started
    return resp


def send(entry: Entry, target: Target) -> Response:
    return send_raw(entry, target) if entry.transport == "raw" else send_http(entry, target)
