package org.fhirfort.fhirserver.security;

import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Instant;
import java.util.List;

/**
 * The caller as established from a validated access token.
 *
 * @param subject  {@code sub}
 * @param clientId {@code azp} (or {@code client_id})
 * @param fhirUser {@code fhirUser} claim (e.g. {@code Practitioner/123}), or null
 * @param patient  {@code patient} claim (launch context), or null
 * @param scopes   the clinical scopes from {@code scope} (non-clinical ones dropped)
 * @param scopeClaim the raw {@code scope} claim
 * @param backendClient true when the client is one of {@code fhirfort.smart.backend-client-ids} and the
 *                 token carries no user context (may use system/ scopes)
 */
public record SmartPrincipal(
		String subject,
		String clientId,
		String fhirUser,
		String patient,
		List<SmartScope> scopes,
		String scopeClaim,
		boolean backendClient,
		Instant expiresAt,
		String tokenId) {

	/** Servlet request attribute (and RequestDetails user data key) that carries the principal. */
	public static final String ATTRIBUTE = SmartPrincipal.class.getName();

	public SmartPrincipal {
		scopes = List.copyOf(scopes);
	}

	public boolean hasUser() {
		return fhirUser != null && !fhirUser.isBlank();
	}

	public boolean hasPatient() {
		return patient != null && !patient.isBlank();
	}

	/** The principal of a FHIR request: RequestDetails user data first, then the servlet request attribute. */
	public static SmartPrincipal of(RequestDetails rd) {
		if (rd == null) {
			return null;
		}
		Object v = rd.getUserData().get(ATTRIBUTE);
		if (v instanceof SmartPrincipal p) {
			return p;
		}
		if (rd instanceof ServletRequestDetails srd && srd.getServletRequest() != null) {
			return of(srd.getServletRequest());
		}
		return null;
	}

	public static SmartPrincipal of(HttpServletRequest request) {
		Object v = request == null ? null : request.getAttribute(ATTRIBUTE);
		return v instanceof SmartPrincipal p ? p : null;
	}
}
