package org.fhirfort.fhirserver.security;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.UUID;

/** Locally generated keys and tokens shaped like Keycloak's (RS256, typ JWT, azp, scope, aud). */
final class TestTokens {

	static final String ISSUER = "https://fhir.fhirfort.test/realms/fhirfort";
	static final String AUDIENCE = "https://fhir.fhirfort.test/fhir";
	static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
	static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

	static final RSAKey RSA;
	static final RSAKey OTHER_RSA;
	static final ECKey EC;

	static {
		try {
			RSA = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
			OTHER_RSA = new RSAKeyGenerator(2048).keyID("rsa-unknown").generate();
			EC = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
		} catch (Exception e) {
			throw new ExceptionInInitializerError(e);
		}
	}

	private TestTokens() {}

	static JWKSource<SecurityContext> jwks() {
		return new ImmutableJWKSet<>(new JWKSet(List.<JWK>of(RSA.toPublicJWK(), EC.toPublicJWK())));
	}

	static TokenValidator validator(JWKSource<SecurityContext> src, int cacheSize, List<String> algs) {
		return new TokenValidator(
				ISSUER, AUDIENCE, algs, List.of("at+jwt", "JWT"), Duration.ofSeconds(30),
				List.of("fhirfort-backend"), cacheSize, src, CLOCK);
	}

	static TokenValidator validator() {
		return validator(jwks(), 100, List.of("RS256", "ES256"));
	}

	static JWTClaimsSet.Builder claims() {
		return new JWTClaimsSet.Builder()
				.issuer(ISSUER)
				.audience(List.of(AUDIENCE, "account"))
				.subject("user-1")
				.issueTime(Date.from(NOW.minusSeconds(10)))
				.expirationTime(Date.from(NOW.plusSeconds(290)))
				.jwtID(UUID.randomUUID().toString())
				.claim("azp", "fhirfort-public-app")
				.claim("scope", "openid patient/*.rs");
	}

	static String rs256(JWTClaimsSet c) {
		return sign(RSA, JWSAlgorithm.RS256, "JWT", c);
	}

	static String sign(JWK key, JWSAlgorithm alg, String typ, JWTClaimsSet c) {
		try {
			JWSHeader.Builder h = new JWSHeader.Builder(alg).keyID(key.getKeyID());
			if (typ != null) {
				h.type(new JOSEObjectType(typ));
			}
			SignedJWT jwt = new SignedJWT(h.build(), c);
			if (key instanceof RSAKey r) {
				jwt.sign(new RSASSASigner(r));
			} else {
				jwt.sign(new ECDSASigner((ECKey) key));
			}
			return jwt.serialize();
		} catch (Exception e) {
			throw new IllegalStateException(e);
		}
	}

	static SmartPrincipal principal(String clientId, String fhirUser, String patient, boolean backend, String scope) {
		return new SmartPrincipal("sub-1", clientId, fhirUser, patient, SmartScope.parseAll(scope), scope, backend,
				NOW.plusSeconds(300), "jti-1");
	}

	static SmartPrincipal patientApp(String patient, String scope) {
		return principal("fhirfort-public-app", "Patient/" + patient, patient, false, scope);
	}

	static SmartPrincipal backend(String scope) {
		return principal("fhirfort-backend", null, null, true, scope);
	}
}
