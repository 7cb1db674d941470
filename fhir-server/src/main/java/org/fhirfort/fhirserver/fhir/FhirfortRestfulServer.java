package org.fhirfort.fhirserver.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.RestfulServer;
import jakarta.servlet.http.HttpServletResponse;

/** HAPI's RestfulServer without the X-Powered-By header (which names HAPI and its version). */
public class FhirfortRestfulServer extends RestfulServer {

	private static final long serialVersionUID = 1L;

	public FhirfortRestfulServer(FhirContext ctx) {
		super(ctx);
	}

	@Override
	public void addHeadersToResponse(HttpServletResponse theHttpResponse) {
		// Deliberately empty: no software/version disclosure.
	}
}
