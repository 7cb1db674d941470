"""Network: VPC flow logs capture all traffic into the stack's log group."""

from __future__ import annotations

from fhirfort.verify_aws.context import CheckContext
from fhirfort.verify_aws.result import CheckResult, failed, passed


def check_vpc_flow_logs(ctx: CheckContext) -> CheckResult:
    title = "VPC flow logs on (all traffic) to the stack's log group"
    answer = ctx.client("ec2").describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [ctx.outputs.vpc_id]}])
    logs = [f for f in answer.get("FlowLogs") or [] if f.get("FlowLogStatus") == "ACTIVE"]
    if not logs:
        return failed("NET-01", title, f"no active flow log on {ctx.outputs.vpc_id}")
    group = ctx.outputs.flow_log_group_name
    good = [f for f in logs if f.get("TrafficType") == "ALL" and f.get("LogGroupName") == group]
    if not good:
        seen = [(f.get("TrafficType"), f.get("LogGroupName") or f.get("LogDestination")) for f in logs]
        return failed("NET-01", title, f"flow logs {seen}: none captures ALL to {ctx.outputs.flow_log_group_name}")
    return passed("NET-01", title, f"{good[0]['FlowLogId']} -> {ctx.outputs.flow_log_group_name}")
