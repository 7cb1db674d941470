"""postgresql on the db host: listeners, TLS, pg_hba, scram, pgaudit, the HAPI role's privileges."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.host


def spec(name: str) -> dict:
    return yaml.safe_load((Path(__file__).resolve().parents[3] / "spec" / f"{name}.yaml").read_text())


TIERS = spec("tiers")
PORT = spec("services")["services"]["postgresql"]["port"]
DB_ADDRESS = TIERS["hosts"]["db"]["address"]


def _sql(db, query: str) -> str:
    return db.check_output(f"runuser -u postgres -- psql -XAtqc {query!r}")


def test_db01_listens_on_tier_address_and_loopback_only(db) -> None:
    assert db.socket(f"tcp://{DB_ADDRESS}:{PORT}").is_listening
    assert db.socket(f"tcp://127.0.0.1:{PORT}").is_listening
    assert not db.socket(f"tcp://0.0.0.0:{PORT}").is_listening
    assert not db.socket(f"tcp://:::{PORT}").is_listening


def test_db01_runs_as_postgres(db) -> None:
    assert "postgres" in db.check_output("ps -o user= -C postgres | sort -u").split()


def test_tls01_ssl_settings(db) -> None:
    assert _sql(db, "SHOW ssl") == "on"
    assert _sql(db, "SHOW ssl_min_protocol_version") == "TLSv1.2"
    assert _sql(db, "SHOW password_encryption") == "scram-sha-256"


def test_db04_logging_and_pgaudit(db) -> None:
    assert "pgaudit" in _sql(db, "SHOW shared_preload_libraries")
    assert _sql(db, "SHOW pgaudit.log") == "ddl,role"
    assert _sql(db, "SHOW log_connections") == "on"
    assert _sql(db, "SHOW log_disconnections") == "on"
    assert _sql(db, "SHOW log_statement") == "ddl"


# the app roles' hosts: each primary and its local replicas (spec/tiers.yaml)
APP_ADDRESSES = {
    str(a)
    for role in ("fhir", "idp")
    for a in [TIERS["hosts"][role]["address"], *TIERS["hosts"][role].get("local_replicas", {}).values()]
}


def test_db05_pg_hba_only_hostssl_scram(db) -> None:
    rows = _sql(db, "SELECT type, auth_method, coalesce(address,'') FROM pg_hba_file_rules").splitlines()
    for row in rows:
        kind, method, address = row.split("|")
        if method == "reject":
            continue
        if kind == "local":
            assert method == "peer", row
            continue
        assert kind == "hostssl", row
        assert method == "scram-sha-256", row
        assert address in APP_ADDRESSES, row
    assert _sql(db, "SELECT count(*) FROM pg_hba_file_rules WHERE error IS NOT NULL") == "0"


def test_db02_hapi_role_least_privilege(db) -> None:
    row = _sql(
        db,
        "SELECT rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls FROM pg_roles WHERE rolname='hapi'",
    )
    assert row == "f|f|f|f|f"
    assert _sql(db, "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname='hapi'") == "hapi"
    assert _sql(db, "SELECT rolpassword LIKE 'SCRAM-SHA-256$%' FROM pg_authid WHERE rolname='hapi'") == "t"


def test_db_data_dir_mode(db) -> None:
    data = db.file("/var/lib/postgresql/17/main")
    assert data.user == "postgres"
    assert data.mode == 0o700
