package org.fhirfort.fhirserver.web;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

class HeaderHardeningFilterTest {

	@Test
	void stripsDisclosingHeadersAndAddsSecurityHeaders() throws Exception {
		MockHttpServletResponse response = new MockHttpServletResponse();
		new HeaderHardeningFilter().doFilter(new MockHttpServletRequest("GET", "/fhir/metadata"), response,
				(req, res) -> {
					HttpServletResponse r = (HttpServletResponse) res;
					r.addHeader("X-Powered-By", "HAPI FHIR 8.8.0 REST Server");
					r.setHeader("x-powered-by", "again");
					r.setHeader("Server", "Apache-Coyote/1.1");
					r.addIntHeader("Server", 1);
					r.addHeader("ETag", "W/\"1\"");
				});
		assertThat(response.getHeader("X-Powered-By")).isNull();
		assertThat(response.getHeader("Server")).isNull();
		assertThat(response.getHeader("ETag")).isEqualTo("W/\"1\"");
		assertThat(response.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
		assertThat(response.getHeader("Cache-Control")).isEqualTo("no-store");
		assertThat(response.getHeader("Strict-Transport-Security")).startsWith("max-age=");
	}
}
