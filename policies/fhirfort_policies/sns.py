"""SNS topics (alarm notifications) (SNS-*)."""

from __future__ import annotations

from collections.abc import Iterator

from . import types as t
from ._base import MANDATORY, FhirfortResourcePolicy, FhirfortStackPolicy, Res, Stack, statements


def _kms(r: Res) -> Iterator[str]:
    if not r.get("kmsMasterKeyId"):
        yield "the topic is not encrypted with KMS (kmsMasterKeyId)"


def _tls_only(document: object) -> bool:
    for s in statements(document):
        secure = ((s.get("Condition") or {}).get("Bool") or {}).get("aws:SecureTransport")
        if s.get("Effect") == "Deny" and str(secure).lower() == "false":
            return True
    return False


def _topic_policy_tls(r: Res) -> Iterator[str]:
    if not _tls_only(r.get("policy")):
        yield "the topic policy does not deny publishing without TLS (aws:SecureTransport false)"


def _every_topic_tls(stack: Stack) -> Iterator[tuple[str, Res | None]]:
    for topic in stack.of(t.SNS_TOPIC):
        policies = stack.referrers(topic, "arn", t.SNS_TOPIC_POLICY)
        if not any(_tls_only(p.get("policy")) for p in policies):
            yield f"topic {topic.name} has no topic policy that denies publishing without TLS", topic


POLICIES = [
    FhirfortResourcePolicy(
        name="sns-01-topic-kms",
        enforcement_level=MANDATORY,
        control="SNS-01",
        types=(t.SNS_TOPIC,),
        summary="SNS topics are encrypted at rest with KMS.",
        check=_kms,
        remediation="Set kmsMasterKeyId to the stack's CMK.",
    ),
    FhirfortResourcePolicy(
        name="sns-02-topic-policy-tls-only",
        enforcement_level=MANDATORY,
        control="SNS-02",
        types=(t.SNS_TOPIC_POLICY,),
        summary="SNS topic policies deny publishing without TLS.",
        check=_topic_policy_tls,
        remediation="Add a Deny statement on sns:Publish with Condition Bool aws:SecureTransport false.",
    ),
    FhirfortStackPolicy(
        name="sns-02-every-topic-tls-only",
        enforcement_level=MANDATORY,
        control="SNS-02",
        types=(t.SNS_TOPIC, t.SNS_TOPIC_POLICY),
        summary="Every SNS topic has a topic policy that denies publishing without TLS.",
        check=_every_topic_tls,
        remediation="Add aws:sns/topicPolicy:TopicPolicy for the topic with the TLS deny statement.",
    ),
]
