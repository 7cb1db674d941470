package org.fhirfort.fhirserver.smart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.fhirfort.fhirserver.security.SmartProperties;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.Extension;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

class SmartDiscoveryTest {

	private static SmartProperties props() {
		SmartProperties p = new SmartProperties();
		p.setIssuer("https://fhir.fhirfort.test/realms/fhirfort");
		p.setAllowedAlgorithms(List.of("RS256", "ES384"));
		return p;
	}

	@Test
	void wellKnownDocumentHasSmartAppLaunch2Fields() throws Exception {
		SmartConfigurationServlet servlet = new SmartConfigurationServlet(props());
		MockHttpServletResponse resp = new MockHttpServletResponse();
		servlet.service(new MockHttpServletRequest("GET", "/fhir/.well-known/smart-configuration"), resp);
		assertThat(resp.getStatus()).isEqualTo(200);
		assertThat(resp.getContentType()).startsWith("application/json");
		JsonNode d = new ObjectMapper().readTree(resp.getContentAsString());
		assertThat(d.get("issuer").asText()).isEqualTo("https://fhir.fhirfort.test/realms/fhirfort");
		assertThat(d.get("jwks_uri").asText()).endsWith("/realms/fhirfort/protocol/openid-connect/certs");
		assertThat(d.get("authorization_endpoint").asText()).endsWith("/protocol/openid-connect/auth");
		assertThat(d.get("token_endpoint").asText()).endsWith("/protocol/openid-connect/token");
		assertThat(d.get("code_challenge_methods_supported").toString()).isEqualTo("[\"S256\"]");
		assertThat(d.get("token_endpoint_auth_methods_supported").toString()).contains("private_key_jwt");
		assertThat(d.get("capabilities").toString()).contains("permission-v2", "client-confidential-asymmetric",
				"context-standalone-patient")
				.doesNotContain("authorize-post");
		assertThat(d.has("revocation_endpoint")).isFalse();
		assertThat(d.has("introspection_endpoint")).isFalse();

		MockHttpServletResponse post = new MockHttpServletResponse();
		servlet.service(new MockHttpServletRequest("POST", "/fhir/.well-known/smart-configuration"), post);
		assertThat(post.getStatus()).isEqualTo(405);
	}

	@Test
	void optionalEndpointsOnlyWhenConfigured() {
		SmartProperties p = props();
		p.setRevocationEndpoint("https://fhir.fhirfort.test/realms/fhirfort/protocol/openid-connect/revoke");
		assertThat(SmartConfigurationServlet.document(p)).containsKey("revocation_endpoint")
				.doesNotContainKey("introspection_endpoint");
	}

	@Test
	void capabilityStatementCarriesOauthUris() {
		CapabilityStatement cs = new CapabilityStatement();
		cs.addRest();
		new SmartCapabilityInterceptor(props()).addSecurity(cs);
		CapabilityStatement.CapabilityStatementRestSecurityComponent sec = cs.getRestFirstRep().getSecurity();
		assertThat(sec.getServiceFirstRep().getCodingFirstRep().getCode()).isEqualTo("SMART-on-FHIR");
		Extension uris = sec.getExtensionByUrl(SmartCapabilityInterceptor.OAUTH_URIS);
		assertThat(uris.getExtensionByUrl("token").getValue().primitiveValue()).endsWith("/token");
		assertThat(uris.getExtensionByUrl("authorize").getValue().primitiveValue()).endsWith("/auth");
	}
}
