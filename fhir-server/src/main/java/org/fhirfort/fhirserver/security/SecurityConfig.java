package org.fhirfort.fhirserver.security;

import ca.uhn.fhir.context.FhirContext;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSocketFactory;
import org.fhirfort.fhirserver.config.FhirServerConfig;
import org.fhirfort.fhirserver.config.FhirfortProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * The SMART resource server: bearer token validation (filter on the FHIR base path), then the chain members
 * authentication (100), authorization (200) and search narrowing (300). On unless
 * {@code fhirfort.smart.enabled=false}; a missing or unsafe setting stops the start with every problem listed.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(prefix = "fhirfort.smart", name = "enabled", havingValue = "true", matchIfMissing = true)
public class SecurityConfig {

	private static final Logger LOG = LoggerFactory.getLogger(SecurityConfig.class);

	/** "/fhir" from the servlet mapping "/fhir/*". */
	public static String fhirBasePath() {
		String p = FhirServerConfig.FHIR_PATH;
		return p.endsWith("/*") ? p.substring(0, p.length() - 2) : p;
	}

	public static String audience(SmartProperties smart, FhirfortProperties props) {
		return smart.getAudience().isBlank() ? props.getFhir().getPublicBaseUrl() : smart.getAudience();
	}

	/** Every problem with the settings (empty when usable). */
	public static List<String> validate(SmartProperties s, String audience) {
		List<String> errors = new ArrayList<>();
		if (!s.getIssuer().startsWith("https://")) {
			errors.add("fhirfort.smart.issuer must be the https:// issuer URL of the realm (exact iss of tokens)");
		}
		if (!s.getJwksUri().startsWith("https://")) {
			errors.add("fhirfort.smart.jwks-uri must be an https:// URL (the realm's certs endpoint)");
		}
		if (s.getJwksCaCert().isBlank() || !Files.isReadable(Path.of(s.getJwksCaCert()))) {
			errors.add("fhirfort.smart.jwks-ca-cert must name a readable PEM file with the CA of the JWKS endpoint"
					+ " (is '" + s.getJwksCaCert() + "')");
		}
		if (audience == null || !audience.startsWith("https://")) {
			errors.add("fhirfort.smart.audience (or fhirfort.fhir.public-base-url) must be the https:// FHIR base URL");
		}
		try {
			TokenValidator.parseAlgorithms(s.getAllowedAlgorithms());
		} catch (IllegalArgumentException e) {
			errors.add(e.getMessage());
		}
		if (s.getClockSkew() == null || s.getClockSkew().isNegative() || s.getClockSkew().toSeconds() > 300) {
			errors.add("fhirfort.smart.clock-skew must be between 0s and 300s");
		}
		if (s.getJwksRateLimit().compareTo(s.getJwksCacheTtl()) >= 0) {
			errors.add("fhirfort.smart.jwks-rate-limit must be shorter than fhirfort.smart.jwks-cache-ttl");
		}
		return errors;
	}

	@Bean
	public JWKSource<SecurityContext> smartJwkSource(SmartProperties smart, FhirfortProperties props) throws Exception {
		List<String> errors = validate(smart, audience(smart, props));
		if (!errors.isEmpty()) {
			throw new IllegalStateException("SMART resource server configuration is not usable:\n  - "
					+ String.join("\n  - ", errors));
		}
		SSLSocketFactory tls = PemTrust.socketFactory(Path.of(smart.getJwksCaCert()));
		DefaultResourceRetriever retriever = new DefaultResourceRetriever(
				(int) smart.getJwksConnectTimeout().toMillis(),
				(int) smart.getJwksReadTimeout().toMillis(),
				256 * 1024,
				true,
				tls);
		URL url = URI.create(smart.getJwksUri()).toURL();
		JWKSource<SecurityContext> source = JWKSourceBuilder.<SecurityContext>create(url, retriever)
				.cache(smart.getJwksCacheTtl().toMillis(), smart.getJwksRefreshTimeout().toMillis())
				.rateLimited(smart.getJwksRateLimit().toMillis())
				.retrying(true)
				.build();
		try {
			int n = source.get(new JWKSelector(new JWKMatcher.Builder().build()), null).size();
			LOG.info("SMART: {} signing key(s) loaded from {}", n, smart.getJwksUri());
		} catch (Exception e) {
			LOG.warn("SMART: JWK set not reachable yet at {} ({}); tokens are refused until it is",
					smart.getJwksUri(), e.getMessage());
		}
		return source;
	}

	@Bean
	public TokenValidator smartTokenValidator(
			SmartProperties smart, FhirfortProperties props, JWKSource<SecurityContext> smartJwkSource) {
		return new TokenValidator(
				smart.getIssuer(),
				audience(smart, props),
				smart.getAllowedAlgorithms(),
				smart.getAcceptedTokenTypes(),
				smart.getClockSkew(),
				smart.getBackendClientIds(),
				smart.getTokenCacheSize(),
				smartJwkSource,
				Clock.systemUTC());
	}

	@Bean
	public FilterRegistrationBean<BearerAuthenticationFilter> bearerAuthenticationFilter(
			TokenValidator smartTokenValidator,
			FhirContext fhirContext,
			ObjectProvider<AuthenticationFailureListener> listeners) {
		BearerAuthenticationFilter filter = new BearerAuthenticationFilter(
				fhirBasePath(), smartTokenValidator, fhirContext, listeners.orderedStream().toList());
		FilterRegistrationBean<BearerAuthenticationFilter> reg = new FilterRegistrationBean<>(filter);
		// After trusted-proxy resolution, header hardening, body limit and format checks.
		reg.setOrder(Ordered.HIGHEST_PRECEDENCE + 4);
		reg.addUrlPatterns(FhirServerConfig.FHIR_PATH);
		return reg;
	}

	@Bean
	public SmartAuthenticationInterceptor smartAuthenticationInterceptor() {
		return new SmartAuthenticationInterceptor();
	}

	@Bean
	public SmartAuthorizationInterceptor smartAuthorizationInterceptor() {
		return new SmartAuthorizationInterceptor();
	}

	@Bean
	public SmartSearchNarrowingInterceptor smartSearchNarrowingInterceptor() {
		return new SmartSearchNarrowingInterceptor();
	}
}
