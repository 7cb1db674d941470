package org.fhirfort.fhirserver.web;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

class TrustedProxyFilterTest {

	private static MockHttpServletRequest request(String peer) {
		MockHttpServletRequest r = new MockHttpServletRequest("GET", "/fhir/Patient");
		r.setRemoteAddr(peer);
		r.setScheme("https");
		r.setServerName("10.1.2.3");
		r.setServerPort(8443);
		r.setSecure(true);
		r.addHeader("X-Forwarded-For", "6.6.6.6, 203.0.113.7");
		r.addHeader("X-Forwarded-Proto", "https");
		r.addHeader("X-Forwarded-Host", "fhir.example.org");
		r.addHeader("Forwarded", "for=6.6.6.6");
		return r;
	}

	private static HttpServletRequest seen(TrustedProxies trusted, MockHttpServletRequest in) throws Exception {
		MockFilterChain chain = new MockFilterChain();
		new TrustedProxyFilter(trusted).doFilter(in, new MockHttpServletResponse(), chain);
		return (HttpServletRequest) chain.getRequest();
	}

	@Test
	void directClientCannotSpoofAddressOrHost() throws Exception {
		HttpServletRequest r = seen(TrustedProxies.none(), request("203.0.113.50"));
		assertThat(r.getRemoteAddr()).isEqualTo("203.0.113.50");
		assertThat(r.getServerName()).isEqualTo("10.1.2.3");
		assertThat(r.getHeader("X-Forwarded-For")).isNull();
		assertThat(r.getHeader("forwarded")).isNull();
		assertThat(r.getHeaders("X-Forwarded-Host").hasMoreElements()).isFalse();
		assertThat(Collections.list(r.getHeaderNames())).noneMatch(n -> n.toLowerCase().startsWith("x-forwarded"));
	}

	@Test
	void untrustedPeerIsStrippedEvenWhenProxiesAreConfigured() throws Exception {
		HttpServletRequest r = seen(TrustedProxies.parse(List.of("198.18.0.5")), request("198.18.0.6"));
		assertThat(r.getRemoteAddr()).isEqualTo("198.18.0.6");
		assertThat(r.getHeader("X-Forwarded-For")).isNull();
	}

	@Test
	void trustedEdgeForwardsClientSchemeAndHost() throws Exception {
		HttpServletRequest r = seen(TrustedProxies.parse(List.of("198.18.0.0/24")), request("198.18.0.5"));
		// right-most untrusted entry wins: 6.6.6.6 was supplied by the client itself
		assertThat(r.getRemoteAddr()).isEqualTo("203.0.113.7");
		assertThat(r.getScheme()).isEqualTo("https");
		assertThat(r.isSecure()).isTrue();
		assertThat(r.getServerName()).isEqualTo("fhir.example.org");
		assertThat(r.getServerPort()).isEqualTo(443);
		assertThat(r.getRequestURL().toString()).isEqualTo("https://fhir.example.org/fhir/Patient");
	}

	@Test
	void chainOfTrustedProxiesIsSkipped() {
		TrustedProxies t = TrustedProxies.parse(List.of("198.18.0.0/24"));
		assertThat(TrustedProxyFilter.resolveClient("198.18.0.5", List.of("203.0.113.7", "198.18.0.9"), t))
				.isEqualTo("203.0.113.7");
		assertThat(TrustedProxyFilter.resolveClient("198.18.0.5", List.of("garbage", "203.0.113.7"), t))
				.isEqualTo("203.0.113.7");
		assertThat(TrustedProxyFilter.resolveClient("198.18.0.5", List.of("203.0.113.7", "not-an-ip"), t))
				.isEqualTo("198.18.0.5");
		assertThat(TrustedProxyFilter.resolveClient("198.18.0.5", List.of(), t)).isEqualTo("198.18.0.5");
	}

	@Test
	void invalidForwardedValuesAreIgnored() throws Exception {
		MockHttpServletRequest in = request("198.18.0.5");
		in.removeHeader("X-Forwarded-Proto");
		in.removeHeader("X-Forwarded-Host");
		in.addHeader("X-Forwarded-Proto", "javascript");
		in.addHeader("X-Forwarded-Host", "evil.example/path?x=1");
		HttpServletRequest r = seen(TrustedProxies.parse(List.of("198.18.0.5")), in);
		assertThat(r.getScheme()).isEqualTo("https");
		assertThat(r.getServerName()).isEqualTo("10.1.2.3");
	}

	@Test
	void forwardedHostWithPort() throws Exception {
		MockHttpServletRequest in = request("198.18.0.5");
		in.removeHeader("X-Forwarded-Host");
		in.addHeader("X-Forwarded-Host", "fhir.example.org:9443");
		HttpServletRequest r = seen(TrustedProxies.parse(List.of("198.18.0.5")), in);
		assertThat(r.getServerName()).isEqualTo("fhir.example.org");
		assertThat(r.getServerPort()).isEqualTo(9443);
		assertThat(r.getRequestURL().toString()).isEqualTo("https://fhir.example.org:9443/fhir/Patient");
	}
}
