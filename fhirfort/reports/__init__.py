"""Reports produced from the running FHIR server (HIPAA accounting of disclosures, ...)."""
