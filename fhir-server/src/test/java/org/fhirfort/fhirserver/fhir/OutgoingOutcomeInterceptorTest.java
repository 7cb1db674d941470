package org.fhirfort.fhirserver.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.model.api.StorageResponseCodeEnum;
import ca.uhn.fhir.util.OperationOutcomeUtil;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OutgoingOutcomeInterceptorTest {

	private static FhirContext ctx;

	@BeforeAll
	static void context() {
		ctx = FhirContext.forR4();
	}

	/** The outcome HAPI's DAO writes for a successful write (BaseStorageDao.createInfoOperationOutcome). */
	private static OperationOutcome hapiSuccess(String message, StorageResponseCodeEnum code) {
		return (OperationOutcome) OperationOutcomeUtil.createOperationOutcome("information", message, "informational",
				ctx, code);
	}

	private static OperationOutcome error(String diagnostics) {
		OperationOutcome oo = new OperationOutcome();
		oo.addIssue().setSeverity(OperationOutcome.IssueSeverity.ERROR).setCode(OperationOutcome.IssueType.PROCESSING)
				.setDiagnostics(diagnostics);
		return oo;
	}

	private static String json(org.hl7.fhir.instance.model.api.IBaseResource r) {
		return ctx.newJsonParser().encodeResourceToString(r);
	}

	@Test
	void deleteOutcomeLosesTheHapiCodeSystem() {
		OperationOutcome oo = hapiSuccess("Successfully deleted 1 resource(s). Took 4ms.",
				StorageResponseCodeEnum.SUCCESSFUL_DELETE);
		assertThat(json(oo)).contains("hapifhir.io"); // what HAPI sends
		OutgoingOutcomeInterceptor.scrub(oo, "Patient");
		assertThat(json(oo)).doesNotContain("hapifhir.io");
		assertThat(oo.getIssueFirstRep().getDiagnostics()).isEqualTo("Successfully deleted 1 resource(s). Took 4ms.");
		assertThat(oo.getIssueFirstRep().getSeverity()).isEqualTo(OperationOutcome.IssueSeverity.INFORMATION);
	}

	@Test
	void transactionEntriesAreScrubbed() {
		Bundle response = new Bundle().setType(Bundle.BundleType.TRANSACTIONRESPONSE);
		response.addEntry().getResponse().setStatus("201 Created").setOutcome(hapiSuccess(
				"Successfully created resource \"Patient/1/_history/1\". Took 5ms.", StorageResponseCodeEnum.SUCCESSFUL_CREATE));
		OperationOutcome placeholder = error("HAPI-0303: placeholder");
		placeholder.getIssueFirstRep().addExtension(
				"http://hapifhir.io/fhir/StructureDefinition/oo-placeholder-id", new StringType("urn:uuid:1"));
		response.addEntry().getResponse().setStatus("200 OK").setOutcome(placeholder);
		OutgoingOutcomeInterceptor.scrub(response, null);
		assertThat(json(response)).doesNotContain("hapifhir.io").doesNotContain("HAPI-")
				.contains("Successfully created resource").contains("placeholder");
	}

	@Test
	void batchEntriesLoseCodesAndServerErrorTexts() {
		Bundle response = new Bundle().setType(Bundle.BundleType.BATCHRESPONSE);
		response.addEntry().getResponse().setStatus("400 Bad Request").setOutcome(error(
				"HAPI-0426: Unable to process request, this server does not know how to handle DELETE operation "
						+ "with this URL"));
		response.addEntry().getResponse().setStatus("500 Internal Server Error").setOutcome(
				error("java.lang.NullPointerException: Cannot invoke \"org.postgresql.X.y()\" at HFJ_RESOURCE"));
		// a nested bundle answer (a search inside a batch) with its own outcome entry
		Bundle nested = new Bundle().setType(Bundle.BundleType.SEARCHSET);
		nested.addEntry().setResource(error("HAPI-1234: warning")).getSearch().setMode(Bundle.SearchEntryMode.OUTCOME);
		response.addEntry().setResource(nested).getResponse().setStatus("200 OK");
		OutgoingOutcomeInterceptor.scrub(response, null);

		OperationOutcome clientError = (OperationOutcome) response.getEntry().get(0).getResponse().getOutcome();
		assertThat(clientError.getIssueFirstRep().getDiagnostics())
				.isEqualTo("Unable to process request, this server does not know how to handle DELETE operation with this URL");
		OperationOutcome serverError = (OperationOutcome) response.getEntry().get(1).getResponse().getOutcome();
		assertThat(serverError.getIssueFirstRep().getDiagnostics()).startsWith("Internal server error (incident ");
		assertThat(json(response)).doesNotContain("HAPI-").doesNotContain("postgresql").doesNotContain("HFJ_")
				.doesNotContain("NullPointer");
	}

	@Test
	void storedOperationOutcomesAreLeftAsStored() {
		OperationOutcome stored = error("HAPI-0001: as the client wrote it");
		OutgoingOutcomeInterceptor.scrub(stored, "OperationOutcome");
		assertThat(stored.getIssueFirstRep().getDiagnostics()).isEqualTo("HAPI-0001: as the client wrote it");

		Bundle search = new Bundle().setType(Bundle.BundleType.SEARCHSET);
		search.addEntry().setResource(error("HAPI-0002: stored")).getSearch().setMode(Bundle.SearchEntryMode.MATCH);
		search.addEntry().setResource(error("HAPI-0003: server said")).getSearch().setMode(Bundle.SearchEntryMode.OUTCOME);
		OutgoingOutcomeInterceptor.scrub(search, "OperationOutcome");
		assertThat(((OperationOutcome) search.getEntry().get(0).getResource()).getIssueFirstRep().getDiagnostics())
				.isEqualTo("HAPI-0002: stored");
		assertThat(((OperationOutcome) search.getEntry().get(1).getResource()).getIssueFirstRep().getDiagnostics())
				.isEqualTo("server said");
	}
}
