package org.fhirfort.fhirserver.security;

import ca.uhn.fhir.context.FhirContext;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.hl7.fhir.r4.model.OperationOutcome;

/** RFC 6750 error responses: the WWW-Authenticate challenge plus a FHIR OperationOutcome body. */
public final class BearerErrors {

	public static final String REALM = "fhir";

	private BearerErrors() {}

	/** {@code Bearer realm="fhir"} with optional error, description and scope (quotes and controls removed). */
	public static String challenge(String error, String description, String scope) {
		StringBuilder sb = new StringBuilder("Bearer realm=\"").append(REALM).append('"');
		if (error != null) {
			sb.append(", error=\"").append(clean(error)).append('"');
		}
		if (description != null) {
			sb.append(", error_description=\"").append(clean(description)).append('"');
		}
		if (scope != null) {
			sb.append(", scope=\"").append(clean(scope)).append('"');
		}
		return sb.toString();
	}

	/** RFC 6750 3: error_description and scope use %x20-21 / %x23-5B / %x5D-7E only. */
	static String clean(String s) {
		StringBuilder sb = new StringBuilder(s.length());
		for (char c : s.toCharArray()) {
			if (c >= 0x20 && c <= 0x7e && c != '"' && c != '\\') {
				sb.append(c);
			}
		}
		return sb.toString();
	}

	public static OperationOutcome outcome(OperationOutcome.IssueType type, String text) {
		OperationOutcome oo = new OperationOutcome();
		oo.addIssue().setSeverity(OperationOutcome.IssueSeverity.ERROR).setCode(type).setDiagnostics(text);
		return oo;
	}

	/** Writes 401 (no/invalid token) with the challenge and an OperationOutcome. */
	public static void writeUnauthorized(FhirContext ctx, HttpServletResponse resp, String error, String description)
			throws IOException {
		resp.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
		resp.setHeader("WWW-Authenticate", challenge(error, description, null));
		String text = description == null ? "Authentication required" : "Authentication failed: " + description;
		write(ctx, resp, outcome(OperationOutcome.IssueType.LOGIN, text));
	}

	public static void write(FhirContext ctx, HttpServletResponse resp, OperationOutcome oo) throws IOException {
		byte[] body = ctx.newJsonParser().encodeResourceToString(oo).getBytes(StandardCharsets.UTF_8);
		resp.setContentType("application/fhir+json;charset=UTF-8");
		resp.setHeader("Cache-Control", "no-store");
		resp.setContentLength(body.length);
		resp.getOutputStream().write(body);
	}
}
