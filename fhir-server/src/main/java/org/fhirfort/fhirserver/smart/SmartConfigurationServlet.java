package org.fhirfort.fhirserver.smart;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fhirfort.fhirserver.security.SmartProperties;
import org.fhirfort.fhirserver.security.TokenValidator;

/**
 * {@code GET [base]/.well-known/smart-configuration} (SMART App Launch 2.x discovery), built once from
 * {@code fhirfort.smart.*}: endpoints of the public issuer, what the kit's authorization server and this resource
 * server really support. Revocation, introspection and management endpoints appear only when configured.
 */
public class SmartConfigurationServlet extends HttpServlet {

	private static final long serialVersionUID = 1L;

	private final byte[] body;

	public SmartConfigurationServlet(SmartProperties props) throws IOException {
		this.body = new ObjectMapper().writeValueAsString(document(props)).getBytes(StandardCharsets.UTF_8);
	}

	public static Map<String, Object> document(SmartProperties p) {
		Map<String, Object> d = new LinkedHashMap<>();
		d.put("issuer", p.getIssuer());
		d.put("jwks_uri", p.effectivePublicJwksUri());
		d.put("authorization_endpoint", p.effectiveAuthorizationEndpoint());
		d.put("token_endpoint", p.effectiveTokenEndpoint());
		d.put("grant_types_supported", List.copyOf(p.getGrantTypes()));
		d.put("token_endpoint_auth_methods_supported", List.copyOf(p.getTokenEndpointAuthMethods()));
		if (p.getTokenEndpointAuthMethods().contains("private_key_jwt")) {
			d.put("token_endpoint_auth_signing_alg_values_supported",
					TokenValidator.parseAlgorithms(p.getAllowedAlgorithms()).stream().map(Object::toString).toList());
		}
		d.put("scopes_supported", List.copyOf(p.getScopesSupported()));
		d.put("response_types_supported", List.of("code"));
		d.put("code_challenge_methods_supported", List.of("S256"));
		d.put("capabilities", List.copyOf(p.getCapabilities()));
		if (!p.getRevocationEndpoint().isBlank()) {
			d.put("revocation_endpoint", p.getRevocationEndpoint());
		}
		if (!p.getIntrospectionEndpoint().isBlank()) {
			d.put("introspection_endpoint", p.getIntrospectionEndpoint());
		}
		if (!p.getManagementEndpoint().isBlank()) {
			d.put("management_endpoint", p.getManagementEndpoint());
		}
		return d;
	}

	@Override
	protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
		resp.setStatus(HttpServletResponse.SC_OK);
		resp.setContentType("application/json;charset=UTF-8");
		resp.setContentLength(body.length);
		resp.getOutputStream().write(body);
	}

	@Override
	protected void doHead(HttpServletRequest req, HttpServletResponse resp) {
		resp.setStatus(HttpServletResponse.SC_OK);
		resp.setContentType("application/json;charset=UTF-8");
		resp.setContentLength(body.length);
	}

	@Override
	protected void service(HttpServletRequest req, HttpServletResponse resp) throws java.io.IOException,
			jakarta.servlet.ServletException {
		String m = req.getMethod();
		if ("GET".equals(m) || "HEAD".equals(m)) {
			super.service(req, resp);
			return;
		}
		resp.setHeader("Allow", "GET, HEAD");
		resp.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
	}
}
