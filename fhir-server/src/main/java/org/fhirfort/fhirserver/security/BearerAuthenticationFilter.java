package org.fhirfort.fhirserver.security;

import ca.uhn.fhir.context.FhirContext;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authentication for everything under the FHIR base path: a valid {@code Authorization: Bearer} access token
 * is required except for {@code GET [base]/metadata} and {@code GET [base]/.well-known/smart-configuration}.
 * A refused request is answered here (401, RFC 6750 challenge, OperationOutcome) before HAPI parses anything,
 * so no request body of an unauthenticated caller is read. The validated {@link SmartPrincipal} travels as a
 * request attribute to the HAPI interceptors (authorization, narrowing, audit).
 */
public class BearerAuthenticationFilter extends OncePerRequestFilter {

	/** A compact JWS (RFC 7515): three base64url parts, no padding. Anything else is not a token of ours. */
	private static final Pattern JWS_COMPACT = Pattern.compile("^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$");

	private final String basePath;
	private final TokenValidator validator;
	private final FhirContext fhirContext;
	private final List<AuthenticationFailureListener> listeners;

	public BearerAuthenticationFilter(
			String basePath,
			TokenValidator validator,
			FhirContext fhirContext,
			List<AuthenticationFailureListener> listeners) {
		this.basePath = basePath.endsWith("/") ? basePath.substring(0, basePath.length() - 1) : basePath;
		this.validator = validator;
		this.fhirContext = fhirContext;
		this.listeners = listeners == null ? List.of() : List.copyOf(listeners);
	}

	/** Paths (relative to the FHIR base) that need no token. */
	public static boolean isOpen(String relativePath, String method) {
		boolean read = "GET".equals(method) || "HEAD".equals(method);
		return read && ("/metadata".equals(relativePath) || "/.well-known/smart-configuration".equals(relativePath));
	}

	/**
	 * The path below the FHIR base exactly as the client sent it (not decoded, path parameters kept): an open path
	 * must match byte for byte, so {@code /metadata;x=1} or {@code /%6Detadata} is not open (HAPI reads the raw
	 * URI, not the servlet container's cleaned-up path).
	 */
	String relativePath(HttpServletRequest request) {
		String path = request.getRequestURI() == null ? "" : request.getRequestURI();
		String context = request.getContextPath() == null ? "" : request.getContextPath();
		if (!context.isEmpty() && path.startsWith(context)) {
			path = path.substring(context.length());
		}
		if (path.startsWith(basePath)) {
			path = path.substring(basePath.length());
		}
		return path;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if (isOpen(relativePath(request), request.getMethod())) {
			chain.doFilter(request, response);
			return;
		}
		List<String> headers = Collections.list(request.getHeaders("Authorization"));
		if (headers.isEmpty()) {
			refuse(request, response, null, "missing access token");
			return;
		}
		if (headers.size() > 1) {
			refuse(request, response, "invalid_request", "more than one Authorization header");
			return;
		}
		String h = headers.get(0).trim();
		if (h.length() < 7 || !h.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
			refuse(request, response, "invalid_token", "Bearer access token required");
			return;
		}
		String token = h.substring(7).trim();
		if (!JWS_COMPACT.matcher(token).matches()) {
			refuse(request, response, "invalid_token", "access token is not a well-formed signed JWT");
			return;
		}
		SmartPrincipal principal;
		try {
			principal = validator.validate(token);
		} catch (TokenValidator.InvalidTokenException e) {
			refuse(request, response, "invalid_token", e.getMessage());
			return;
		}
		request.setAttribute(SmartPrincipal.ATTRIBUTE, principal);
		chain.doFilter(request, response);
	}

	private void refuse(HttpServletRequest request, HttpServletResponse response, String error, String description)
			throws IOException {
		for (AuthenticationFailureListener l : listeners) {
			try {
				l.onAuthenticationFailure(request, description);
			} catch (RuntimeException e) {
				logger.warn("Authentication failure listener failed: " + e);
			}
		}
		if ("invalid_request".equals(error)) {
			response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
			response.setHeader("WWW-Authenticate", BearerErrors.challenge(error, description, null));
			BearerErrors.write(fhirContext, response, BearerErrors.outcome(
					org.hl7.fhir.r4.model.OperationOutcome.IssueType.INVALID, "Bad request: " + description));
			return;
		}
		// RFC 6750 3.1: no error code when the request carried no authentication at all.
		BearerErrors.writeUnauthorized(fhirContext, response, error, error == null ? null : description);
	}
}
