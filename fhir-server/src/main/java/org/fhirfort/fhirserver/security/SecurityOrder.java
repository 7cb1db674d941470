package org.fhirfort.fhirserver.security;

/**
 * The fixed order of the security chain on /fhir. Authentication establishes the principal (JWT validation),
 * authorization decides (AuthorizationInterceptor from SMART scopes), narrowing rewrites searches to the
 * patient compartment, consent filters results, audit records the outcome (BALP) after authorization.
 */
public final class SecurityOrder {
	public static final int AUTHENTICATION = 100;
	public static final int AUTHORIZATION = 200;
	public static final int SEARCH_NARROWING = 300;
	public static final int CONSENT = 400;
	public static final int AUDIT = 500;

	private SecurityOrder() {}
}
