"""Compliance: the controls catalogue, the offline policy evaluator and the auditor report.

Kept light on purpose: the CrossGuard pack imports `fhirfort.compliance.controls` at plugin start.
"""
