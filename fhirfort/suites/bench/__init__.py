"""`fhirfort bench`: the secured path (client -> edge TLS + WAF -> HAPI) against the direct path (edge host ->
HAPI), same requests, same generator (wrk), interleaved rounds; CPU per request on each host."""
