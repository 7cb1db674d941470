package org.fhirfort.fhirserver.fhir;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.MethodNotAllowedException;
import ca.uhn.fhir.rest.server.exceptions.NotImplementedOperationException;
import ca.uhn.fhir.rest.server.exceptions.PayloadTooLargeException;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hl7.fhir.instance.model.api.IBaseOperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.fhirfort.fhirserver.web.RequestBodyLimitFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server errors leave as an OperationOutcome with a generic text and an incident id; the exception (class
 * names, SQL, stack) goes to the log only. Client errors (4xx) keep what HAPI says about the problem in the
 * request, cleaned by {@link ClientErrorText}: no HAPI message codes ("HAPI-1234: ", which name the server
 * software), no Java class, package or exception names (the JSON Patch library's Jackson messages), no line
 * breaks. The cleaned text replaces the exception's message before HAPI logs it, so the log line cannot be
 * forged either. Exceptions HAPI raises for a client's mistake as plain Java exceptions (a malformed search
 * value, a JSON Patch operation without path) become 400 ({@link ClientFaults}); everything else unexpected is a
 * 500. A body cut off by {@link RequestBodyLimitFilter} becomes 413. Error OperationOutcomes are scrubbed by
 * {@link OutcomeScrubber}.
 */
@Interceptor
public class SafeErrorInterceptor {

	private static final Logger LOG = LoggerFactory.getLogger(SafeErrorInterceptor.class);

	@Hook(Pointcut.SERVER_OUTGOING_FAILURE_OPERATIONOUTCOME)
	public void withoutSoftwareCodes(RequestDetails theRequestDetails, IBaseOperationOutcome theOutcome) {
		if (theOutcome instanceof OperationOutcome outcome) {
			OutcomeScrubber.scrub(outcome);
		}
	}

	/** The message without HAPI's "HAPI-nnnn: " codes. Pure, unit-tested. */
	public static String withoutSoftwareCodes(String message) {
		return ClientErrorText.withoutSoftwareCodes(message);
	}

	@Hook(Pointcut.SERVER_PRE_PROCESS_OUTGOING_EXCEPTION)
	public BaseServerResponseException sanitize(
			RequestDetails theRequestDetails, Throwable theException, HttpServletRequest theServletRequest) {
		if (theServletRequest != null
				&& Boolean.TRUE.equals(theServletRequest.getAttribute(RequestBodyLimitFilter.EXCEEDED_ATTRIBUTE))) {
			return new PayloadTooLargeException("Request body exceeds the configured limit");
		}
		Map<String, String[]> parameters = theRequestDetails == null ? null : theRequestDetails.getParameters();
		return sanitize(theException, parameters == null ? Map.of() : parameters);
	}

	/** Pure mapping (apart from logging), unit-tested. */
	public static BaseServerResponseException sanitize(Throwable theException) {
		return sanitize(theException, Map.of());
	}

	/**
	 * Pure mapping (apart from logging), unit-tested; the request parameters name the parameter of a malformed
	 * search value.
	 */
	public static BaseServerResponseException sanitize(Throwable theException, Map<String, String[]> theParameters) {
		if (theException instanceof BaseServerResponseException e) {
			if (e.getStatusCode() < 500 || e instanceof NotImplementedOperationException) {
				return withCleanMessage(e);
			}
		}
		InvalidRequestException clientFault = ClientFaults.asClientError(theException, theParameters);
		if (clientFault != null) {
			if (LOG.isDebugEnabled()) {
				LOG.debug("Client error raised as {}: {}", theException.getClass().getSimpleName(),
						clientFault.getMessage());
			}
			return clientFault;
		}
		String incident = UUID.randomUUID().toString();
		LOG.error("Internal error, incident {}", incident, theException);
		return new InternalErrorException(incidentText(incident));
	}

	/** The text a client gets for a server error. */
	public static String incidentText(String incident) {
		return "Internal server error (incident " + incident + ")";
	}

	/**
	 * The exception itself if its message is already clean (apart from HAPI codes, which the outcome hook
	 * strips); otherwise a copy with the cleaned message, same status, outcome, headers (and the resource id
	 * of a 410, the allowed methods of a 405).
	 */
	static BaseServerResponseException withCleanMessage(BaseServerResponseException e) {
		String message = e.getMessage();
		String clean = ClientErrorText.clean(message);
		if (message == null || clean.equals(ClientErrorText.withoutSoftwareCodes(message))) {
			return e;
		}
		BaseServerResponseException copy = BaseServerResponseException.newInstance(e.getStatusCode(), clean);
		copy.setOperationOutcome(e.getOperationOutcome());
		copy.setErrorMessageTrusted(e.isErrorMessageTrusted());
		if (e.hasResponseHeaders()) {
			for (Map.Entry<String, List<String>> header : e.getResponseHeaders().entrySet()) {
				for (String value : header.getValue()) {
					copy.addResponseHeader(header.getKey(), value);
				}
			}
		}
		if (e instanceof ResourceGoneException gone && copy instanceof ResourceGoneException goneCopy) {
			goneCopy.setResourceId(gone.getResourceId());
		}
		if (e instanceof MethodNotAllowedException mna && copy instanceof MethodNotAllowedException mnaCopy
				&& mna.getAllowedMethods() != null) {
			mnaCopy.setAllowedMethods(mna.getAllowedMethods());
		}
		return copy;
	}
}
