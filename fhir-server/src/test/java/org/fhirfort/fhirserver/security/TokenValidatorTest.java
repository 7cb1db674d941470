package org.fhirfort.fhirserver.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.fhirfort.fhirserver.security.TestTokens.NOW;
import static org.fhirfort.fhirserver.security.TestTokens.claims;
import static org.fhirfort.fhirserver.security.TestTokens.rs256;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSetSource;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class TokenValidatorTest {

	private final TokenValidator validator = TestTokens.validator();

	private void refused(String token, String fragment) {
		assertThatThrownBy(() -> validator.validate(token))
				.isInstanceOf(TokenValidator.InvalidTokenException.class)
				.hasMessageContaining(fragment);
	}

	@Test
	void validKeycloakShapedTokenGivesPrincipal() throws Exception {
		String token = rs256(claims().claim("fhirUser", "Patient/p1").claim("patient", "p1").build());
		SmartPrincipal p = validator.validate(token);
		assertThat(p.clientId()).isEqualTo("fhirfort-public-app");
		assertThat(p.patient()).isEqualTo("p1");
		assertThat(p.fhirUser()).isEqualTo("Patient/p1");
		assertThat(p.scopes()).extracting(SmartScope::raw).containsExactly("patient/*.rs");
		assertThat(p.backendClient()).isFalse();
	}

	@Test
	void es256AndAtJwtTypeAccepted() throws Exception {
		String token = TestTokens.sign(TestTokens.EC, JWSAlgorithm.ES256, "at+jwt", claims().build());
		assertThat(validator.validate(token).subject()).isEqualTo("user-1");
	}

	@Test
	void backendClientRecognisedOnlyWithoutUser() throws Exception {
		SmartPrincipal p = validator.validate(rs256(claims().claim("azp", "fhirfort-backend").build()));
		assertThat(p.backendClient()).isTrue();
		SmartPrincipal q = validator.validate(
				rs256(claims().claim("azp", "fhirfort-backend").claim("fhirUser", "Practitioner/x").build()));
		assertThat(q.backendClient()).isFalse();
	}

	@Test
	void expiredRefused() {
		refused(rs256(claims().expirationTime(Date.from(NOW.minusSeconds(31))).build()), "expired");
	}

	@Test
	void expiryWithinSkewAccepted() throws Exception {
		assertThat(validator.validate(rs256(claims().expirationTime(Date.from(NOW.minusSeconds(20))).build())))
				.isNotNull();
	}

	@Test
	void notBeforeInFutureRefused() {
		refused(rs256(claims().notBeforeTime(Date.from(NOW.plusSeconds(120))).build()), "not yet valid");
	}

	@Test
	void issuedInFutureRefused() {
		refused(rs256(claims().issueTime(Date.from(NOW.plusSeconds(120))).build()), "future");
	}

	@Test
	void algNoneRefused() {
		String plain = new PlainJWT(claims().build()).serialize();
		refused(plain, "not accepted");
		// A JWS-looking header that claims alg none, with an empty signature.
		String header = Base64URL.encode("{\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\"rsa-1\"}").toString();
		String body = Base64URL.encode(claims().build().toString()).toString();
		refused(header + "." + body + ".", "not");
	}

	@Test
	void hs256SignedWithThePublicKeyRefused() throws Exception {
		byte[] secret = TestTokens.RSA.toPublicJWK().toRSAPublicKey().getEncoded();
		SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa-1").build(), claims().build());
		jwt.sign(new MACSigner(secret));
		refused(jwt.serialize(), "not accepted");
		// And HS256 with the JWK JSON as secret.
		SignedJWT jwt2 = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa-1").build(), claims().build());
		jwt2.sign(new MACSigner(TestTokens.RSA.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8)));
		refused(jwt2.serialize(), "not accepted");
	}

	@Test
	void wrongIssuerRefused() {
		refused(rs256(claims().issuer("https://evil.example/realms/fhirfort").build()), "issuer");
		refused(rs256(claims().issuer(TestTokens.ISSUER + "/").build()), "issuer");
	}

	@Test
	void wrongAudienceRefused() {
		refused(rs256(claims().audience("https://other.example/fhir").build()), "audience");
		refused(rs256(claims().audience(List.of()).build()), "");
	}

	@Test
	void tamperedSignatureRefused() {
		String token = rs256(claims().build());
		String[] parts = token.split("\\.");
		String forgedBody = Base64URL.encode(claims().claim("scope", "system/*.cruds").build().toString()).toString();
		refused(parts[0] + "." + forgedBody + "." + parts[2], "signature");
		char c = parts[2].charAt(5);
		String flipped = parts[2].substring(0, 5) + (c == 'A' ? 'B' : 'A') + parts[2].substring(6);
		refused(parts[0] + "." + parts[1] + "." + flipped, "signature");
	}

	@Test
	void unknownKidRefused() {
		refused(TestTokens.sign(TestTokens.OTHER_RSA, JWSAlgorithm.RS256, "JWT", claims().build()), "not accepted");
	}

	@Test
	void algorithmOutsideAllowListRefused() {
		TokenValidator rsOnly = TestTokens.validator(TestTokens.jwks(), 10, List.of("RS256"));
		String es = TestTokens.sign(TestTokens.EC, JWSAlgorithm.ES256, "JWT", claims().build());
		assertThatThrownBy(() -> rsOnly.validate(es)).isInstanceOf(TokenValidator.InvalidTokenException.class);
	}

	@Test
	void wrongTypeRefused() {
		refused(TestTokens.sign(TestTokens.RSA, JWSAlgorithm.RS256, "id+jwt", claims().build()), "not accepted");
		refused(TestTokens.sign(TestTokens.RSA, JWSAlgorithm.RS256, null, claims().build()), "not accepted");
	}

	@Test
	void missingClientIdOrClaimsRefused() {
		refused(rs256(claims().claim("azp", null).build()), "client id");
		refused(rs256(claims().subject(null).build()), "required claims");
		refused(rs256(claims().claim("fhirUser", 42).build()), "not a string");
	}

	@Test
	void garbageRefused() {
		refused("", "missing");
		refused("abc.def", "well-formed");
		refused("x".repeat(TokenValidator.MAX_TOKEN_LENGTH + 1), "too large");
	}

	@Test
	void configuredAlgorithmsMustBeAsymmetric() {
		assertThatThrownBy(() -> TokenValidator.parseAlgorithms(List.of("RS256", "none")))
				.hasMessageContaining("never none");
		assertThatThrownBy(() -> TokenValidator.parseAlgorithms(List.of("HS256"))).hasMessageContaining("HS");
		assertThatThrownBy(() -> TokenValidator.parseAlgorithms(List.of())).hasMessageContaining("empty");
		assertThat(TokenValidator.parseAlgorithms(List.of("RS256", "RS384", "ES256", "ES384", "PS256", "PS384")))
				.hasSize(6);
	}

	/** A JWKS "endpoint" that counts fetches and whose keys can be rotated. */
	static final class CountingSource implements JWKSetSource<SecurityContext> {
		final AtomicInteger fetches = new AtomicInteger();
		final AtomicReference<JWKSet> set = new AtomicReference<>();

		@Override
		public JWKSet getJWKSet(
				com.nimbusds.jose.jwk.source.JWKSetCacheRefreshEvaluator eval, long now, SecurityContext ctx) {
			fetches.incrementAndGet();
			return set.get();
		}

		@Override
		public void close() {}
	}

	@Test
	void cacheHitSkipsVerificationAndCacheIsBounded() throws Exception {
		CountingSource src = new CountingSource();
		src.set.set(new JWKSet(List.<JWK>of(TestTokens.RSA.toPublicJWK())));
		AtomicInteger gets = new AtomicInteger();
		JWKSource<SecurityContext> counting = (sel, ctx) -> {
			gets.incrementAndGet();
			return sel.select(src.set.get());
		};
		TokenValidator v = TestTokens.validator(counting, 3, List.of("RS256"));
		String t = rs256(claims().build());
		SmartPrincipal a = v.validate(t);
		SmartPrincipal b = v.validate(t);
		assertThat(b).isSameAs(a);
		assertThat(gets.get()).isEqualTo(1);
		for (int i = 0; i < 10; i++) {
			v.validate(rs256(claims().build()));
		}
		assertThat(v.cachedTokens()).isLessThanOrEqualTo(3);
	}

	@Test
	void unknownKidRefreshesJwksRateLimited() throws Exception {
		CountingSource src = new CountingSource();
		src.set.set(new JWKSet(List.<JWK>of(TestTokens.RSA.toPublicJWK())));
		JWKSource<SecurityContext> jwks = JWKSourceBuilder.create(src)
				.cache(300_000, 15_000)
				.rateLimited(30_000)
				.build();
		TokenValidator v = TestTokens.validator(jwks, 0, List.of("RS256"));
		v.validate(rs256(claims().build()));
		v.validate(rs256(claims().build()));
		assertThat(src.fetches.get()).isEqualTo(1); // cached
		// The issuer rotates to a new key: the first token with the new kid triggers one refresh.
		src.set.set(new JWKSet(List.<JWK>of(TestTokens.RSA.toPublicJWK(), TestTokens.OTHER_RSA.toPublicJWK())));
		String rotated = TestTokens.sign(TestTokens.OTHER_RSA, JWSAlgorithm.RS256, "JWT", claims().build());
		assertThat(v.validate(rotated)).isNotNull();
		int afterRotation = src.fetches.get();
		assertThat(afterRotation).isEqualTo(2);
		// Forged tokens with random kids do not hammer the JWKS endpoint (rate limit).
		for (int i = 0; i < 20; i++) {
			String forged = TestTokens.sign(
					new com.nimbusds.jose.jwk.gen.RSAKeyGenerator(2048).keyID("rnd-" + i).generate(),
					JWSAlgorithm.RS256, "JWT", claims().build());
			assertThatThrownBy(() -> v.validate(forged)).isInstanceOf(TokenValidator.InvalidTokenException.class);
		}
		assertThat(src.fetches.get()).isLessThanOrEqualTo(afterRotation + 1);
	}

	@Test
	void microBenchmarkCacheHitVersusMiss() throws Exception {
		TokenValidator cached = TestTokens.validator(TestTokens.jwks(), 10_000, List.of("RS256"));
		TokenValidator uncached = TestTokens.validator(TestTokens.jwks(), 0, List.of("RS256"));
		String t = rs256(claims().build());
		for (int i = 0; i < 2_000; i++) { // warm-up (JIT)
			cached.validate(t);
			uncached.validate(t);
		}
		int n = 5_000;
		long t0 = System.nanoTime();
		for (int i = 0; i < n; i++) {
			uncached.validate(t);
		}
		long miss = (System.nanoTime() - t0) / n;
		t0 = System.nanoTime();
		for (int i = 0; i < n; i++) {
			cached.validate(t);
		}
		long hit = (System.nanoTime() - t0) / n;
		System.out.printf("token validation (RS256, 2048-bit): miss %.1f us/token, cache hit %.2f us/token%n",
				miss / 1000.0, hit / 1000.0);
		assertThat(hit).isPositive();
	}
}
