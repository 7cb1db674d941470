"""`fhirfort chaos`: kill services and restart hosts under a journaled writer; nothing acknowledged is lost."""
