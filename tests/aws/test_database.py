"""RDS PostgreSQL: isolated, encrypted, TLS forced, audited, backed up; prod stricter than dev."""

from __future__ import annotations

from fhirfort.aws.mocked import StackRun
from fhirfort.spec import spec

DB = "aws:rds/instance:Instance"


def test_postgres_17_private_in_isolated_subnets(run: StackRun) -> None:
    db = run.one(DB).props
    assert db["engine"] == "postgres" and db["engineVersion"].split(".")[0] == "17"
    assert db["publiclyAccessible"] is False
    data = {
        run.id_of(s.name) for s in run.of_type("aws:ec2/subnet:Subnet") if s.props["tags"]["fhirfort:tier"] == "data"
    }
    group = run.one("aws:rds/subnetGroup:SubnetGroup").props
    assert set(group["subnetIds"]) == data
    assert db["dbSubnetGroupName"] == group["name"]
    assert db["vpcSecurityGroupIds"] == [run.id_of("sg-db")]


def test_storage_and_performance_insights_encrypted_with_data_key(run: StackRun) -> None:
    db = run.one(DB).props
    data_key = run.outputs["kms_key_arns"]["data"]
    assert db["storageEncrypted"] is True and db["kmsKeyId"] == data_key
    assert db["performanceInsightsEnabled"] is True and db["performanceInsightsKmsKeyId"] == data_key


def test_parameter_group_forces_tls_and_logs_connections_and_audit(run: StackRun) -> None:
    group = run.one("aws:rds/parameterGroup:ParameterGroup").props
    assert group["family"] == "postgres17"
    params = {p["name"]: p["value"] for p in group["parameters"]}
    assert params["rds.force_ssl"] == "1"
    assert params["log_connections"] == "1" and params["log_disconnections"] == "1"
    assert "pgaudit" in params["shared_preload_libraries"]
    assert params["pgaudit.log_parameter"] == "0"  # statement parameters may hold PHI
    assert params["ssl_min_protocol_version"] == "TLSv1.2" == min(spec().tls.protocols)
    assert run.one(DB).props["parameterGroupName"] == group["name"] == run.outputs["db_parameter_group_name"]


def test_iam_auth_log_exports_minor_upgrades_snapshot_tags(run: StackRun) -> None:
    db = run.one(DB).props
    assert db["iamDatabaseAuthenticationEnabled"] is True
    assert set(db["enabledCloudwatchLogsExports"]) == {"postgresql", "upgrade"}
    assert db["autoMinorVersionUpgrade"] is True
    assert db["copyTagsToSnapshot"] is True


def test_backups_multi_az_deletion_protection_final_snapshot(dev_run: StackRun, prod_run: StackRun) -> None:
    retention = spec().retention.backup_retention_days
    prod, dev = prod_run.one(DB).props, dev_run.one(DB).props
    assert prod["backupRetentionPeriod"] == retention["prod"] == 35
    assert dev["backupRetentionPeriod"] == retention["dev"]
    assert prod["multiAz"] is True and prod["deletionProtection"] is True
    assert prod["skipFinalSnapshot"] is False and prod["finalSnapshotIdentifier"]
    # dev relaxes these only through the explicit opt-outs of stacks/Pulumi.dev.yaml
    assert dev["multiAz"] is False and dev["deletionProtection"] is False and dev["skipFinalSnapshot"] is True
