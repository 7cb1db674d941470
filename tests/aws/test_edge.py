"""TLS edge: certificate, ALB hardening, listeners, TLS to the targets, path rules."""

from __future__ import annotations

from fhirfort.aws.edge import ADMIN_PATHS, fhir_paths
from fhirfort.aws.mocked import StackRun, evaluate_stack
from fhirfort.spec import spec

LISTENER = "aws:lb/listener:Listener"
RULE = "aws:lb/listenerRule:ListenerRule"


def test_alb_is_hardened(run: StackRun) -> None:
    alb = run.one("aws:lb/loadBalancer:LoadBalancer").props
    assert alb["loadBalancerType"] == "application"
    assert alb["dropInvalidHeaderFields"] is True
    assert alb["desyncMitigationMode"] == "strictest"
    assert alb["accessLogs"]["enabled"] is True
    assert alb["accessLogs"]["bucket"] == run.id_of("access-logs-bucket")
    public = {
        run.id_of(s.name) for s in run.of_type("aws:ec2/subnet:Subnet") if s.props["tags"]["fhirfort:tier"] == "public"
    }
    assert set(alb["subnets"]) == public
    assert alb["securityGroups"] == [run.id_of("sg-edge")]


def test_deletion_protection_in_prod_and_opt_out_in_dev(dev_run: StackRun, prod_run: StackRun) -> None:
    assert prod_run.one("aws:lb/loadBalancer:LoadBalancer").props["enableDeletionProtection"] is True
    assert dev_run.one("aws:lb/loadBalancer:LoadBalancer").props["enableDeletionProtection"] is False


def test_https_listener_uses_the_spec_tls_policy(dev_run: StackRun, prod_run: StackRun) -> None:
    alb = spec().tls.alb
    for run, policy in ((dev_run, alb.default_policy), (prod_run, alb.fips_policy)):
        https = run.one(LISTENER, "https").props
        assert https["protocol"] == "HTTPS" and https["port"] == spec().port("https")
        assert https["sslPolicy"] == policy
        assert https["sslPolicy"] in alb.allowed_policies
        assert https["defaultActions"][0]["type"] == "fixed-response"
        assert https["defaultActions"][0]["fixedResponse"]["statusCode"] == "404"


def test_tls_policy_override_is_used() -> None:
    choice = spec().tls.alb.allowed_policies[-1]
    run = evaluate_stack("dev", {"tlsPolicy": choice})
    assert run.one(LISTENER, "https").props["sslPolicy"] == choice


def test_http_listener_only_redirects_301_to_https(run: StackRun) -> None:
    http = run.one(LISTENER, "http").props
    assert http["port"] == spec().port("http_redirect")
    (action,) = http["defaultActions"]
    assert action["type"] == "redirect"
    assert action["redirect"] == {"protocol": "HTTPS", "port": str(spec().port("https")), "statusCode": "HTTP_301"}
    assert not [r for r in run.of_type(RULE) if r.props["listenerArn"] == run.state_of("http")["arn"]]


def test_dns_validated_certificate_in_hosted_zone(run: StackRun) -> None:
    cert = run.one("aws:acm/certificate:Certificate").props
    assert cert["validationMethod"] == "DNS"
    record = run.named("certificate-validation-record").props
    assert record["zoneId"].startswith("Z0123456789EXAMPLE")
    assert record["type"] == "CNAME" and record["records"] == ["_x2.acm-validations.aws."]
    validation = run.one("aws:acm/certificateValidation:CertificateValidation").props
    assert validation["validationRecordFqdns"] == [run.state_of("certificate-validation-record")["fqdn"]]
    assert run.one(LISTENER, "https").props["certificateArn"] == validation["certificateArn"]


def test_imported_certificate_arn_is_used_without_acm_request() -> None:
    arn = "arn:aws:acm:eu-central-1:123456789012:certificate/abc"
    run = evaluate_stack("dev", {"certificateArn": arn, "hostedZoneId": None})
    assert not run.of_type("aws:acm/certificate:Certificate")
    assert run.one(LISTENER, "https").props["certificateArn"] == arn


def test_target_groups_speak_https_with_https_health_checks(run: StackRun) -> None:
    ports = {"fhir": spec().port("fhir_https"), "idp": spec().port("idp_https")}
    for role, port in ports.items():
        tg = run.named(f"tg-{role}").props
        assert tg["protocol"] == "HTTPS" and tg["port"] == port
        assert tg["healthCheck"]["protocol"] == "HTTPS"
        assert tg["healthCheck"]["enabled"] is True


def _rules(run: StackRun) -> dict[str, dict]:
    return {r.name: r.props for r in run.of_type(RULE)}


def test_path_rules_route_fhir_and_idp_and_block_admin(run: StackRun) -> None:
    rules = _rules(run)
    fhir_tg, idp_tg = run.state_of("tg-fhir")["arn"], run.state_of("tg-idp")["arn"]
    paths = {name: r["conditions"][0]["pathPattern"]["values"] for name, r in rules.items()}
    base = spec().identity.fhir_base_path
    assert set(paths["rule-fhir"]) == {base, f"{base}/*", "/.well-known/smart-configuration"}
    assert set(fhir_paths(spec())) == set(paths["rule-fhir"])
    assert rules["rule-fhir"]["actions"][0]["targetGroupArn"] == fhir_tg
    assert set(paths["rule-idp"]) == {"/realms/*", "/resources/*"}
    assert rules["rule-idp"]["actions"][0]["targetGroupArn"] == idp_tg
    admin = rules["rule-idp-admin-403"]
    assert "/admin*" in paths["rule-idp-admin-403"] and set(paths["rule-idp-admin-403"]) == set(ADMIN_PATHS)
    assert admin["actions"][0]["type"] == "fixed-response"
    assert admin["actions"][0]["fixedResponse"]["statusCode"] == "403"
    # the admin block is evaluated before any forward rule
    assert admin["priority"] < min(rules["rule-fhir"]["priority"], rules["rule-idp"]["priority"])


def test_every_forward_is_on_the_https_listener(run: StackRun) -> None:
    https = run.state_of("https")["arn"]
    assert all(r.props["listenerArn"] == https for r in run.of_type(RULE))
