"""`make verify-aws STACK=<name>`: check the live controls of a deployed AWS stack with boto3.

The stack's outputs (`outputs.py`) say where the resources are; each module under `checks/` holds
small check functions, one control each, that read the live configuration and return a
`CheckResult`; `runner.py` runs them, `report.py` prints the table and writes the JSON report.
"""
