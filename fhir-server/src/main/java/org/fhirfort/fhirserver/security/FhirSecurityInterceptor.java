package org.fhirfort.fhirserver.security;

/**
 * Extension point for request security on the FHIR endpoint (SMART on FHIR arrives in a later issue).
 *
 * <p>Any Spring bean implementing this interface is registered on the RestfulServer <em>before</em> every
 * other interceptor, sorted by {@link #securityOrder()} (lowest first). The bean is a plain HAPI interceptor:
 * annotate the class with {@code @Interceptor} and its methods with {@code @Hook}, or return a separate
 * interceptor object from {@link #interceptor()} (e.g. a HAPI {@code AuthorizationInterceptor} subclass).
 * Use the constants in {@link SecurityOrder}.
 */
public interface FhirSecurityInterceptor {

	/** Position in the security chain, see {@link SecurityOrder}. */
	int securityOrder();

	/** The object handed to {@code RestfulServer.registerInterceptor}; this bean itself by default. */
	default Object interceptor() {
		return this;
	}
}
