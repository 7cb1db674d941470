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
import java.util.regex.Pattern;
import org.hl7.fhir.instance.model.api.IBaseOperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.fhirfort.fhirserver.web.RequestBodyLimitFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server errors leave as an OperationOutcome with a generic text and an incident id; the exception (class
 * names, SQL, stack) goes to the log only. Client errors (4xx) keep HAPI's message, which names the problem
 * in the request, without HAPI's message codes ("HAPI-1234: "), which name the server software. A body cut off
 * by {@link RequestBodyLimitFilter} becomes 413.
 */
@Interceptor
public class SafeErrorInterceptor {

	private static final Logger LOG = LoggerFactory.getLogger(SafeErrorInterceptor.class);
	private static final Pattern HAPI_CODE = Pattern.compile("HAPI-\\d{4}:\\s*");

	@Hook(Pointcut.SERVER_OUTGOING_FAILURE_OPERATIONOUTCOME)
	public void withoutSoftwareCodes(RequestDetails theRequestDetails, IBaseOperationOutcome theOutcome) {
		if (theOutcome instanceof OperationOutcome outcome) {
			for (OperationOutcome.OperationOutcomeIssueComponent issue : outcome.getIssue()) {
				if (issue.hasDiagnostics()) {
					issue.setDiagnostics(withoutSoftwareCodes(issue.getDiagnostics()));
				}
			}
		}
	}

	/** The message without HAPI's "HAPI-nnnn: " codes. Pure, unit-tested. */
	public static String withoutSoftwareCodes(String message) {
		return message == null ? null : HAPI_CODE.matcher(message).replaceAll("");
	}

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
