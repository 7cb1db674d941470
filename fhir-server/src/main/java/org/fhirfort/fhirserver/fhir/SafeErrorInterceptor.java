package org.fhirfort.fhirserver.fhir;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import ca.uhn.fhir.rest.server.exceptions.NotImplementedOperationException;
import ca.uhn.fhir.rest.server.exceptions.PayloadTooLargeException;
import jakarta.servlet.http.HttpServletRequest;
import java.util.UUID;
import org.fhirfort.fhirserver.web.RequestBodyLimitFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server errors leave as an OperationOutcome with a generic text and an incident id; the exception (class
 * names, SQL, stack) goes to the log only. Client errors (4xx) keep HAPI's message, which names the problem
 * in the request. A body cut off by {@link RequestBodyLimitFilter} becomes 413.
 */
@Interceptor
public class SafeErrorInterceptor {

	private static final Logger LOG = LoggerFactory.getLogger(SafeErrorInterceptor.class);

	@Hook(Pointcut.SERVER_PRE_PROCESS_OUTGOING_EXCEPTION)
	public BaseServerResponseException sanitize(
			RequestDetails theRequestDetails, Throwable theException, HttpServletRequest theServletRequest) {
		if (theServletRequest != null
				&& Boolean.TRUE.equals(theServletRequest.getAttribute(RequestBodyLimitFilter.EXCEEDED_ATTRIBUTE))) {
			return new PayloadTooLargeException("Request body exceeds the configured limit");
		}
		return sanitize(theException);
	}

	/** Pure mapping, unit-tested. */
	public static BaseServerResponseException sanitize(Throwable theException) {
		if (theException instanceof BaseServerResponseException e) {
			if (e.getStatusCode() < 500 || e instanceof NotImplementedOperationException) {
				return e;
			}
		}
		String incident = UUID.randomUUID().toString();
		LOG.error("Internal error, incident {}", incident, theException);
		return new InternalErrorException("Internal server error (incident " + incident + ")");
	}
}
