package org.fhirfort.fhirserver.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

class FhirFormatFilterTest {

	private static int status(MockHttpServletRequest request) throws Exception {
		MockHttpServletResponse response = new MockHttpServletResponse();
		new FhirFormatFilter().doFilter(request, response, (q, s) -> {});
		return response.getStatus();
	}

	@Test
	void jsonAndXmlPass() throws Exception {
		MockHttpServletRequest r = new MockHttpServletRequest("GET", "/fhir/Patient");
		r.addParameter("_format", "json");
		r.addHeader("Accept", "application/fhir+xml");
		assertThat(status(r)).isEqualTo(200);
	}

	@Test
	void rdfIsRefused() throws Exception {
		MockHttpServletRequest r = new MockHttpServletRequest("GET", "/fhir/Patient");
		r.addParameter("_format", "ttl");
		assertThat(status(r)).isEqualTo(406);

		MockHttpServletRequest a = new MockHttpServletRequest("GET", "/fhir/Patient");
		a.addHeader("Accept", "text/turtle");
		assertThat(status(a)).isEqualTo(406);

		MockHttpServletRequest b = new MockHttpServletRequest("POST", "/fhir/Patient");
		b.setContentType("text/turtle");
		assertThat(status(b)).isEqualTo(415);
	}

	@Test
	void browserAcceptHeaderStillGetsJsonOrXml() throws Exception {
		MockHttpServletRequest r = new MockHttpServletRequest("GET", "/fhir/Patient");
		r.addHeader("Accept", "text/turtle;q=0.1, */*;q=0.8");
		assertThat(status(r)).isEqualTo(200);
	}
}
