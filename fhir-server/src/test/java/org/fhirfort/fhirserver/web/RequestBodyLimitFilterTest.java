package org.fhirfort.fhirserver.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.servlet.http.HttpServletRequest;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

class RequestBodyLimitFilterTest {

	private static MockHttpServletRequest post(byte[] body, boolean declareLength) {
		MockHttpServletRequest r = new MockHttpServletRequest("POST", "/fhir/Bundle");
		r.setContentType("application/fhir+json");
		r.setContent(body);
		if (!declareLength) {
			// MockHttpServletRequest derives Content-Length from the content; emulate chunked.
			r = new MockHttpServletRequest("POST", "/fhir/Bundle") {
				@Override
				public long getContentLengthLong() {
					return -1;
				}

				@Override
				public int getContentLength() {
					return -1;
				}
			};
			r.setContent(body);
		}
		return r;
	}

	@Test
	void declaredOversizeIsRefusedBeforeReading() throws Exception {
		MockHttpServletResponse response = new MockHttpServletResponse();
		AtomicBoolean called = new AtomicBoolean();
		new RequestBodyLimitFilter(1024).doFilter(post(new byte[2048], true), response, (q, s) -> called.set(true));
		assertThat(called).isFalse();
		assertThat(response.getStatus()).isEqualTo(413);
		assertThat(response.getContentAsString()).contains("OperationOutcome").contains("1024");
	}

	@Test
	void bodyWithinLimitPassesUntouched() throws Exception {
		MockHttpServletResponse response = new MockHttpServletResponse();
		byte[] body = "{\"resourceType\":\"Patient\"}".getBytes();
		byte[][] seen = new byte[1][];
		new RequestBodyLimitFilter(1024).doFilter(post(body, true), response,
				(q, s) -> seen[0] = ((HttpServletRequest) q).getInputStream().readAllBytes());
		assertThat(seen[0]).isEqualTo(body);
		assertThat(response.getStatus()).isEqualTo(200);
	}

	@Test
	void streamedOversizeFailsWhileReadingAndIsFlagged() throws Exception {
		MockHttpServletRequest request = post(new byte[4096], false);
		new RequestBodyLimitFilter(1024).doFilter(request, new MockHttpServletResponse(), (q, s) -> {
			InputStream in = ((HttpServletRequest) q).getInputStream();
			assertThatThrownBy(in::readAllBytes).isInstanceOf(RequestBodyLimitFilter.BodyTooLargeException.class);
		});
		assertThat(request.getAttribute(RequestBodyLimitFilter.EXCEEDED_ATTRIBUTE)).isEqualTo(Boolean.TRUE);
	}

	@Test
	void compressedBodiesAreRefused() throws Exception {
		MockHttpServletRequest request = post(new byte[10], true);
		request.addHeader("Content-Encoding", "gzip");
		MockHttpServletResponse response = new MockHttpServletResponse();
		new RequestBodyLimitFilter(1024).doFilter(request, response, (q, s) -> {});
		assertThat(response.getStatus()).isEqualTo(415);
	}
}
