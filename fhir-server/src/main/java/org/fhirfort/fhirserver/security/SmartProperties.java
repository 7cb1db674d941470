package org.fhirfort.fhirserver.security;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code fhirfort.smart.*}: the SMART on FHIR resource server (bearer token validation, scopes, discovery).
 * The README documents each property; the Ansible role renders them from spec/identity.yaml.
 */
@ConfigurationProperties(prefix = "fhirfort.smart")
public class SmartProperties {

	/** Off only for a deliberately unprotected server (loopback tests); a warning is logged then. */
	private boolean enabled = true;

	/** Exact {@code iss} of accepted tokens: the public issuer URL of the realm. Required. */
	private String issuer = "";

	/** Where the server fetches the realm's JWK set (internal URL, https only). Required. */
	private String jwksUri = "";

	/** PEM file with the CA certificate(s) that verify the JWKS endpoint's TLS certificate. Required for https. */
	private String jwksCaCert = "";

	/** Required {@code aud} value; empty = {@code fhirfort.fhir.public-base-url}. */
	private String audience = "";

	/** JWS algorithms accepted (asymmetric only: RS*, PS*, ES*). {@code none} and HS* are refused at start. */
	private List<String> allowedAlgorithms = new ArrayList<>(List.of("RS256"));

	/** Tolerance for exp / nbf / iat. */
	private Duration clockSkew = Duration.ofSeconds(30);

	/** JOSE header {@code typ} values accepted (case-insensitive). Keycloak issues "JWT"; RFC 9068 says at+jwt. */
	private List<String> acceptedTokenTypes = new ArrayList<>(List.of("at+jwt", "JWT"));

	/** Client ids ({@code azp}/{@code client_id}) of backend-services clients: only they may use system/ scopes. */
	private List<String> backendClientIds = new ArrayList<>();

	/** Validated tokens kept (by SHA-256 of the token) until they expire; 0 disables the cache. */
	private int tokenCacheSize = 10_000;

	private Duration jwksCacheTtl = Duration.ofMinutes(5);
	private Duration jwksRefreshTimeout = Duration.ofSeconds(15);
	/** At most one JWKS fetch per interval when tokens carry unknown key ids. */
	private Duration jwksRateLimit = Duration.ofSeconds(30);

	private Duration jwksConnectTimeout = Duration.ofSeconds(5);
	private Duration jwksReadTimeout = Duration.ofSeconds(5);

	/** Discovery ({@code .well-known/smart-configuration}); empty = derived from the issuer (Keycloak paths). */
	private String authorizationEndpoint = "";

	private String tokenEndpoint = "";
	/** The JWKS URL published to clients; empty = {issuer}/protocol/openid-connect/certs. */
	private String publicJwksUri = "";
	/** Published only when set (and really reachable by clients). */
	private String revocationEndpoint = "";

	private String introspectionEndpoint = "";
	private String managementEndpoint = "";

	private List<String> scopesSupported = new ArrayList<>(List.of(
			"openid", "fhirUser", "launch/patient", "offline_access", "online_access",
			"patient/*.rs", "user/*.rs", "system/*.rs"));
	private List<String> capabilities = new ArrayList<>(List.of(
			"launch-standalone",
			"context-standalone-patient",
			"client-public",
			"client-confidential-symmetric",
			"client-confidential-asymmetric",
			"sso-openid-connect",
			"permission-patient",
			"permission-user",
			"permission-v1",
			"permission-v2"));
	private List<String> tokenEndpointAuthMethods =
			new ArrayList<>(List.of("private_key_jwt", "client_secret_basic", "client_secret_post"));
	private List<String> grantTypes =
			new ArrayList<>(List.of("authorization_code", "client_credentials", "refresh_token"));

	public boolean isEnabled() {
		return enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public String getIssuer() {
		return issuer;
	}

	public void setIssuer(String issuer) {
		this.issuer = nz(issuer);
	}

	public String getJwksUri() {
		return jwksUri;
	}

	public void setJwksUri(String jwksUri) {
		this.jwksUri = nz(jwksUri);
	}

	public String getJwksCaCert() {
		return jwksCaCert;
	}

	public void setJwksCaCert(String jwksCaCert) {
		this.jwksCaCert = nz(jwksCaCert);
	}

	public String getAudience() {
		return audience;
	}

	public void setAudience(String audience) {
		this.audience = nz(audience);
	}

	public List<String> getAllowedAlgorithms() {
		return allowedAlgorithms;
	}

	public void setAllowedAlgorithms(List<String> allowedAlgorithms) {
		this.allowedAlgorithms = allowedAlgorithms == null ? new ArrayList<>() : allowedAlgorithms;
	}

	public Duration getClockSkew() {
		return clockSkew;
	}

	public void setClockSkew(Duration clockSkew) {
		this.clockSkew = clockSkew;
	}

	public List<String> getAcceptedTokenTypes() {
		return acceptedTokenTypes;
	}

	public void setAcceptedTokenTypes(List<String> acceptedTokenTypes) {
		this.acceptedTokenTypes = acceptedTokenTypes == null ? new ArrayList<>() : acceptedTokenTypes;
	}

	public List<String> getBackendClientIds() {
		return backendClientIds;
	}

	public void setBackendClientIds(List<String> backendClientIds) {
		this.backendClientIds = backendClientIds == null ? new ArrayList<>() : backendClientIds;
	}

	public int getTokenCacheSize() {
		return tokenCacheSize;
	}

	public void setTokenCacheSize(int tokenCacheSize) {
		this.tokenCacheSize = tokenCacheSize;
	}

	public Duration getJwksCacheTtl() {
		return jwksCacheTtl;
	}

	public void setJwksCacheTtl(Duration jwksCacheTtl) {
		this.jwksCacheTtl = jwksCacheTtl;
	}

	public Duration getJwksRefreshTimeout() {
		return jwksRefreshTimeout;
	}

	public void setJwksRefreshTimeout(Duration jwksRefreshTimeout) {
		this.jwksRefreshTimeout = jwksRefreshTimeout;
	}

	public Duration getJwksRateLimit() {
		return jwksRateLimit;
	}

	public void setJwksRateLimit(Duration jwksRateLimit) {
		this.jwksRateLimit = jwksRateLimit;
	}

	public Duration getJwksConnectTimeout() {
		return jwksConnectTimeout;
	}

	public void setJwksConnectTimeout(Duration jwksConnectTimeout) {
		this.jwksConnectTimeout = jwksConnectTimeout;
	}

	public Duration getJwksReadTimeout() {
		return jwksReadTimeout;
	}

	public void setJwksReadTimeout(Duration jwksReadTimeout) {
		this.jwksReadTimeout = jwksReadTimeout;
	}

	public String getAuthorizationEndpoint() {
		return authorizationEndpoint;
	}

	public void setAuthorizationEndpoint(String authorizationEndpoint) {
		this.authorizationEndpoint = nz(authorizationEndpoint);
	}

	public String getTokenEndpoint() {
		return tokenEndpoint;
	}

	public void setTokenEndpoint(String tokenEndpoint) {
		this.tokenEndpoint = nz(tokenEndpoint);
	}

	public String getPublicJwksUri() {
		return publicJwksUri;
	}

	public void setPublicJwksUri(String publicJwksUri) {
		this.publicJwksUri = nz(publicJwksUri);
	}

	public String getRevocationEndpoint() {
		return revocationEndpoint;
	}

	public void setRevocationEndpoint(String revocationEndpoint) {
		this.revocationEndpoint = nz(revocationEndpoint);
	}

	public String getIntrospectionEndpoint() {
		return introspectionEndpoint;
	}

	public void setIntrospectionEndpoint(String introspectionEndpoint) {
		this.introspectionEndpoint = nz(introspectionEndpoint);
	}

	public String getManagementEndpoint() {
		return managementEndpoint;
	}

	public void setManagementEndpoint(String managementEndpoint) {
		this.managementEndpoint = nz(managementEndpoint);
	}

	public List<String> getScopesSupported() {
		return scopesSupported;
	}

	public void setScopesSupported(List<String> scopesSupported) {
		this.scopesSupported = scopesSupported == null ? new ArrayList<>() : scopesSupported;
	}

	public List<String> getCapabilities() {
		return capabilities;
	}

	public void setCapabilities(List<String> capabilities) {
		this.capabilities = capabilities == null ? new ArrayList<>() : capabilities;
	}

	public List<String> getTokenEndpointAuthMethods() {
		return tokenEndpointAuthMethods;
	}

	public void setTokenEndpointAuthMethods(List<String> tokenEndpointAuthMethods) {
		this.tokenEndpointAuthMethods = tokenEndpointAuthMethods == null ? new ArrayList<>() : tokenEndpointAuthMethods;
	}

	public List<String> getGrantTypes() {
		return grantTypes;
	}

	public void setGrantTypes(List<String> grantTypes) {
		this.grantTypes = grantTypes == null ? new ArrayList<>() : grantTypes;
	}

	// ---- derived values

	private static String stripSlash(String s) {
		return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
	}

	public String effectiveAuthorizationEndpoint() {
		return authorizationEndpoint.isBlank()
				? stripSlash(issuer) + "/protocol/openid-connect/auth"
				: authorizationEndpoint;
	}

	public String effectiveTokenEndpoint() {
		return tokenEndpoint.isBlank() ? stripSlash(issuer) + "/protocol/openid-connect/token" : tokenEndpoint;
	}

	public String effectivePublicJwksUri() {
		return publicJwksUri.isBlank() ? stripSlash(issuer) + "/protocol/openid-connect/certs" : publicJwksUri;
	}

	private static String nz(String s) {
		return s == null ? "" : s.trim();
	}
}
