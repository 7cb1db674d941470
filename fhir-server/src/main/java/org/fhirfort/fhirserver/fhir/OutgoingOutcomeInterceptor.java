package org.fhirfort.fhirserver.fhir;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.ResponseDetails;
import java.util.UUID;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OperationOutcomes inside successful responses get what {@link SafeErrorInterceptor} gives error responses:
 * a DELETE's outcome, the outcome of every batch/transaction entry (HAPI-0426, HAPI-0303 were seen there, and a
 * hapifhir.io CodeSystem in the success outcomes), and search outcomes are scrubbed by {@link OutcomeScrubber}.
 * A batch entry that failed with 5xx carries the server's exception text (HAPI wraps any exception of an entry
 * into its message); it is replaced by the generic text and an incident id, and logged (sanitized) with that id.
 * OperationOutcomes a client stored (a read or search of the OperationOutcome type) are left as stored.
 */
@Interceptor
public class OutgoingOutcomeInterceptor {

	private static final Logger LOG = LoggerFactory.getLogger(OutgoingOutcomeInterceptor.class);
	static final String OPERATION_OUTCOME = "OperationOutcome";

	@Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
	public void scrub(RequestDetails theRequestDetails, ResponseDetails theResponseDetails) {
		if (theResponseDetails != null) {
			scrub(theResponseDetails.getResponseResource(),
					theRequestDetails == null ? null : theRequestDetails.getResourceName());
		}
	}

	/** Pure apart from logging; unit-tested. */
	public static void scrub(IBaseResource theResource, String theRequestedType) {
		if (theResource instanceof OperationOutcome oo && !OPERATION_OUTCOME.equals(theRequestedType)) {
			OutcomeScrubber.scrub(oo);
		} else if (theResource instanceof Bundle bundle) {
			scrub(bundle);
		}
	}

	static void scrub(Bundle theBundle) {
		boolean answers = theBundle.getType() == Bundle.BundleType.BATCHRESPONSE
				|| theBundle.getType() == Bundle.BundleType.TRANSACTIONRESPONSE;
		for (Bundle.BundleEntryComponent entry : theBundle.getEntry()) {
			String status = entry.hasResponse() ? entry.getResponse().getStatus() : null;
			if (entry.hasResponse() && entry.getResponse().getOutcome() instanceof OperationOutcome oo) {
				scrub(oo, status);
			}
			Resource resource = entry.getResource();
			boolean searchOutcome = entry.hasSearch() && entry.getSearch().getMode() == Bundle.SearchEntryMode.OUTCOME;
			if (resource instanceof OperationOutcome oo && (answers || searchOutcome)) {
				scrub(oo, status);
			} else if (resource instanceof Bundle nested && answers) {
				scrub(nested);
			}
		}
	}

	private static void scrub(OperationOutcome theOutcome, String theStatus) {
		if (theStatus != null && theStatus.strip().startsWith("5")) {
			String incident = UUID.randomUUID().toString();
			LOG.error("Batch entry failed ({}), incident {}: {}", UntrustedText.value(theStatus), incident,
					UntrustedText.message(diagnostics(theOutcome)));
			OutcomeScrubber.replaceDiagnostics(theOutcome, SafeErrorInterceptor.incidentText(incident));
		} else {
			OutcomeScrubber.scrub(theOutcome);
		}
	}

	private static String diagnostics(OperationOutcome theOutcome) {
		StringBuilder sb = new StringBuilder();
		for (OperationOutcome.OperationOutcomeIssueComponent issue : theOutcome.getIssue()) {
			if (issue.hasDiagnostics()) {
				sb.append(sb.length() == 0 ? "" : " | ").append(issue.getDiagnostics());
			}
		}
		return sb.toString();
	}
}
