"""`fhirfort token` (`make token`): a SMART Backend Services access token for the local target.

The kit's backend client (fhirfort/local/smart_client.py) signs a private_key_jwt assertion with its own key
(build/local/secrets/, created if absent) and exchanges it at the realm's token endpoint. The access token is
printed as the LAST line; everything else goes to stderr.

Routes: `edge` goes through the TLS edge like any client (FLOW-01). Until the edge proxies the identity tier
(edge_waf_idp_enabled), `direct` reaches Keycloak on the app tier from inside the edge host's network namespace
(the only place the flow matrix lets reach it, FLOW-04); `auto` (default) tries the edge first.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

import requests

from fhirfort.local import smart_client


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scope", default=smart_client.DEFAULT_SCOPE, help="space-separated system/ scopes")
    parser.add_argument("--client-id", default=smart_client.DEFAULT_CLIENT_ID)
    parser.add_argument("--alg", default=smart_client.DEFAULT_ALG, choices=smart_client.SUPPORTED_ALGS)
    parser.add_argument("--route", default="auto", choices=("auto", "edge", "direct"))


def _edge_serves_idp(target: smart_client.Target) -> bool:
    try:
        resp = target.session().get(f"{target.issuer}/.well-known/openid-configuration", timeout=10)
    except requests.RequestException:
        return False
    return resp.status_code == 200


def _in_edge_namespace(args: argparse.Namespace) -> int:
    """Run this command again inside the edge host's network namespace (root only; the lab must be up)."""
    from fhirfort.local import hostlab
    from fhirfort.local.paths import LabPaths

    leader = hostlab.leader_pid("edge", LabPaths.default())
    if leader is None:
        print("the edge host is not running (make up)", file=sys.stderr)
        return 1
    if os.geteuid() != 0:
        print("the direct route needs root (nsenter into the edge host's network namespace)", file=sys.stderr)
        return 1
    cmd = [
        "nsenter",
        "-t",
        str(leader),
        "-n",
        sys.executable,
        "-m",
        "fhirfort.local.cli_token",
        "--route",
        "direct",
        "--scope",
        args.scope,
        "--client-id",
        args.client_id,
        "--alg",
        args.alg,
        "--no-reexec",
    ]
    return subprocess.run(cmd, check=False).returncode


def run(args: argparse.Namespace) -> int:
    route = args.route
    if route == "auto":
        edge = smart_client.local_target("edge")
        if _edge_serves_idp(edge):
            route = "edge"
        else:
            print("token: the edge does not serve the identity tier yet; direct via the edge host", file=sys.stderr)
            route = "direct"
    if route == "direct" and not getattr(args, "no_reexec", False):
        return _in_edge_namespace(args)
    target = smart_client.local_target(route)
    try:
        token = smart_client.get_token(target, client_id=args.client_id, alg=args.alg, scope=args.scope)
    except (RuntimeError, requests.RequestException) as exc:
        print(f"token: {exc}", file=sys.stderr)
        return 1
    print(f"token: issued by {target.issuer} for {args.client_id} (scope {args.scope}, route {route})", file=sys.stderr)
    print(token)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fhirfort token", description=__doc__.splitlines()[0])
    configure(parser)
    parser.add_argument("--no-reexec", action="store_true", help=argparse.SUPPRESS)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
