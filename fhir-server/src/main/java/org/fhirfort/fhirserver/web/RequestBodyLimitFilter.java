package org.fhirfort.fhirserver.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Bounds request bodies: a declared Content-Length over the limit is refused with 413 before anything is
 * read; a chunked body is counted while read and fails at the limit (the FHIR layer then answers 413).
 * Compressed request bodies are refused (415): the limit must bound what the parser sees.
 */
public class RequestBodyLimitFilter extends OncePerRequestFilter {

	/** Request attribute set when a streamed body crossed the limit. */
	public static final String EXCEEDED_ATTRIBUTE = RequestBodyLimitFilter.class.getName() + ".exceeded";

	private final long maxBytes;

	public RequestBodyLimitFilter(long maxBytes) {
		this.maxBytes = maxBytes;
	}

	public long getMaxBytes() {
		return maxBytes;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String encoding = request.getHeader("Content-Encoding");
		if (encoding != null && !encoding.isBlank() && !"identity".equalsIgnoreCase(encoding.trim())) {
			reject(response, 415, "Compressed request bodies (Content-Encoding: " + sanitize(encoding)
					+ ") are not accepted");
			return;
		}
		long declared = request.getContentLengthLong();
		if (declared > maxBytes) {
			reject(response, 413, "Request body of " + declared + " bytes exceeds the limit of " + maxBytes + " bytes");
			return;
		}
		chain.doFilter(new LimitedRequest(request, maxBytes), response);
	}

	private static String sanitize(String s) {
		return s.replaceAll("[^A-Za-z0-9,._ -]", "").substring(0, Math.min(40, s.length()));
	}

	static void reject(HttpServletResponse response, int status, String message) throws IOException {
		response.resetBuffer();
		response.setStatus(status);
		response.setHeader("Connection", "close");
		response.setContentType("application/fhir+json;charset=UTF-8");
		String body = "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\",\"code\":\""
				+ (status == 413 ? "too-costly" : "not-supported") + "\",\"diagnostics\":\""
				+ message.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}]}";
		response.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
	}

	/** Thrown by the counting stream; HAPI turns the read failure into an error response. */
	public static final class BodyTooLargeException extends IOException {
		public BodyTooLargeException(long max) {
			super("Request body exceeds the limit of " + max + " bytes");
		}
	}

	static final class LimitedRequest extends HttpServletRequestWrapper {
		private final long max;
		private ServletInputStream stream;

		LimitedRequest(HttpServletRequest request, long max) {
			super(request);
			this.max = max;
		}

		@Override
		public ServletInputStream getInputStream() throws IOException {
			if (stream == null) {
				stream = new CountingStream(super.getInputStream(), max, (HttpServletRequest) getRequest());
			}
			return stream;
		}

		@Override
		public java.io.BufferedReader getReader() throws IOException {
			String enc = getCharacterEncoding() == null ? "UTF-8" : getCharacterEncoding();
			return new java.io.BufferedReader(new java.io.InputStreamReader(getInputStream(), enc));
		}
	}

	static final class CountingStream extends ServletInputStream {
		private final ServletInputStream delegate;
		private final long max;
		private final HttpServletRequest request;
		private long count;

		CountingStream(ServletInputStream delegate, long max, HttpServletRequest request) {
			this.delegate = delegate;
			this.max = max;
			this.request = request;
		}

		private void add(long n) throws IOException {
			if (n > 0) {
				count += n;
				if (count > max) {
					request.setAttribute(EXCEEDED_ATTRIBUTE, Boolean.TRUE);
					throw new BodyTooLargeException(max);
				}
			}
		}

		@Override
		public int read() throws IOException {
			int b = delegate.read();
			if (b >= 0) {
				add(1);
			}
			return b;
		}

		@Override
		public int read(byte[] b, int off, int len) throws IOException {
			int n = delegate.read(b, off, len);
			add(n);
			return n;
		}

		@Override
		public boolean isFinished() {
			return delegate.isFinished();
		}

		@Override
		public boolean isReady() {
			return delegate.isReady();
		}

		@Override
		public void setReadListener(ReadListener listener) {
			delegate.setReadListener(listener);
		}
	}
}
