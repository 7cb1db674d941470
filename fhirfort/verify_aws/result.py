"""The outcome of one live check.

`id` is the control id of spec/controls.yaml (e.g. `ELB-01`), the same id the policy pack and the
auditor report use; `check` names the check (`elb-01-https-tls-policy`; a control may have several).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class CheckResult:
    id: str
    title: str
    passed: bool
    detail: str
    check: str = ""
    waiver: str | None = None  # set when a failure is waived by the stack's documented opt-out

    @property
    def status(self) -> str:
        if self.waiver is not None:
            return "WAIVED"
        return "PASS" if self.passed else "FAIL"

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "status": self.status}


def control_of(check_name: str) -> str:
    """`elb-01-https-tls-policy` -> `ELB-01` (the naming rule every check follows)."""
    prefix, number, *_ = check_name.split("-")
    return f"{prefix.upper()}-{number}"


def passed(check_id: str, title: str, detail: str) -> CheckResult:
    return CheckResult(check_id, title, True, detail)


def failed(check_id: str, title: str, detail: str) -> CheckResult:
    return CheckResult(check_id, title, False, detail)


def verdict(check_id: str, title: str, problems: list[str], ok_detail: str) -> CheckResult:
    """Failed with every problem joined when there are any, passed with `ok_detail` otherwise."""
    if problems:
        return failed(check_id, title, "; ".join(problems))
    return passed(check_id, title, ok_detail)
