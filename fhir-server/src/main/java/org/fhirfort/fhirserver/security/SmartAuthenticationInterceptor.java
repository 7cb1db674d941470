package org.fhirfort.fhirserver.security;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.AuthenticationException;

/**
 * First member of the security chain: puts the principal validated by {@link BearerAuthenticationFilter} onto
 * the RequestDetails, and (defence in depth, should the filter ever not cover a path) refuses any operation
 * other than {@code metadata} that arrives without one.
 */
@Interceptor
public class SmartAuthenticationInterceptor implements FhirSecurityInterceptor {

	@Override
	public int securityOrder() {
		return SecurityOrder.AUTHENTICATION;
	}

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
	public void authenticate(RequestDetails theRequestDetails) {
		SmartPrincipal p = SmartPrincipal.of(theRequestDetails);
		if (p != null) {
			theRequestDetails.getUserData().put(SmartPrincipal.ATTRIBUTE, p);
			return;
		}
		if (theRequestDetails.getRestOperationType() != RestOperationTypeEnum.METADATA) {
			AuthenticationException e = new AuthenticationException("Authentication required");
			e.addResponseHeader("WWW-Authenticate", BearerErrors.challenge(null, null, null));
			throw e;
		}
	}
}
