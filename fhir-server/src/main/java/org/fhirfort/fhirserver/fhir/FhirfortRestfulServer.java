package org.fhirfort.fhirserver.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.RestfulServer;
import jakarta.servlet.http.HttpServletResponse;

/**
 * HAPI's RestfulServer without the X-Powered-By header (which names HAPI and its version), parsing request
 * bodies with {@link LosslessParserErrorHandler}: content the parser would drop (an unknown element, a second
 * value of a non-repeating element) fails the request with 400 instead of being stored without it, and nothing
 * the client named is logged verbatim. The handler is installed on the FhirContext the server shares with the
 * JPA layer, which reads stored resources with a parser of its own (lenient, so nothing stored becomes
 * unreadable); HAPI's built-in definitions parse under it.
 */
public class FhirfortRestfulServer extends RestfulServer {

	private static final long serialVersionUID = 1L;

	public FhirfortRestfulServer(FhirContext ctx) {
		super(ctx);
		ctx.setParserErrorHandler(new LosslessParserErrorHandler());
	}

	@Override
	public void addHeadersToResponse(HttpServletResponse theHttpResponse) {
		// Deliberately empty: no software/version disclosure.
	}
}
