package org.fhirfort.fhirserver.security;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

class BearerAuthenticationFilterTest {

	private final List<String> refused = new ArrayList<>();
	private final BearerAuthenticationFilter filter = new BearerAuthenticationFilter(
			"/fhir", TestTokens.validator(), FhirContext.forR4Cached(),
			List.of((HttpServletRequest r, String reason) -> refused.add(reason)));

	private static MockHttpServletRequest req(String method, String pathInfo) {
		MockHttpServletRequest r = new MockHttpServletRequest(method, "/fhir" + pathInfo);
		r.setServletPath("/fhir");
		r.setPathInfo(pathInfo);
		return r;
	}

	private MockHttpServletResponse run(MockHttpServletRequest r, MockFilterChain chain) throws Exception {
		MockHttpServletResponse resp = new MockHttpServletResponse();
		filter.doFilter(r, resp, chain);
		return resp;
	}

	@Test
	void missingTokenIs401WithChallengeAndOperationOutcome() throws Exception {
		MockFilterChain chain = new MockFilterChain();
		MockHttpServletResponse resp = run(req("GET", "/Patient/a"), chain);
		assertThat(resp.getStatus()).isEqualTo(401);
		assertThat(resp.getHeader("WWW-Authenticate")).isEqualTo("Bearer realm=\"fhir\"");
		assertThat(resp.getContentType()).startsWith("application/fhir+json");
		assertThat(resp.getContentAsString()).contains("\"resourceType\":\"OperationOutcome\"").doesNotContain("Exception");
		assertThat(chain.getRequest()).isNull();
		assertThat(refused).containsExactly("missing access token");
	}

	@Test
	void forgedTokenIs401InvalidToken() throws Exception {
		MockHttpServletRequest r = req("GET", "/Patient/a");
		String t = TestTokens.sign(TestTokens.OTHER_RSA, com.nimbusds.jose.JWSAlgorithm.RS256, "JWT",
				TestTokens.claims().build());
		r.addHeader("Authorization", "Bearer " + t);
		MockHttpServletResponse resp = run(r, new MockFilterChain());
		assertThat(resp.getStatus()).isEqualTo(401);
		assertThat(resp.getHeader("WWW-Authenticate"))
				.startsWith("Bearer realm=\"fhir\", error=\"invalid_token\", error_description=\"");
		assertThat(resp.getContentAsString()).doesNotContain("nimbus").doesNotContain("at org.");
	}

	@Test
	void wrongSchemeOrGarbageIs401() throws Exception {
		MockHttpServletRequest r = req("GET", "/Patient");
		r.addHeader("Authorization", "Basic dXNlcjpwYXNz");
		assertThat(run(r, new MockFilterChain()).getStatus()).isEqualTo(401);
		MockHttpServletRequest g = req("GET", "/Patient");
		g.addHeader("Authorization", "Bearer a b\"c");
		assertThat(run(g, new MockFilterChain()).getHeader("WWW-Authenticate")).contains("invalid_token");
	}

	@Test
	void validTokenPassesWithPrincipal() throws Exception {
		MockHttpServletRequest r = req("GET", "/Patient/a");
		r.addHeader("Authorization", "Bearer " + TestTokens.rs256(TestTokens.claims().build()));
		MockFilterChain chain = new MockFilterChain();
		MockHttpServletResponse resp = run(r, chain);
		assertThat(resp.getStatus()).isEqualTo(200);
		assertThat(SmartPrincipal.of((HttpServletRequest) chain.getRequest())).isNotNull();
	}

	@Test
	void metadataAndSmartConfigurationOpen() throws Exception {
		for (String p : new String[] {"/metadata", "/.well-known/smart-configuration"}) {
			MockFilterChain chain = new MockFilterChain();
			assertThat(run(req("GET", p), chain).getStatus()).isEqualTo(200);
			assertThat(chain.getRequest()).isNotNull();
		}
		// Not open: other methods and look-alike paths.
		assertThat(run(req("POST", "/metadata"), new MockFilterChain()).getStatus()).isEqualTo(401);
		assertThat(run(req("GET", "/metadata/x"), new MockFilterChain()).getStatus()).isEqualTo(401);
		assertThat(run(req("GET", ""), new MockFilterChain()).getStatus()).isEqualTo(401);
		// the raw URI decides (HAPI reads it): path parameters or encodings that the container strips are not open
		for (String raw : new String[] {"/fhir/metadata;x=1", "/fhir/%6Detadata", "/fhir//metadata"}) {
			MockHttpServletRequest r = req("GET", "/metadata");
			r.setRequestURI(raw);
			assertThat(run(r, new MockFilterChain()).getStatus()).as(raw).isEqualTo(401);
		}
	}

	@Test
	void onlyCompactJwsIsATokenShape() throws Exception {
		String good = TestTokens.rs256(TestTokens.claims().build());
		for (String bad : new String[] {good + "==", good.substring(0, 10) + "+" + good.substring(11), good + ".x", "a.b"}) {
			MockHttpServletRequest r = req("GET", "/Patient/a");
			r.addHeader("Authorization", "Bearer " + bad);
			assertThat(run(r, new MockFilterChain()).getHeader("WWW-Authenticate")).as(bad).contains("invalid_token");
		}
	}
}
