package org.fhirfort.fhirserver.security;

import jakarta.servlet.http.HttpServletRequest;

/** Told about every request refused with 401 before it reached HAPI (the audit trail implements it). */
public interface AuthenticationFailureListener {

	/**
	 * @param request the refused request (client address already resolved by the trusted-proxy filter)
	 * @param reason  the public error description sent to the client
	 */
	void onAuthenticationFailure(HttpServletRequest request, String reason);
}
