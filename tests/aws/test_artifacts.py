"""The artifacts bucket: hardened, readable only through the stack's S3 endpoint, writable only by the writers,
and each host role reads only its own prefix and the apt snapshot."""

from __future__ import annotations

import fnmatch
import json
from typing import Any

import pytest

from fhirfort.aws.artifacts import READ_ACTIONS, SHARED_PREFIX, WRITE_ACTIONS
from fhirfort.aws.mocked import MOCK_ACCOUNT, MOCK_DEPLOY_ROLE, MOCK_REGION, StackRun, evaluate_stack
from fhirfort.compliance import evaluator

ROLES = ("fhir", "idp")
DEPLOY_ROLE = f"arn:aws:iam::{MOCK_ACCOUNT}:role/fhirfort/{MOCK_DEPLOY_ROLE}"
OPERATOR = f"arn:aws:iam::{MOCK_ACCOUNT}:role/ops/release"


def _bucket(run: StackRun) -> dict[str, Any]:
    return run.state_of("artifacts-bucket")


def _statements(run: StackRun) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in json.loads(run.named("artifacts-policy").props["policy"])["Statement"]}


def _denied(run: StackRun, action: str, principal: str | None, vpce: str | None, tls: bool = True) -> bool:
    """Does a Deny statement of the artifacts bucket policy match this request? (the operators it uses)"""
    context: dict[str, Any] = {"aws:SecureTransport": str(tls).lower()}
    if principal:
        context["aws:PrincipalArn"] = principal
    if vpce:
        context["aws:SourceVpce"] = vpce

    def holds(op: str, key: str, values: Any) -> bool:
        values = values if isinstance(values, list) else [values]
        present = context.get(key)
        if op == "Bool":
            return present == str(values[0]).lower()
        if op == "StringNotEquals":
            return present is None or present not in values
        if op == "ArnNotLike":
            return present is None or not any(fnmatch.fnmatchcase(present, v) for v in values)
        raise AssertionError(f"operator {op} not modelled")

    for s in _statements(run).values():
        actions = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
        if s["Effect"] != "Deny" or not any(fnmatch.fnmatchcase(action, a) for a in actions):
            continue
        if all(holds(op, k, v) for op, kv in s.get("Condition", {}).items() for k, v in kv.items()):
            return True
    return False


def test_bucket_is_hardened_and_encrypted_with_the_artifacts_key(run: StackRun) -> None:
    bucket = run.named("artifacts-bucket").props
    assert bucket["tags"]["fhirfort:purpose"] == "artifacts"
    assert bucket["bucketPrefix"].startswith(f"fhirfort-{run.stack}-artifacts-")
    name = _bucket(run)["bucket"]
    pab = run.named("artifacts-public-access").props
    assert pab["bucket"] == name
    flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    assert all(pab[f] is True for f in flags)
    assert run.named("artifacts-ownership").props["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    assert run.named("artifacts-versioning").props["versioningConfiguration"] == {"status": "Enabled"}
    (rule,) = run.named("artifacts-encryption").props["rules"]
    default = rule["applyServerSideEncryptionByDefault"]
    assert default == {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": run.outputs["kms_key_arns"]["artifacts"]}
    assert rule["bucketKeyEnabled"] is True
    logging = run.named("artifacts-access-logging").props
    assert logging["targetBucket"] == run.outputs["access_log_bucket_name"]
    assert "artifacts-lifecycle" not in {r.name for r in run.resources}  # artifacts never expire by themselves
    assert run.outputs["artifacts_bucket_name"] == name


def test_policy_is_tls_only_and_pins_the_stacks_gateway_endpoint(run: StackRun) -> None:
    s = _statements(run)
    assert s["DenyInsecureTransport"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    read = s["DenyReadOutsideStackEndpoint"]
    assert read["Effect"] == "Deny" and read["Principal"] == "*"
    assert "s3:GetObject" in read["Action"] and set(read["Action"]) == set(READ_ACTIONS)
    endpoint = run.named("vpce-s3")
    assert endpoint.props["vpcEndpointType"] == "Gateway"
    assert read["Condition"]["StringNotEquals"] == {"aws:SourceVpce": run.id_of("vpce-s3")}
    write = s["DenyWritesExceptWriters"]
    assert set(write["Action"]) == set(WRITE_ACTIONS) and "s3:PutObject" in write["Action"]
    # the deployer (an assumed-role session of the bootstrap's CI role) is matched by its role, any path
    base = f"arn:aws:iam::{MOCK_ACCOUNT}:role/"
    writers = write["Condition"]["ArnNotLike"]["aws:PrincipalArn"]
    assert writers == [f"{base}*/{MOCK_DEPLOY_ROLE}", f"{base}{MOCK_DEPLOY_ROLE}"]
    for statement in s.values():  # no statement allows anything to anyone
        assert statement["Effect"] == "Deny"


def test_requests_the_policy_allows_and_refuses(run: StackRun) -> None:
    vpce = run.id_of("vpce-s3")
    host = run.state_of("role-fhir")["arn"]
    # hosts read through the stack's endpoint; the same credentials anywhere else, or another VPC's endpoint, fail
    assert not _denied(run, "s3:GetObject", host, vpce)
    assert _denied(run, "s3:GetObject", host, None)
    assert _denied(run, "s3:GetObject", host, "vpce-0another0stack00")
    assert _denied(run, "s3:GetObjectVersion", host, None)
    assert _denied(run, "s3:GetObject", None, None)  # anonymous
    # hosts never write; the deployer writes (and checks what it wrote) from outside the VPC
    for action in ("s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"):
        assert _denied(run, action, host, vpce)
        assert not _denied(run, action, DEPLOY_ROLE, None)
    assert not _denied(run, "s3:GetObject", DEPLOY_ROLE, None)
    assert _denied(run, "s3:PutObject", OPERATOR, None)  # not configured as a writer
    assert _denied(run, "s3:GetObject", DEPLOY_ROLE, vpce, tls=False)
    assert _denied(run, "s3:PutObject", f"arn:aws:iam::{MOCK_ACCOUNT}:role/x/evil{MOCK_DEPLOY_ROLE}", None)


def test_configured_writers_may_write() -> None:
    run = evaluate_stack("dev", {"artifactsWriterArns": [OPERATOR]})
    assert OPERATOR in _statements(run)["DenyWritesExceptWriters"]["Condition"]["ArnNotLike"]["aws:PrincipalArn"]
    assert not _denied(run, "s3:PutObject", OPERATOR, None)
    assert _denied(run, "s3:PutObject", f"arn:aws:iam::{MOCK_ACCOUNT}:role/ops/other", None)


def _host_statements(run: StackRun, role: str) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in json.loads(run.named(f"role-{role}-scoped").props["policy"])["Statement"]}


@pytest.mark.parametrize("role", ROLES)
def test_host_roles_read_only_their_prefix_and_apt(run: StackRun, role: str) -> None:
    arn = _bucket(run)["arn"]
    s = _host_statements(run, role)
    read = s["ReadOwnArtifacts"]
    assert set(read["Action"]) == set(READ_ACTIONS)
    assert read["Resource"] == [f"{arn}/{role}/*", f"{arn}/{SHARED_PREFIX}*"]
    other = next(r for r in ROLES if r != role)
    assert not any(f"/{other}/" in r for r in read["Resource"])
    listing = s["ListOwnArtifacts"]
    assert listing["Action"] == "s3:ListBucket" and listing["Resource"] == arn
    assert listing["Condition"] == {"StringLike": {"s3:prefix": [f"{role}/*", f"{SHARED_PREFIX}*"]}}
    decrypt = s["DecryptArtifactsViaS3"]
    assert decrypt["Action"] == "kms:Decrypt" and decrypt["Resource"] == run.outputs["kms_key_arns"]["artifacts"]
    assert decrypt["Condition"] == {"StringEquals": {"kms:ViaService": f"s3.{MOCK_REGION}.amazonaws.com"}}
    writes = {a for st in s.values() for a in (st["Action"] if isinstance(st["Action"], list) else [st["Action"]])}
    assert not writes & set(WRITE_ACTIONS)


def test_the_policy_pack_checks_the_artifacts_bucket() -> None:
    """Every S3 stack policy sees the bucket and passes; without its encryption configuration S3-02 fails."""
    ev = evaluator.evaluate_mocked("prod")
    rows = [r for r in ev.rows if r.resource_name == "artifacts-bucket" and r.policy.startswith("s3-")]
    assert {r.policy for r in rows} >= {
        "s3-01-every-bucket-public-access-block",
        "s3-02-every-bucket-sse-kms",
        "s3-03-every-bucket-versioned",
        "s3-04-every-bucket-tls-only",
        "s3-06-every-bucket-owner-enforced",
        "s3-08-every-bucket-access-logging",
    }
    assert all(r.status == "pass" for r in rows), [(r.policy, r.messages) for r in rows if r.status != "pass"]
    stripped = [r for r in ev.resources if r.name != "artifacts-encryption"]
    broken = evaluator.evaluate(stripped, "prod", ev.stack_tags)
    failed = [r for r in broken.mandatory_violations if r.resource_name == "artifacts-bucket"]
    assert [r.policy for r in failed] == ["s3-02-every-bucket-sse-kms"]
