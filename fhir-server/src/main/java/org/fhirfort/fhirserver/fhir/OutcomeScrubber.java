package org.fhirfort.fhirserver.fhir;

import java.util.Locale;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.OperationOutcomeIssueComponent;

/**
 * Makes an OperationOutcome the server wrote fit to leave it. HAPI's outcomes name the software: diagnostics
 * start with message codes ("HAPI-0426: "), and success outcomes (delete, transaction entries) carry a coding
 * from {@code https://hapifhir.io/fhir/CodeSystem/hapi-fhir-storage-response-code}, placeholder ids an extension
 * under {@code http://hapifhir.io/}. Here the diagnostics are cleaned as client error text
 * ({@link ClientErrorText#clean}: no codes, no Java internals, no line breaks) and every coding, extension or
 * profile from hapifhir.io is removed; the human-readable diagnostics and the FHIR issue codes stay.
 */
public final class OutcomeScrubber {

	static final String SOFTWARE_DOMAIN = "hapifhir.io";
	private static final Pattern SOFTWARE_URL =
			Pattern.compile("\\s*https?://(?:[\\w-]+\\.)*hapifhir\\.io\\S*", Pattern.CASE_INSENSITIVE);

	private OutcomeScrubber() {}

	/** Cleans the outcome in place. */
	public static void scrub(OperationOutcome theOutcome) {
		if (theOutcome == null) {
			return;
		}
		theOutcome.getExtension().removeIf(OutcomeScrubber::fromSoftware);
		theOutcome.getModifierExtension().removeIf(OutcomeScrubber::fromSoftware);
		if (theOutcome.hasMeta()) {
			theOutcome.getMeta().getTag().removeIf(c -> names(c.getSystem()));
			theOutcome.getMeta().getSecurity().removeIf(c -> names(c.getSystem()));
			theOutcome.getMeta().getProfile().removeIf(p -> names(p.getValue()));
		}
		for (OperationOutcomeIssueComponent issue : theOutcome.getIssue()) {
			issue.getExtension().removeIf(OutcomeScrubber::fromSoftware);
			issue.getModifierExtension().removeIf(OutcomeScrubber::fromSoftware);
			if (issue.hasDetails()) {
				issue.getDetails().getCoding().removeIf(c -> names(c.getSystem()));
				issue.getDetails().getExtension().removeIf(OutcomeScrubber::fromSoftware);
				if (issue.getDetails().hasText()) {
					issue.getDetails().setText(text(issue.getDetails().getText()));
				}
				if (issue.getDetails().isEmpty()) {
					issue.setDetails(null);
				}
			}
			if (issue.hasDiagnostics()) {
				issue.setDiagnostics(text(issue.getDiagnostics()));
			}
		}
	}

	/** Replaces every issue's diagnostics by the generic server error text (a 5xx the client cannot act on). */
	public static void replaceDiagnostics(OperationOutcome theOutcome, String theText) {
		scrub(theOutcome);
		for (OperationOutcomeIssueComponent issue : theOutcome.getIssue()) {
			issue.setDiagnostics(theText);
			issue.setDetails(null);
		}
	}

	/** Client error text, without links into hapifhir.io; null if nothing is left. */
	static String text(String theText) {
		String text = SOFTWARE_URL.matcher(theText).replaceAll("").strip();
		return text.isEmpty() ? null : ClientErrorText.clean(text);
	}

	static boolean names(String theUrl) {
		return theUrl != null && theUrl.toLowerCase(Locale.ROOT).contains(SOFTWARE_DOMAIN);
	}

	private static boolean fromSoftware(Extension theExtension) {
		return names(theExtension.getUrl());
	}
}
