package org.fhirfort.fhirserver.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import org.fhirfort.fhirserver.web.RequestBodyLimitFilter;
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
}
