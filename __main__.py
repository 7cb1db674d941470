"""Pulumi entry point: read the typed config, build the stack component, export its outputs.

All logic lives in fhirfort.aws.stack (the mocked tests run exactly that function).
"""

from fhirfort.aws.stack import run_program

run_program()
