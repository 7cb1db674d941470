package org.fhirfort.fhirserver.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.util.Locale;
import java.util.Set;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Drops headers that disclose the software ({@code X-Powered-By}, {@code Server}) whoever sets them, and adds
 * the response headers an API serving health data should always carry.
 */
public class HeaderHardeningFilter extends OncePerRequestFilter {

	static final Set<String> SUPPRESSED = Set.of("x-powered-by", "server", "x-aspnet-version");

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		response.setHeader("X-Content-Type-Options", "nosniff");
		response.setHeader("X-Frame-Options", "DENY");
		response.setHeader("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
		response.setHeader("Referrer-Policy", "no-referrer");
		response.setHeader("Cache-Control", "no-store");
		response.setHeader("Strict-Transport-Security", "max-age=31536000");
		chain.doFilter(request, new Wrapper(response));
	}

	static boolean suppressed(String name) {
		return name != null && SUPPRESSED.contains(name.toLowerCase(Locale.ROOT));
	}

	/** Swallows the suppressed headers. */
	static final class Wrapper extends HttpServletResponseWrapper {
		Wrapper(HttpServletResponse response) {
			super(response);
		}

		@Override
		public void setHeader(String name, String value) {
			if (!suppressed(name)) {
				super.setHeader(name, value);
			}
		}

		@Override
		public void addHeader(String name, String value) {
			if (!suppressed(name)) {
				super.addHeader(name, value);
			}
		}

		@Override
		public void setDateHeader(String name, long date) {
			if (!suppressed(name)) {
				super.setDateHeader(name, date);
			}
		}

		@Override
		public void addDateHeader(String name, long date) {
			if (!suppressed(name)) {
				super.addDateHeader(name, date);
			}
		}

		@Override
		public void setIntHeader(String name, int value) {
			if (!suppressed(name)) {
				super.setIntHeader(name, value);
			}
		}

		@Override
		public void addIntHeader(String name, int value) {
			if (!suppressed(name)) {
				super.addIntHeader(name, value);
			}
		}
	}
}
