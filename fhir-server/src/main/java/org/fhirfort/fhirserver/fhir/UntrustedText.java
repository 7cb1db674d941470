package org.fhirfort.fhirserver.fhir;

import java.util.function.IntFunction;

/**
 * Renders text that came from a client (JSON keys, parameter names, values quoted back in messages) so that it
 * can be written to the log and into an OperationOutcome without forging log lines or carrying lookup syntax:
 * line breaks and other control or format characters become {@code \\uXXXX} escapes, and the length is capped.
 * The journal once showed an unknown JSON key verbatim ({@code ${jndi:...}}, or a key with a newline and a fake
 * log line after it); everything the server says about client text goes through here first.
 */
public final class UntrustedText {

	/** Longest rendering of a name (element, parameter, operation) before it is cut. */
	public static final int MAX_NAME = 64;

	/** Longest rendering of a message before it is cut. */
	public static final int MAX_MESSAGE = 1000;

	static final String ELLIPSIS = "...";

	private UntrustedText() {}

	/**
	 * A name as it may be quoted: letters, digits and {@code _ - . : / @ # [ ]} stay, every other character
	 * (controls, quotes, {@code $ { }}, spaces, non-ASCII) becomes {@code \\uXXXX}; at most {@link #MAX_NAME}
	 * characters long.
	 */
	public static String name(String value) {
		if (value == null) {
			return "";
		}
		return render(value, MAX_NAME, i -> {
			char c = value.charAt(i);
			return isNameChar(c) ? String.valueOf(c) : escape(c);
		});
	}

	/**
	 * Free text (a message that may quote client input): printable characters stay, control and invisible
	 * format characters (line and paragraph separators, bidi overrides) become {@code \\uXXXX}, so does a
	 * dollar sign before an opening brace (no lookup syntax), and the result is at most {@link #MAX_MESSAGE}
	 * characters long. Idempotent: its output passes through unchanged.
	 */
	public static String message(String value) {
		return text(value, MAX_MESSAGE);
	}

	/** A value quoted in a message (a search parameter value, a primitive value): as a message, but short. */
	public static String value(String value) {
		return text(value, MAX_NAME);
	}

	private static String text(String value, int max) {
		if (value == null) {
			return null;
		}
		return render(value, max, i -> {
			char c = value.charAt(i);
			boolean lookup = c == '$' && i + 1 < value.length() && value.charAt(i + 1) == '{';
			return isUnsafeInMessage(c) || lookup ? escape(c) : String.valueOf(c);
		});
	}

	/** The rendered pieces; if they exceed max, as many as fit before the ellipsis (no escape is split). */
	private static String render(String value, int max, IntFunction<String> piece) {
		StringBuilder sb = new StringBuilder();
		int cut = -1;
		for (int i = 0; i < value.length(); i++) {
			String p = piece.apply(i);
			if (cut < 0 && sb.length() + p.length() > max - ELLIPSIS.length()) {
				cut = sb.length();
			}
			sb.append(p);
			if (sb.length() > max) {
				return sb.substring(0, cut) + ELLIPSIS;
			}
		}
		return sb.toString();
	}

	static boolean isNameChar(char c) {
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
				|| "_-.:/@#[]".indexOf(c) >= 0;
	}

	static boolean isUnsafeInMessage(char c) {
		if (Character.isISOControl(c) || Character.isSurrogate(c)) {
			return true;
		}
		int type = Character.getType(c);
		return type == Character.FORMAT || type == Character.LINE_SEPARATOR
				|| type == Character.PARAGRAPH_SEPARATOR || type == Character.UNASSIGNED;
	}

	private static String escape(char c) {
		return String.format("\\u%04x", (int) c);
	}
}
