package org.fhirfort.fhirserver.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Believes X-Forwarded-For / -Proto / -Host / -Port only when the TCP peer is one of the configured edge
 * proxies ({@code fhirfort.trusted-proxies}). For any other peer those headers (and {@code Forwarded},
 * {@code X-Real-IP}) are hidden from the application, so a direct client cannot spoof its address, the
 * scheme or the host used in generated links. Tomcat's own RemoteIpValve is off
 * ({@code server.forward-headers-strategy=none}).
 */
public class TrustedProxyFilter extends OncePerRequestFilter {

	static final Set<String> FORWARDING_HEADERS = Set.of(
			"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port",
			"x-forwarded-prefix", "x-forwarded-ssl", "forwarded", "x-real-ip");

	private static final Pattern HOST = Pattern.compile("^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]+\\])(?::(\\d{1,5}))?$");

	private final TrustedProxies trusted;

	public TrustedProxyFilter(TrustedProxies trusted) {
		this.trusted = trusted;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		chain.doFilter(wrap(request), response);
	}

	/** Visible for tests: the request the application sees. */
	HttpServletRequest wrap(HttpServletRequest request) {
		if (!trusted.isEmpty() && trusted.contains(request.getRemoteAddr())) {
			return new ForwardedRequest(request, trusted);
		}
		return new StrippedRequest(request);
	}

	/** Client address: the right-most X-Forwarded-For entry that is not itself a trusted proxy. */
	static String resolveClient(String remoteAddr, List<String> forwardedFor, TrustedProxies trusted) {
		String client = remoteAddr;
		for (int i = forwardedFor.size() - 1; i >= 0; i--) {
			String candidate = forwardedFor.get(i).trim();
			if (TrustedProxies.literal(candidate) == null) {
				// Garbage in the chain: stop at the last address we could vouch for.
				return client;
			}
			client = candidate;
			if (!trusted.contains(candidate)) {
				return candidate;
			}
		}
		return client;
	}

	private static String last(String headerValue) {
		if (headerValue == null) {
			return null;
		}
		String[] parts = headerValue.split(",");
		String v = parts[parts.length - 1].trim();
		return v.isEmpty() ? null : v;
	}

	/** Trusted peer: the forwarded values replace the connection's. */
	static final class ForwardedRequest extends HttpServletRequestWrapper {
		private final String remoteAddr;
		private final String scheme;
		private final String host;
		private final int port;

		ForwardedRequest(HttpServletRequest request, TrustedProxies trusted) {
			super(request);
			List<String> chain = new java.util.ArrayList<>();
			Enumeration<String> values = request.getHeaders("X-Forwarded-For");
			while (values != null && values.hasMoreElements()) {
				for (String p : values.nextElement().split(",")) {
					if (!p.isBlank()) {
						chain.add(p.trim());
					}
				}
			}
			this.remoteAddr = resolveClient(request.getRemoteAddr(), chain, trusted);

			String proto = last(request.getHeader("X-Forwarded-Proto"));
			if (proto != null) {
				proto = proto.toLowerCase(Locale.ROOT);
			}
			this.scheme = "https".equals(proto) || "http".equals(proto) ? proto : request.getScheme();

			String fwdHost = last(request.getHeader("X-Forwarded-Host"));
			String h = request.getServerName();
			int p = -1;
			if (fwdHost != null) {
				var m = HOST.matcher(fwdHost);
				if (m.matches()) {
					h = m.group(1) == null ? fwdHost : fwdHost.substring(0, fwdHost.length() - m.group(1).length() - 1);
					if (m.group(1) != null) {
						p = parsePort(m.group(1));
					}
				}
			}
			String fwdPort = last(request.getHeader("X-Forwarded-Port"));
			if (p == -1 && fwdPort != null && fwdPort.matches("\\d{1,5}")) {
				p = parsePort(fwdPort);
			}
			if (p == -1) {
				p = fwdHost != null || proto != null ? ("https".equals(scheme) ? 443 : 80) : request.getServerPort();
			}
			this.host = h;
			this.port = p;
		}

		private static int parsePort(String s) {
			int v = Integer.parseInt(s);
			return v > 0 && v < 65536 ? v : -1;
		}

		@Override
		public String getRemoteAddr() {
			return remoteAddr;
		}

		@Override
		public String getRemoteHost() {
			return remoteAddr;
		}

		@Override
		public String getScheme() {
			return scheme;
		}

		@Override
		public boolean isSecure() {
			return "https".equals(scheme);
		}

		@Override
		public String getServerName() {
			return host;
		}

		@Override
		public int getServerPort() {
			return port;
		}

		@Override
		public StringBuffer getRequestURL() {
			StringBuffer url = new StringBuffer();
			url.append(scheme).append("://").append(host);
			boolean defaultPort = ("https".equals(scheme) && port == 443) || ("http".equals(scheme) && port == 80);
			if (!defaultPort) {
				url.append(':').append(port);
			}
			url.append(getRequestURI());
			return url;
		}
	}

	/** Untrusted peer: forwarding headers do not exist. */
	static final class StrippedRequest extends HttpServletRequestWrapper {
		StrippedRequest(HttpServletRequest request) {
			super(request);
		}

		private static boolean hidden(String name) {
			return name != null && FORWARDING_HEADERS.contains(name.toLowerCase(Locale.ROOT));
		}

		@Override
		public String getHeader(String name) {
			return hidden(name) ? null : super.getHeader(name);
		}

		@Override
		public Enumeration<String> getHeaders(String name) {
			return hidden(name) ? Collections.emptyEnumeration() : super.getHeaders(name);
		}

		@Override
		public Enumeration<String> getHeaderNames() {
			List<String> names = Collections.list(super.getHeaderNames());
			names.removeIf(StrippedRequest::hidden);
			return Collections.enumeration(names);
		}
	}
}
