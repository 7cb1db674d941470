package org.fhirfort.fhirserver.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Locale;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The FHIR endpoint speaks JSON and XML only. HAPI can also produce RDF/Turtle; a request that asks for it
 * (in {@code _format}, or in an Accept header that offers nothing else) or sends it is refused before HAPI
 * sees it, with a JSON OperationOutcome.
 */
public class FhirFormatFilter extends OncePerRequestFilter {

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String[] formats = request.getParameterValues("_format");
		if (formats != null) {
			for (String f : formats) {
				if (isRdf(f)) {
					RequestBodyLimitFilter.reject(response, 406, "Only JSON and XML are supported");
					return;
				}
			}
		}
		String accept = request.getHeader("Accept");
		if (accept != null && isRdf(accept) && !offersJsonOrXml(accept)) {
			RequestBodyLimitFilter.reject(response, 406, "Only JSON and XML are supported");
			return;
		}
		String contentType = request.getContentType();
		if (contentType != null && isRdf(contentType)) {
			RequestBodyLimitFilter.reject(response, 415, "Only JSON and XML request bodies are supported");
			return;
		}
		chain.doFilter(request, response);
	}

	/** True for RDF media types and format names (text/turtle, ttl, rdf...). */
	public static boolean isRdf(String value) {
		if (value == null) {
			return false;
		}
		String v = value.toLowerCase(Locale.ROOT).trim();
		return v.contains("turtle") || v.contains("rdf") || v.equals("ttl") || v.contains("n-triples")
				|| v.contains("ld+json");
	}

	static boolean offersJsonOrXml(String accept) {
		String a = accept.toLowerCase(Locale.ROOT);
		return a.contains("json") && !a.contains("ld+json") || a.contains("xml") || a.contains("*/*");
	}
}
