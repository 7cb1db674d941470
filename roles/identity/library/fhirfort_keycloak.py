#!/usr/bin/python
# Copyright: fhirfort contributors. Apache-2.0.
"""Apply a Keycloak realm described as data through the admin REST API: read, compare, update.

`kc.sh --import-realm` only creates a realm and a partial import misses client scopes and flows, so the
role converges the realm object by object. Only the fields the description names are compared; objects
the description owns (its client scopes' and clients' protocol mappers, the clients' scope bindings, its
authentication flows) are made exactly as described. Runs on the idp host with the standard library only.
"""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: fhirfort_keycloak
short_description: Converge Keycloak's admin client and a realm described as data (read, compare, update)
description:
  - Authenticates with a client-credentials service account of the master realm.
  - With O(admin_client), makes sure a confidential service-account client of the master realm holds the
    master realm's C(admin) role (the permanent administrator), then deletes the clients of O(delete_clients).
  - With O(realm), converges the realm's settings, events, user profile, realm roles, client scopes (with the
    realm roles a user needs to receive them), authentication flows, clients and users; only the named fields
    are compared, so a second run reports no change.
options:
  url: {description: Keycloak base URL reachable from the host, type: str, required: true}
  ca_path: {description: CA certificate that signs Keycloak's certificate, type: path, required: true}
  auth_client_id: {description: Service-account client of the master realm, type: str, required: true}
  auth_client_secret: {description: Its secret, type: str, required: true, no_log: true}
  admin_client: {description: "Permanent admin client: client_id and secret", type: dict}
  delete_clients: {description: Client ids of the master realm to delete, type: list, elements: str, default: []}
  realm: {description: The realm description (see the role's templates/realm.yml.j2), type: dict}
author: [fhirfort]
"""

EXAMPLES = r"""
- name: Converge the realm
  fhirfort_keycloak:
    url: https://198.18.20.20:8444
    ca_path: /etc/fhirfort/pki/ca.crt
    auth_client_id: fhirfort-admin
    auth_client_secret: "{{ secret }}"
    realm: "{{ lookup('ansible.builtin.template', 'realm.yml.j2') | from_yaml }}"
"""

RETURN = r"""
changes: {description: What was created, updated or deleted, type: list, returned: always}
"""

import json
import ssl
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from ansible.module_utils.basic import AnsibleModule


class KeycloakError(Exception):
    pass


class Admin:
    def __init__(self, url: str, ca_path: str, client_id: str, secret: str) -> None:
        self.url = url.rstrip("/")
        self.ctx = ssl.create_default_context(cafile=ca_path)
        self.client_id = client_id
        self.secret = secret
        self.token: str | None = None

    def login(self) -> None:
        body = urllib.parse.urlencode(
            {"grant_type": "client_credentials", "client_id": self.client_id, "client_secret": self.secret}
        ).encode()
        # S310: every request goes to the configured Keycloak admin URL (a module parameter, not data read at
        # run time) over TLS verified against ca_path
        req = urllib.request.Request(  # noqa: S310 - configured Keycloak URL only
            self.url + "/realms/master/protocol/openid-connect/token",
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        try:
            with urllib.request.urlopen(req, context=self.ctx, timeout=30) as resp:  # noqa: S310 - see above
                self.token = json.loads(resp.read())["access_token"]
        except urllib.error.HTTPError as exc:
            raise KeycloakError(f"admin sign-in as {self.client_id} failed: HTTP {exc.code}") from exc

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        ok: tuple[int, ...] = (200, 201, 204),
        retry: bool = True,
    ) -> tuple[int, Any, str | None]:
        if self.token is None:
            self.login()
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Authorization": "Bearer " + self.token, "Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        url = self.url + "/admin/realms" + path
        req = urllib.request.Request(url, data=data, headers=headers, method=method)  # noqa: S310 - Keycloak URL
        try:
            with urllib.request.urlopen(req, context=self.ctx, timeout=60) as resp:  # noqa: S310 - Keycloak URL
                raw = resp.read()
                location = resp.headers.get("Location")
                return resp.status, (json.loads(raw) if raw else None), location
        except urllib.error.HTTPError as exc:
            if exc.code == 401 and retry:
                self.login()
                return self.call(method, path, body, ok, retry=False)
            if exc.code in ok:
                return exc.code, None, None
            detail = exc.read().decode(errors="replace")[:500]
            raise KeycloakError(f"{method} {path}: HTTP {exc.code} {detail}") from exc

    def get(self, path: str, ok: tuple[int, ...] = (200,)) -> Any:
        return self.call("GET", path, ok=ok)[1]


def q(text: object) -> str:
    return urllib.parse.quote(str(text), safe="")


def norm(value: object) -> str:
    """Keycloak returns booleans and numbers inside attribute maps as strings."""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return text.lower() if text in ("True", "False") else text


def differing(want: dict[str, Any], have: dict[str, Any] | None) -> list[str]:
    """The top-level fields of `want` that `have` does not match (names only: values may be secret)."""
    have = have or {}
    return sorted(k for k, v in want.items() if not subset(v, have.get(k)))


def subset(want: Any, have: Any) -> bool:
    """Every field of `want` is present in `have` with the same value (lists of scalars: same set)."""
    if isinstance(want, dict):
        if not isinstance(have, dict):
            return False
        return all(subset(v, have.get(k)) for k, v in want.items())
    if isinstance(want, list):
        if not isinstance(have, list) or len(want) != len(have):
            return False
        if all(not isinstance(w, (dict, list)) for w in want):
            return sorted(norm(w) for w in want) == sorted(norm(h) for h in have)
        return all(subset(w, h) for w, h in zip(want, have, strict=True))
    if have is None:
        return want is None
    if isinstance(want, (bool, int, float)) or isinstance(have, (bool, int, float)):
        return norm(want) == norm(have)
    return want == have


class Converger:
    def __init__(self, admin: Admin, check_mode: bool) -> None:
        self.a = admin
        self.check = check_mode
        self.changes: list[str] = []

    def changed(self, what: str) -> bool:
        self.changes.append(what)
        return not self.check

    # ---- master realm: the permanent administrator
    def admin_client(self, spec: dict[str, Any]) -> None:
        want = {
            "clientId": spec["client_id"],
            "name": "fhirfort permanent administrator (service account)",
            "enabled": True,
            "protocol": "openid-connect",
            "publicClient": False,
            "clientAuthenticatorType": "client-secret",
            "secret": spec["secret"],
            "serviceAccountsEnabled": True,
            "standardFlowEnabled": False,
            "implicitFlowEnabled": False,
            "directAccessGrantsEnabled": False,
            "frontchannelLogout": False,
        }
        cid = self.client("master", want, mappers=None)
        if cid is None:
            return
        user = self.a.get(f"/master/clients/{cid}/service-account-user")
        have = self.a.get(f"/master/users/{user['id']}/role-mappings/realm") or []
        if "admin" not in [r["name"] for r in have]:
            role = self.a.get("/master/roles/admin")
            if self.changed(f"master: grant admin to {spec['client_id']}"):
                self.a.call("POST", f"/master/users/{user['id']}/role-mappings/realm", [role])

    def delete_client(self, realm: str, client_id: str) -> None:
        found = self.a.get(f"/{q(realm)}/clients?clientId={q(client_id)}") or []
        for c in found:
            if c["clientId"] == client_id and self.changed(f"{realm}: delete client {client_id}"):
                self.a.call("DELETE", f"/{q(realm)}/clients/{c['id']}")

    # ---- realm
    def realm(self, spec: dict[str, Any]) -> None:
        name = spec["realm"]
        r = q(name)
        status, _, _ = self.a.call("GET", f"/{r}", ok=(200, 404))
        if status == 404:
            if not self.changed(f"create realm {name}"):
                return
            self.a.call("POST", "", {"realm": name, "enabled": True})
        if spec.get("user_profile_attributes"):
            self.user_profile(name, spec["user_profile_attributes"])
        for role in spec.get("roles", []):
            self.realm_role(name, role)
        scope_ids: dict[str, str | None] = {}
        for scope in spec.get("client_scopes", []):
            scope_ids[scope["name"]] = self.client_scope(name, scope)
        for flow in spec.get("flows", []):
            self.flow(name, flow)
        settings = spec.get("settings", {})
        if settings:
            have = self.a.get(f"/{r}")
            if not subset(settings, have) and self.changed(
                f"{name}: update realm settings ({', '.join(differing(settings, have))})"
            ):
                self.a.call("PUT", f"/{r}", settings)
        if spec.get("events"):
            have = self.a.get(f"/{r}/events/config")
            if not subset(spec["events"], have) and self.changed(
                f"{name}: update events config ({', '.join(differing(spec['events'], have))})"
            ):
                merged = dict(have or {})
                merged.update(spec["events"])
                self.a.call("PUT", f"/{r}/events/config", merged)
        if spec.get("client_scopes") is not None:
            all_scopes = {s["name"]: s["id"] for s in self.a.get(f"/{r}/client-scopes")}
        else:
            all_scopes = {}
        for client in spec.get("clients", []):
            client = dict(client)
            mappers = client.pop("protocolMappers", [])
            default_scopes = client.pop("defaultClientScopes", None)
            optional_scopes = client.pop("optionalClientScopes", None)
            cid = self.client(name, client, mappers)
            if cid is None:
                continue
            if default_scopes is not None:
                self.client_scopes(name, cid, client["clientId"], "default", default_scopes, all_scopes)
            if optional_scopes is not None:
                self.client_scopes(name, cid, client["clientId"], "optional", optional_scopes, all_scopes)
        for user in spec.get("users", []):
            self.user(name, user)

    def user_profile(self, realm: str, attributes: list[dict[str, Any]]) -> None:
        r = q(realm)
        cfg = self.a.get(f"/{r}/users/profile")
        current = {a["name"]: a for a in cfg.get("attributes", [])}
        dirty = False
        for attr in attributes:
            have = current.get(attr["name"])
            if have is None:
                cfg["attributes"].append(attr)
                dirty = True
            elif not subset(attr, have):
                have.update(attr)
                dirty = True
        if dirty and self.changed(f"{realm}: user profile attributes"):
            self.a.call("PUT", f"/{r}/users/profile", cfg)

    def realm_role(self, realm: str, role: dict[str, Any]) -> None:
        r = q(realm)
        have = self.a.get(f"/{r}/roles/{q(role['name'])}", ok=(200, 404))
        if have is None:
            if self.changed(f"{realm}: create realm role {role['name']}"):
                self.a.call("POST", f"/{r}/roles", role)
        elif not subset(role, have) and self.changed(f"{realm}: update realm role {role['name']}"):
            self.a.call("PUT", f"/{r}/roles/{q(role['name'])}", {**have, **role})

    def role_scope_mappings(self, realm: str, sid: str, label: str, names: list[str]) -> None:
        """Exactly these realm roles on a client scope: Keycloak then gives the scope only to users holding one
        of them (a client scope without role mappings goes to every user who asks)."""
        r = q(realm)
        base = f"/{r}/client-scopes/{sid}/scope-mappings/realm"
        have = {x["name"]: x for x in self.a.get(base) or []}
        add = [self.a.get(f"/{r}/roles/{q(n)}") for n in names if n not in have]
        drop = [x for n, x in have.items() if n not in names]
        if add and self.changed(f"{label}: needs realm role {', '.join(x['name'] for x in add)}"):
            self.a.call("POST", base, add)
        if drop and self.changed(f"{label}: no longer needs realm role {', '.join(x['name'] for x in drop)}"):
            self.a.call("DELETE", base, drop)

    def client_scope(self, realm: str, scope: dict[str, Any]) -> str | None:
        r = q(realm)
        scope = dict(scope)
        mappers = scope.pop("protocolMappers", [])
        role_names = scope.pop("realmRoles", [])
        found = [s for s in self.a.get(f"/{r}/client-scopes") if s["name"] == scope["name"]]
        if not found:
            if not self.changed(f"{realm}: create client scope {scope['name']}"):
                return None
            _, _, location = self.a.call("POST", f"/{r}/client-scopes", scope)
            sid = location.rstrip("/").rsplit("/", 1)[-1]
            have = self.a.get(f"/{r}/client-scopes/{sid}")
        else:
            have = found[0]
            sid = have["id"]
            if not subset(scope, have) and self.changed(
                f"{realm}: update client scope {scope['name']} ({', '.join(differing(scope, have))})"
            ):
                merged = {k: v for k, v in have.items() if k != "protocolMappers"}
                merged.update(scope)
                self.a.call("PUT", f"/{r}/client-scopes/{sid}", merged)
        self.mappers(f"/{r}/client-scopes/{sid}", f"{realm}: scope {scope['name']}", mappers, have)
        self.role_scope_mappings(realm, sid, f"{realm}: scope {scope['name']}", role_names)
        return sid

    def mappers(self, base: str, label: str, want: list[dict[str, Any]], have_rep: dict[str, Any] | None) -> None:
        have = {m["name"]: m for m in (have_rep or {}).get("protocolMappers", []) or []}
        for m in want:
            cur = have.pop(m["name"], None)
            if cur is None:
                if self.changed(f"{label}: add mapper {m['name']}"):
                    self.a.call("POST", f"{base}/protocol-mappers/models", m)
            elif not subset(m, cur) and self.changed(f"{label}: update mapper {m['name']}"):
                body = dict(m)
                body["id"] = cur["id"]
                self.a.call("PUT", f"{base}/protocol-mappers/models/{cur['id']}", body)
        for name, cur in have.items():
            if self.changed(f"{label}: delete mapper {name}"):
                self.a.call("DELETE", f"{base}/protocol-mappers/models/{cur['id']}")

    def client(self, realm: str, want: dict[str, Any], mappers: list[dict[str, Any]] | None) -> str | None:
        r = q(realm)
        listed = self.a.get(f"/{r}/clients?clientId={q(want['clientId'])}") or []
        found = [c for c in listed if c["clientId"] == want["clientId"]]
        if not found:
            if not self.changed(f"{realm}: create client {want['clientId']}"):
                return None
            body = dict(want)
            if mappers:
                body["protocolMappers"] = mappers
            _, _, location = self.a.call("POST", f"/{r}/clients", body)
            return location.rstrip("/").rsplit("/", 1)[-1]
        have = found[0]
        cid = have["id"]
        if not subset(want, have) and self.changed(
            f"{realm}: update client {want['clientId']} ({', '.join(differing(want, have))})"
        ):
            merged = {k: v for k, v in have.items() if k != "protocolMappers"}
            attrs = dict(have.get("attributes") or {})
            attrs.update(want.get("attributes") or {})
            merged.update(want)
            merged["attributes"] = attrs
            self.a.call("PUT", f"/{r}/clients/{cid}", merged)
        if mappers is not None:
            self.mappers(f"/{r}/clients/{cid}", f"{realm}: client {want['clientId']}", mappers, have)
        return cid

    def client_scopes(
        self, realm: str, cid: str, client_id: str, kind: str, names: list[str], all_scopes: dict[str, str]
    ) -> None:
        r = q(realm)
        missing = [n for n in names if n not in all_scopes]
        if missing:
            raise KeycloakError(f"{realm}: client {client_id} names unknown client scopes {missing}")
        have = {s["name"]: s["id"] for s in self.a.get(f"/{r}/clients/{cid}/{kind}-client-scopes")}
        for n in names:
            if n not in have and self.changed(f"{realm}: {client_id} {kind} scope + {n}"):
                self.a.call("PUT", f"/{r}/clients/{cid}/{kind}-client-scopes/{all_scopes[n]}")
        for n, sid in have.items():
            if n not in names and self.changed(f"{realm}: {client_id} {kind} scope - {n}"):
                self.a.call("DELETE", f"/{r}/clients/{cid}/{kind}-client-scopes/{sid}")

    # ---- authentication flows: a top-level flow of executions and sub-flows, made exactly as described
    @staticmethod
    def _flatten(executions: list[dict[str, Any]], level: int = 0) -> list[tuple[int, str, str]]:
        out: list[tuple[int, str, str]] = []
        for e in executions:
            key = e.get("provider") or e["subflow"]
            out.append((level, key, e["requirement"]))
            if "subflow" in e:
                out.extend(Converger._flatten(e.get("executions", []), level + 1))
        return out

    def flow(self, realm: str, spec: dict[str, Any]) -> None:
        r = q(realm)
        alias = spec["alias"]
        flows = {f["alias"]: f for f in self.a.get(f"/{r}/authentication/flows")}
        if alias not in flows:
            if not self.changed(f"{realm}: create flow {alias}"):
                return
            self.a.call(
                "POST",
                f"/{r}/authentication/flows",
                {
                    "alias": alias,
                    "description": spec.get("description", ""),
                    "providerId": "basic-flow",
                    "topLevel": True,
                    "builtIn": False,
                },
            )
        have = self.a.get(f"/{r}/authentication/flows/{q(alias)}/executions")
        current = [
            (e["level"], e["displayName"] if e.get("authenticationFlow") else e.get("providerId"), e["requirement"])
            for e in have
        ]
        if current == self._flatten(spec["executions"]):
            return
        if not self.changed(f"{realm}: rebuild flow {alias}"):
            return
        for e in have:
            if e["level"] == 0:
                self.a.call("DELETE", f"/{r}/authentication/executions/{e['id']}")
        self._add_executions(r, alias, spec["executions"])

    def _add_executions(self, r: str, parent: str, executions: list[dict[str, Any]]) -> None:
        for e in executions:
            if "subflow" in e:
                self.a.call(
                    "POST",
                    f"/{r}/authentication/flows/{q(parent)}/executions/flow",
                    {
                        "alias": e["subflow"],
                        "type": "basic-flow",
                        "provider": "registration-page-form",
                        "description": e.get("description", ""),
                    },
                )
                self._add_executions(r, e["subflow"], e.get("executions", []))
            else:
                self.a.call(
                    "POST", f"/{r}/authentication/flows/{q(parent)}/executions/execution", {"provider": e["provider"]}
                )
            # the new execution is the last one of its parent: set its requirement
            listed = self.a.get(f"/{r}/authentication/flows/{q(parent)}/executions")
            mine = [x for x in listed if x["level"] == 0][-1]
            if mine["requirement"] != e["requirement"]:
                mine["requirement"] = e["requirement"]
                self.a.call("PUT", f"/{r}/authentication/flows/{q(parent)}/executions", mine)

    # ---- users (password and TOTP set when the user is created)
    def user(self, realm: str, spec: dict[str, Any]) -> None:
        r = q(realm)
        spec = dict(spec)
        password = spec.pop("password", None)
        totp = spec.pop("totp_secret", None)
        found = [
            u
            for u in self.a.get(f"/{r}/users?exact=true&username={q(spec['username'])}") or []
            if u["username"] == spec["username"]
        ]
        if found:
            have = found[0]
            creds = {c["type"] for c in self.a.get(f"/{r}/users/{have['id']}/credentials")}
            if (totp and "otp" not in creds) or (password and "password" not in creds):
                # credentials can only be seeded at creation: recreate the (sample) user
                if not self.changed(f"{realm}: recreate user {spec['username']} (credentials missing)"):
                    return
                self.a.call("DELETE", f"/{r}/users/{have['id']}")
                found = []
            elif not subset(spec, have):
                if self.changed(f"{realm}: update user {spec['username']}"):
                    merged = dict(have)
                    merged.update(spec)
                    self.a.call("PUT", f"/{r}/users/{have['id']}", merged)
                return
            else:
                return
        if not self.changed(f"{realm}: create user {spec['username']}"):
            return
        body = dict(spec)
        body["credentials"] = []
        if password:
            body["credentials"].append({"type": "password", "value": password, "temporary": False})
        if totp:
            body["credentials"].append(
                {
                    "type": "otp",
                    "userLabel": "fhirfort sample TOTP",
                    "secretData": json.dumps({"value": totp["secret"]}),
                    "credentialData": json.dumps(
                        {
                            "subType": "totp",
                            "digits": totp["digits"],
                            "counter": 0,
                            "period": totp["period"],
                            "algorithm": totp["algorithm"],
                        }
                    ),
                }
            )
        self.a.call("POST", f"/{r}/users", body)
        made = self.a.get(f"/{r}/users?exact=true&username={q(spec['username'])}")[0]
        types = {c["type"] for c in self.a.get(f"/{r}/users/{made['id']}/credentials")}
        if totp and "otp" not in types:
            raise KeycloakError(f"{realm}: user {spec['username']} was created without its TOTP credential")


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "url": {"type": "str", "required": True},
            "ca_path": {"type": "path", "required": True},
            "auth_client_id": {"type": "str", "required": True},
            "auth_client_secret": {"type": "str", "required": True, "no_log": True},
            "admin_client": {"type": "dict", "no_log": True},
            "delete_clients": {"type": "list", "elements": "str", "default": []},
            "realm": {"type": "dict", "no_log": True},
        },
        supports_check_mode=True,
    )
    p = module.params
    conv = Converger(Admin(p["url"], p["ca_path"], p["auth_client_id"], p["auth_client_secret"]), module.check_mode)
    try:
        if p["admin_client"]:
            conv.admin_client(p["admin_client"])
        for client_id in p["delete_clients"]:
            conv.delete_client("master", client_id)
        if p["realm"]:
            conv.realm(p["realm"])
    except (KeycloakError, urllib.error.URLError, OSError, ValueError) as exc:
        module.fail_json(msg=str(exc), changes=conv.changes)
    module.exit_json(changed=bool(conv.changes), changes=conv.changes)


if __name__ == "__main__":
    main()
