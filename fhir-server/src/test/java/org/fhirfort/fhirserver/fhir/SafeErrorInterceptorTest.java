package org.fhirfort.fhirserver.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.model.api.StorageResponseCodeEnum;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.util.Map;
import org.fhirfort.fhirserver.web.RequestBodyLimitFilter;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

class SafeErrorInterceptorTest {

	@Test
	void serverErrorsLoseInternalDetails() {
		BaseServerResponseException e = SafeErrorInterceptor.sanitize(
				new IllegalStateException("org.postgresql.util.PSQLException: relation HFJ_RESOURCE at Foo.java:12"));
		assertThat(e.getStatusCode()).isEqualTo(500);
		assertThat(e.getMessage()).startsWith("Internal server error (incident ")
				.doesNotContain("PSQL").doesNotContain("java").doesNotContain("HFJ_");

		BaseServerResponseException wrapped = SafeErrorInterceptor.sanitize(
				new InternalErrorException("HAPI-0389: Failed to call access method: java.lang.NullPointerException"));
		assertThat(wrapped.getMessage()).doesNotContain("NullPointerException").doesNotContain("HAPI-");
	}

	@Test
	void clientErrorsKeepTheirMessage() {
		InvalidRequestException bad = new InvalidRequestException("Unknown search parameter \"foo\"");
		assertThat(SafeErrorInterceptor.sanitize(bad)).isSameAs(bad);
		ResourceNotFoundException nf = new ResourceNotFoundException("Patient/1 is not known");
		assertThat(SafeErrorInterceptor.sanitize(nf)).isSameAs(nf);
	}

	@Test
	void clientMessagesLoseHapiCodes() {
		assertThat(SafeErrorInterceptor.withoutSoftwareCodes("HAPI-2001: Resource Patient/x is not known"))
				.isEqualTo("Resource Patient/x is not known");
		assertThat(SafeErrorInterceptor.withoutSoftwareCodes("HAPI-0450: HAPI-1821: bad _count"))
				.isEqualTo("bad _count");
		assertThat(SafeErrorInterceptor.withoutSoftwareCodes("Unknown search parameter")).isEqualTo("Unknown search parameter");
		assertThat(SafeErrorInterceptor.withoutSoftwareCodes(null)).isNull();
	}

	@Test
	void truncatedBodyBecomes413() {
		MockHttpServletRequest request = new MockHttpServletRequest();
		request.setAttribute(RequestBodyLimitFilter.EXCEEDED_ATTRIBUTE, Boolean.TRUE);
		BaseServerResponseException e = new SafeErrorInterceptor()
				.sanitize(null, new InvalidRequestException("Could not load request resource"), request);
		assertThat(e.getStatusCode()).isEqualTo(413);
	}

	/** An exception as if raised at the given frames (innermost first). */
	private static <T extends Throwable> T raisedAt(T e, String... classAndMethod) {
		StackTraceElement[] stack = new StackTraceElement[classAndMethod.length];
		for (int i = 0; i < classAndMethod.length; i++) {
			int dot = classAndMethod[i].lastIndexOf('.');
			stack[i] = new StackTraceElement(classAndMethod[i].substring(0, dot), classAndMethod[i].substring(dot + 1),
					"X.java", 1);
		}
		e.setStackTrace(stack);
		return e;
	}

	@Test
	void malformedParameterValuesAre400() {
		DataFormatException bad = raisedAt(new DataFormatException("HAPI-1940: Invalid date/time/quantity format: \"notadate\""),
				"ca.uhn.fhir.rest.param.BaseParamWithPrefix.extractPrefixAndReturnRest",
				"ca.uhn.fhir.rest.server.method.SearchParameter.parse",
				"ca.uhn.fhir.rest.server.method.BaseMethodBinding.createMethodParams",
				"ca.uhn.fhir.rest.server.RestfulServer.handleRequest");
		BaseServerResponseException e = SafeErrorInterceptor.sanitize(bad,
				Map.of("_count", new String[] {"5"}, "birthdate", new String[] {"notadate"}));
		assertThat(e).isInstanceOf(InvalidRequestException.class);
		assertThat(e.getMessage()).isEqualTo(
				"Malformed value for parameter 'birthdate': Invalid date/time/quantity format: \"notadate\"");

		// the quoted value is part of the parameter's value ("gt" prefix)
		DataFormatException date = raisedAt(new DataFormatException("HAPI-1882: Invalid date/time format: \"9999-99-99\""),
				"ca.uhn.fhir.rest.server.method.BaseMethodBinding.createMethodParams");
		assertThat(SafeErrorInterceptor.sanitize(date, Map.of("_lastUpdated", new String[] {"gt9999-99-99"})).getMessage())
				.startsWith("Malformed value for parameter '_lastUpdated'");

		// a conditional URL, a NumberFormatException; no parameter to name
		NumberFormatException number = raisedAt(new NumberFormatException("For input string: \"abc\""),
				"java.math.BigDecimal.<init>", "ca.uhn.fhir.jpa.searchparam.MatchUrlService.translateMatchUrl");
		BaseServerResponseException n = SafeErrorInterceptor.sanitize(number, Map.of());
		assertThat(n.getStatusCode()).isEqualTo(400);
		assertThat(n.getMessage()).isEqualTo("Malformed request parameter: For input string: \"abc\"");
	}

	@Test
	void theSameExceptionsElsewhereStayServerErrors() {
		// a stored resource that does not parse, an encoding failure: not the client's fault
		DataFormatException stored = raisedAt(new DataFormatException("Failed to parse database resource"),
				"ca.uhn.fhir.jpa.dao.JpaStorageResourceParser.parseResource",
				"ca.uhn.fhir.rest.server.method.BaseMethodBinding.invokeServerMethod");
		assertThat(SafeErrorInterceptor.sanitize(stored, Map.of()).getStatusCode()).isEqualTo(500);
		IllegalArgumentException arg = raisedAt(new IllegalArgumentException("x"), "org.hibernate.Foo.bar");
		assertThat(SafeErrorInterceptor.sanitize(arg, Map.of()).getStatusCode()).isEqualTo(500);
		NullPointerException npe = raisedAt(new NullPointerException("x"), "ca.uhn.fhir.jpa.dao.Foo.bar",
				"com.github.fge.jsonpatch.JsonPatch.apply");
		assertThat(SafeErrorInterceptor.sanitize(new InternalErrorException("HAPI-0389: Failed to call access method",
				npe)).getStatusCode()).isEqualTo(500);
	}

	@Test
	void aPatchOperationWithoutPathIs400() {
		NullPointerException npe = raisedAt(new NullPointerException("Cannot invoke \"com.github.fge.jackson."
						+ "jsonpointer.JsonPointer.isEmpty()\""),
				"com.github.fge.jsonpatch.operation.RemoveOperationBase.apply",
				"com.github.fge.jsonpatch.JsonPatch.apply", "ca.uhn.fhir.jpa.patch.JsonPatchUtils.apply");
		BaseServerResponseException e = SafeErrorInterceptor.sanitize(
				new InternalErrorException("HAPI-0389: Failed to call access method: " + npe, npe));
		assertThat(e.getStatusCode()).isEqualTo(400);
		assertThat(e.getMessage()).isEqualTo(
				"Invalid JSON Patch: an operation is missing a required member (\"path\" or \"from\")");
	}

	@Test
	void clientErrorsLoseJavaInternals() {
		InvalidRequestException patch = new InvalidRequestException("HAPI-1272: Could not resolve type id 'bogus' as "
				+ "a subtype of `com.github.fge.jsonpatch.operation.JsonPatchOperation`: known type ids = [add]\n at "
				+ "[Source: UNKNOWN; byte offset: #UNKNOWN] (through reference chain: java.util.ArrayList[0])");
		patch.addResponseHeader("X-Test", "kept");
		OperationOutcome attached = new OperationOutcome();
		patch.setOperationOutcome(attached);
		BaseServerResponseException e = SafeErrorInterceptor.sanitize(patch);
		assertThat(e).isInstanceOf(InvalidRequestException.class).isNotSameAs(patch);
		assertThat(e.getMessage()).startsWith("Invalid JSON Patch: unknown operation 'bogus'");
		assertThat(e.getResponseHeaders()).containsEntry("X-Test", java.util.List.of("kept"));
		assertThat(e.getOperationOutcome()).isSameAs(attached);

		ResourceGoneException gone = new ResourceGoneException("Gone\n forged line");
		gone.setResourceId(new IdType("Patient/1/_history/2"));
		BaseServerResponseException g = SafeErrorInterceptor.sanitize(gone);
		assertThat(g).isInstanceOf(ResourceGoneException.class);
		assertThat(g.getMessage()).isEqualTo("Gone\\u000a forged line");
		assertThat(((ResourceGoneException) g).getResourceId().getValue()).isEqualTo("Patient/1/_history/2");

		UnprocessableEntityException npe = new UnprocessableEntityException("java.lang.NullPointerException");
		assertThat(SafeErrorInterceptor.sanitize(npe).getMessage()).isEqualTo(ClientErrorText.GENERIC);
	}

	@Test
	void errorOutcomesLoseSoftwareCodesCodingsAndInternals() {
		OperationOutcome oo = new OperationOutcome();
		OperationOutcome.OperationOutcomeIssueComponent issue = oo.addIssue()
				.setSeverity(OperationOutcome.IssueSeverity.ERROR)
				.setCode(OperationOutcome.IssueType.PROCESSING)
				.setDiagnostics("HAPI-0450: Failed to parse request body as JSON resource. Error was: "
						+ "java.lang.IllegalStateException: x");
		issue.getDetails().addCoding().setSystem(StorageResponseCodeEnum.SYSTEM).setCode("FAILURE");
		new SafeErrorInterceptor().withoutSoftwareCodes(null, oo);
		assertThat(issue.getDiagnostics()).isEqualTo("Failed to parse request body as JSON resource. Error was");
		assertThat(issue.hasDetails()).isFalse();
		assertThat(issue.getCode()).isEqualTo(OperationOutcome.IssueType.PROCESSING);
	}
}
