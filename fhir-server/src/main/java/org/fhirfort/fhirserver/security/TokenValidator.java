package org.fhirfort.fhirserver.security;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validates SMART access tokens (JWS, signed by the authorization server) with Nimbus JOSE+JWT:
 * algorithm allow-list (asymmetric only), {@code typ} at+jwt/JWT, signature against the issuer's JWK set
 * (cached, refreshed on an unknown {@code kid}, rate-limited), {@code iss} exact, {@code aud} contains the FHIR
 * base URL, {@code exp}/{@code nbf}/{@code iat} with the configured skew, and a client id present.
 *
 * <p>A valid token is remembered by its SHA-256 until it expires (bounded map), so a repeated token costs
 * one hash instead of a signature verification.
 */
public final class TokenValidator {

	private static final Logger LOG = LoggerFactory.getLogger(TokenValidator.class);

	/** Longest token accepted before any parsing (Keycloak tokens are ~1-2 kB). */
	public static final int MAX_TOKEN_LENGTH = 16 * 1024;

	/** Families that may be configured; everything else (none, HS*, unknown names) is refused. */
	private static final Set<JWSAlgorithm> ASYMMETRIC = Set.of(
			JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
			JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
			JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512,
			JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519);

	/** The token was refused; {@link #getMessage()} is safe to send to the client (no internals). */
	public static final class InvalidTokenException extends Exception {
		private static final long serialVersionUID = 1L;

		public InvalidTokenException(String publicDescription) {
			super(publicDescription);
		}
	}

	private final DefaultJWTProcessor<SecurityContext> processor;
	private final String issuer;
	private final Duration skew;
	private final Set<String> backendClients;
	private final Clock clock;
	private final int cacheSize;
	private final Map<String, SmartPrincipal> cache = new ConcurrentHashMap<>();

	public TokenValidator(
			String issuer,
			String audience,
			List<String> allowedAlgorithms,
			List<String> acceptedTypes,
			Duration clockSkew,
			List<String> backendClientIds,
			int cacheSize,
			JWKSource<SecurityContext> jwkSource,
			Clock clock) {
		if (issuer == null || issuer.isBlank()) {
			throw new IllegalArgumentException("fhirfort.smart.issuer is not set");
		}
		if (audience == null || audience.isBlank()) {
			throw new IllegalArgumentException(
					"fhirfort.smart.audience is not set (and fhirfort.fhir.public-base-url is empty)");
		}
		this.issuer = issuer;
		this.skew = clockSkew == null ? Duration.ZERO : clockSkew;
		this.backendClients = Set.copyOf(backendClientIds == null ? List.of() : backendClientIds);
		this.clock = clock;
		this.cacheSize = Math.max(0, cacheSize);

		Set<JWSAlgorithm> algs = parseAlgorithms(allowedAlgorithms);
		Set<JOSEObjectType> types = new HashSet<>();
		for (String t : acceptedTypes == null ? List.<String>of() : acceptedTypes) {
			if (t != null && !t.isBlank()) {
				types.add(new JOSEObjectType(t.trim()));
			}
		}
		if (types.isEmpty()) {
			throw new IllegalArgumentException("fhirfort.smart.accepted-token-types is empty");
		}

		processor = new DefaultJWTProcessor<>();
		processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(types));
		processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algs, jwkSource));
		DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
				new HashSet<>(List.of(audience)),
				new JWTClaimsSet.Builder().issuer(issuer).build(),
				new HashSet<>(List.of("iss", "aud", "exp", "iat", "sub")),
				null) {
			@Override
			protected Date currentTime() {
				return Date.from(TokenValidator.this.clock.instant());
			}
		};
		claims.setMaxClockSkew((int) Math.min(Integer.MAX_VALUE, this.skew.toSeconds()));
		processor.setJWTClaimsSetVerifier(claims);
	}

	/** The allow-list as Nimbus algorithms; refuses none, HS* and anything not asymmetric. */
	public static Set<JWSAlgorithm> parseAlgorithms(List<String> names) {
		Set<JWSAlgorithm> out = new LinkedHashSet<>();
		for (String n : names == null ? List.<String>of() : names) {
			if (n == null || n.isBlank()) {
				continue;
			}
			JWSAlgorithm a = JWSAlgorithm.parse(n.trim());
			if (!ASYMMETRIC.contains(a)) {
				throw new IllegalArgumentException("fhirfort.smart.allowed-algorithms: '" + n
						+ "' is not allowed (asymmetric JWS algorithms only; never none or HS*)");
			}
			out.add(a);
		}
		if (out.isEmpty()) {
			throw new IllegalArgumentException("fhirfort.smart.allowed-algorithms is empty");
		}
		return out;
	}

	public String issuer() {
		return issuer;
	}

	/** Entries currently held by the validation cache. */
	public int cachedTokens() {
		return cache.size();
	}

	public SmartPrincipal validate(String token) throws InvalidTokenException {
		if (token == null || token.isBlank()) {
			throw new InvalidTokenException("missing access token");
		}
		if (token.length() > MAX_TOKEN_LENGTH) {
			throw new InvalidTokenException("access token too large");
		}
		String key = cacheSize > 0 ? hash(token) : null;
		Instant now = clock.instant();
		if (key != null) {
			SmartPrincipal hit = cache.get(key);
			if (hit != null) {
				if (hit.expiresAt().isAfter(now.minus(skew))) {
					return hit;
				}
				cache.remove(key);
			}
		}
		JWTClaimsSet claims;
		try {
			claims = processor.process(token, null);
		} catch (ParseException e) {
			throw new InvalidTokenException("access token is not a well-formed signed JWT");
		} catch (BadJWTException e) {
			throw new InvalidTokenException(describeClaimsFailure(e.getMessage()));
		} catch (BadJWSException e) {
			throw new InvalidTokenException("access token signature is invalid");
		} catch (BadJOSEException e) {
			// typ refused, algorithm not allowed, no matching key (unknown kid), unsigned/encrypted token
			throw new InvalidTokenException("access token not accepted (type, algorithm or signing key)");
		} catch (KeySourceException e) {
			LOG.warn("JWK set unavailable while validating a token: {}", e.getMessage());
			throw new InvalidTokenException("access token signing key could not be resolved");
		} catch (com.nimbusds.jose.JOSEException e) {
			throw new InvalidTokenException("access token could not be verified");
		} catch (RuntimeException e) {
			LOG.warn("Unexpected failure validating a token: {}", e.toString());
			throw new InvalidTokenException("access token could not be verified");
		}
		SmartPrincipal principal = toPrincipal(claims, now);
		if (key != null) {
			if (cache.size() >= cacheSize) {
				evict(now);
			}
			cache.put(key, principal);
		}
		return principal;
	}

	private SmartPrincipal toPrincipal(JWTClaimsSet c, Instant now) throws InvalidTokenException {
		Date iat = c.getIssueTime();
		if (iat == null || iat.toInstant().isAfter(now.plus(skew))) {
			throw new InvalidTokenException("access token issued in the future");
		}
		String clientId = string(c, "azp");
		if (clientId == null) {
			clientId = string(c, "client_id");
		}
		if (clientId == null) {
			throw new InvalidTokenException("access token has no client id (azp)");
		}
		String scope = string(c, "scope");
		if (scope == null) {
			Object scp = c.getClaim("scp");
			if (scp instanceof List<?> l) {
				List<String> parts = new ArrayList<>();
				for (Object o : l) {
					parts.add(String.valueOf(o));
				}
				scope = String.join(" ", parts);
			}
		}
		String fhirUser = string(c, "fhirUser");
		String patient = string(c, "patient");
		boolean backend = backendClients.contains(clientId) && fhirUser == null && patient == null;
		return new SmartPrincipal(
				c.getSubject(),
				clientId,
				fhirUser,
				patient,
				SmartScope.parseAll(scope),
				scope == null ? "" : scope,
				backend,
				c.getExpirationTime().toInstant(),
				c.getJWTID());
	}

	private static String string(JWTClaimsSet c, String name) throws InvalidTokenException {
		Object v = c.getClaim(name);
		if (v == null) {
			return null;
		}
		if (!(v instanceof String s)) {
			throw new InvalidTokenException("access token claim " + name + " is not a string");
		}
		return s.isBlank() ? null : s.trim();
	}

	private static String describeClaimsFailure(String message) {
		String m = message == null ? "" : message.toLowerCase(Locale.ROOT);
		if (m.contains("expired")) {
			return "access token expired";
		}
		if (m.contains("before use time") || m.contains("nbf")) {
			return "access token not yet valid";
		}
		if (m.contains("audience")) {
			return "access token not issued for this server (audience)";
		}
		if (m.contains("missing")) {
			return "access token lacks required claims";
		}
		if (m.contains("iss")) {
			return "access token issuer not accepted";
		}
		return "access token claims rejected";
	}

	private void evict(Instant now) {
		cache.values().removeIf(p -> !p.expiresAt().isAfter(now));
		if (cache.size() >= cacheSize) {
			// Still full of live tokens: start over rather than grow (a cache miss only costs a verification).
			cache.clear();
		}
	}

	static String hash(String token) {
		try {
			byte[] d = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
			return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}
}
