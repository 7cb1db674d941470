"""Application secrets in Secrets Manager, encrypted with the secrets key, grouped by the host role that reads them.

- Generated secrets get a first value from Secrets Manager's own generator (GetRandomPassword), held as a
  Pulumi secret; later changes are ignored so that rotation owns the value.
- Placeholders (e.g. the SMART backend client's key) are created empty: the operator puts the value.
- Rotation: with `secretRotationLambdaArn` configured every application secret rotates every 30 days
  through that Lambda. Without it there is no rotation resource; rotate by putting a new value (the kit
  does not ship a rotation Lambda). The DB master credentials are not here: RDS manages and rotates them
  (database.py, `manageMasterUserPassword`).
- Host roles read only the secrets of their own role (hosts.py scopes the IAM policy to these ARNs).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from fhirfort.aws.common import AwsContext, child

ROTATION_DAYS = 30


@dataclass(frozen=True)
class SecretSpec:
    owner: str  # host role that may read it, or "operator" (no host role)
    generated: bool
    description: str


SECRETS: dict[str, SecretSpec] = {
    "keycloak-admin-password": SecretSpec("idp", True, "Keycloak bootstrap admin password (admin API is never public)"),
    "keycloak-db-password": SecretSpec("idp", True, "Keycloak's PostgreSQL user password"),
    "hapi-keystore-password": SecretSpec("fhir", True, "Password of HAPI's TLS keystore"),
    "hapi-db-password": SecretSpec("fhir", True, "HAPI's PostgreSQL user password"),
    "smart-backend-client-key": SecretSpec(
        "operator", False, "Placeholder: private JWK of the SMART backend-services client (put by the operator)"
    ),
}


@dataclass
class SecretsArgs:
    ctx: AwsContext
    secrets_key_arn: pulumi.Input[str]
    rotation_lambda_arn: str | None


class Secrets(pulumi.ComponentResource):
    secrets: dict[str, aws.secretsmanager.Secret]

    def __init__(self, name: str, args: SecretsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("fhirfort:aws:Secrets", name, None, opts)
        ctx = args.ctx
        self.secrets = {}
        for secret_name, item in SECRETS.items():
            secret = aws.secretsmanager.Secret(
                f"secret-{secret_name}",
                name=f"fhirfort/{ctx.stack}/{item.owner}/{secret_name}",
                description=item.description,
                kms_key_id=args.secrets_key_arn,
                recovery_window_in_days=30,
                tags=ctx.tags(**{"fhirfort:role": item.owner}),
                opts=child(self),
            )
            if item.generated:
                value = aws.secretsmanager.get_random_password(
                    password_length=40, exclude_punctuation=True, require_each_included_type=True
                ).random_password
                aws.secretsmanager.SecretVersion(
                    f"secret-{secret_name}-initial",
                    secret_id=secret.id,
                    secret_string=pulumi.Output.secret(value),
                    opts=child(self, ignore_changes=["secretString"]),
                )
            if args.rotation_lambda_arn:
                aws.secretsmanager.SecretRotation(
                    f"secret-{secret_name}-rotation",
                    secret_id=secret.id,
                    rotation_lambda_arn=args.rotation_lambda_arn,
                    rotation_rules={"automatically_after_days": ROTATION_DAYS},
                    opts=child(self),
                )
            self.secrets[secret_name] = secret
        self.register_outputs({"names": [s.name for s in self.secrets.values()]})

    def arns_for(self, role: str) -> list[pulumi.Output[str]]:
        """ARNs of the secrets the host role may read (and nothing else)."""
        return [self.secrets[n].arn for n, item in SECRETS.items() if item.owner == role]
