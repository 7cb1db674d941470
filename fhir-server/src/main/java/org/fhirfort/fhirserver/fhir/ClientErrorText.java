package org.fhirfort.fhirserver.fhir;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text of a client error (4xx) as the client and the log see it. HAPI passes the messages of the libraries it
 * calls through: a bad JSON Patch came back as "Could not resolve type id 'bogus' as a subtype of
 * `com.github.fge.jsonpatch.operation.JsonPatchOperation` ... java.util.ArrayList[0]", a patch without a value
 * as Jackson's NullPointerException text. Those name the software and its internals and tell the client nothing
 * it can act on. This keeps what the message says about the request and drops how the server is built:
 * <ul>
 * <li>HAPI's message codes ("HAPI-1234: ");</li>
 * <li>the known JSON Patch failures are said in plain words ("Invalid JSON Patch: unknown operation 'bogus'");</li>
 * <li>Jackson's and the XML parser's locations become "(line 1, column 2)" or go;</li>
 * <li>if a Java class or package name, an exception name or a stack frame is still left, the text is cut before
 * it, or replaced by a generic message when too little is left;</li>
 * <li>the result is rendered by {@link UntrustedText#message} (no line breaks, no lookups, bounded).</li>
 * </ul>
 * Pure and idempotent.
 */
public final class ClientErrorText {

	public static final String GENERIC = "Invalid request";
	public static final String GENERIC_PATCH = "Invalid JSON Patch document";
	static final String PATCH = "Invalid JSON Patch: ";

	/** A safe prefix shorter than this is not worth keeping: the generic text is said instead. */
	static final int MIN_PREFIX = 20;

	private static final Pattern HAPI_CODE = Pattern.compile("HAPI-\\d{4}:\\s*");
	/** HAPI-1271/1272 are JsonPatchUtils' codes (apply / parse failure). */
	private static final Pattern PATCH_CONTEXT =
			Pattern.compile("HAPI-127[12]:|com\\.github\\.fge\\.json(?:patch|pointer)|jackson\\.jsonpointer");

	private static final Pattern UNKNOWN_OP = Pattern.compile(
			"Could not resolve type id '(.*?)' as a subtype of [^:]*JsonPatchOperation.*", Pattern.DOTALL);
	private static final Pattern MISSING_OP = Pattern.compile(
			"Could not resolve subtype of [^:]*JsonPatchOperation[^:]*: missing type id property 'op'.*",
			Pattern.DOTALL);
	private static final Pattern OP_WITHOUT_VALUE = Pattern.compile(
			"Cannot construct instance of `[\\w.$]*\\.(\\w+)Operation`, problem: .*\"value\" is null.*",
			Pattern.DOTALL);
	private static final Pattern MALFORMED_OP = Pattern.compile(
			"Cannot construct instance of `[\\w.$]*\\.(\\w+)Operation`, problem: .*", Pattern.DOTALL);
	private static final Pattern BAD_POINTER = Pattern.compile(
			"Cannot construct instance of `[\\w.$]*JsonPointer`, problem: ([^\\r\\n]*).*", Pattern.DOTALL);
	private static final Pattern NOT_AN_ARRAY = Pattern.compile(
			"Cannot deserialize value of type `[^`]*JsonPatchOperation[^`]*`.*", Pattern.DOTALL);

	/** HAPI's XML parser: "DataFormatException at [[row,col {unknown-source}]: [1,38]]: Unknown attribute 'x'". */
	private static final Pattern XML_LOCATION = Pattern.compile(
			"\\b\\w*Exception at \\[\\[row,col [^\\]]*\\]: \\[(\\d+),(\\d+)\\]\\]:\\s*([^\\r\\n]*)");
	private static final Pattern JACKSON_LINE =
			Pattern.compile("\\s*at \\[(?:Source: [^\\]]*?; )?line: (\\d+), column: (\\d+)\\]");
	private static final Pattern JACKSON_SOURCE = Pattern.compile("\\s*at \\[Source: [^\\]]*\\]");
	private static final Pattern JACKSON_CHAIN = Pattern.compile("\\s*\\(through reference chain: [^)]*\\)");
	private static final Pattern JACKSON_POJO = Pattern.compile("\\s*\\(for POJO property '[^']*'\\)");
	private static final Pattern STACK_FRAME =
			Pattern.compile("\\s*\\bat [\\w$]+(?:\\.[\\w$<>]+)+\\([^)]*\\)");

	/** Java internals: what must not reach a client. */
	private static final Pattern[] INTERNALS = {
		// package-qualified names at the start of a token (not inside a URL such as http://hl7.org/...)
		Pattern.compile("(?<![\\w./:@#-])(?:java|javax|jakarta|sun|jdk|com|org|net|ca|io)\\.[a-z_$][\\w$]*"),
		// any other fully-qualified class name
		Pattern.compile("(?<![\\w./:@#-])[a-z][a-z0-9_]*(?:\\.[a-z][a-z0-9_]*)+\\.[A-Z][\\w$]*"),
		Pattern.compile("\\b\\w*Exception\\b"),
		Pattern.compile("\\b[A-Z][A-Za-z]*[a-z]Error\\b"),
		// helpful NullPointerException texts
		Pattern.compile("Cannot invoke \""),
		Pattern.compile("because (?:the return value of )?\"[^\"]*\" is null"),
		Pattern.compile("\\bat [\\w$]+(?:\\.[\\w$<>]+)+\\("),
		Pattern.compile("\\.java:\\d+\\)")
	};

	private ClientErrorText() {}

	/** The message without HAPI's codes (nothing else changed). */
	public static String withoutSoftwareCodes(String message) {
		return message == null ? null : HAPI_CODE.matcher(message).replaceAll("");
	}

	/** The client's view of a 4xx message; see the class comment. */
	public static String clean(String message) {
		if (message == null) {
			return null;
		}
		boolean patch = PATCH_CONTEXT.matcher(message).find();
		String text = withoutSoftwareCodes(message).strip();
		if (patch) {
			text = plainPatchMessage(text);
		}
		text = XML_LOCATION.matcher(text).replaceAll("$3 (line $1, column $2)");
		text = JACKSON_LINE.matcher(text).replaceAll(" (line $1, column $2)");
		text = JACKSON_SOURCE.matcher(text).replaceAll("");
		text = JACKSON_CHAIN.matcher(text).replaceAll("");
		text = JACKSON_POJO.matcher(text).replaceAll("");
		text = STACK_FRAME.matcher(text).replaceAll("");
		int internal = firstInternal(text);
		if (internal >= 0) {
			String prefix = text.substring(0, internal).replaceAll("[\\s:;,(\\[`'\"-]+$", "");
			text = prefix.length() >= MIN_PREFIX ? prefix : patch ? GENERIC_PATCH : GENERIC;
		}
		text = text.strip();
		return UntrustedText.message(text.isEmpty() ? patch ? GENERIC_PATCH : GENERIC : text);
	}

	/** True if the text names Java classes, packages, exceptions or stack frames. */
	public static boolean hasJavaInternals(String text) {
		return text != null && firstInternal(text) >= 0;
	}

	static int firstInternal(String text) {
		int first = -1;
		for (Pattern p : INTERNALS) {
			Matcher m = p.matcher(text);
			if (m.find() && (first < 0 || m.start() < first)) {
				first = m.start();
			}
		}
		return first;
	}

	/** The JSON Patch library's (Jackson-shaped) failures in the words of RFC 6902. */
	static String plainPatchMessage(String text) {
		Matcher m = UNKNOWN_OP.matcher(text);
		if (m.matches()) {
			return PATCH + "unknown operation '" + UntrustedText.name(m.group(1))
					+ "' (known: add, remove, replace, move, copy, test)";
		}
		if (MISSING_OP.matcher(text).matches()) {
			return PATCH + "every operation needs an \"op\" member";
		}
		m = OP_WITHOUT_VALUE.matcher(text);
		if (m.matches()) {
			return PATCH + "a '" + operation(m.group(1)) + "' operation needs a \"value\" member";
		}
		m = MALFORMED_OP.matcher(text);
		if (m.matches()) {
			return PATCH + "malformed '" + operation(m.group(1)) + "' operation";
		}
		m = BAD_POINTER.matcher(text);
		if (m.matches()) {
			return PATCH + "invalid JSON pointer (" + m.group(1).strip() + ")";
		}
		if (NOT_AN_ARRAY.matcher(text).matches()) {
			return PATCH + "the document must be a JSON array of operations";
		}
		if (text.startsWith(PATCH) || text.startsWith("Failed to apply JSON patch")) {
			return text;
		}
		return PATCH + text;
	}

	/** "ReplaceOperation" was matched as "Replace": the RFC 6902 name is "replace". */
	private static String operation(String classPrefix) {
		return UntrustedText.name(classPrefix.toLowerCase(Locale.ROOT));
	}
}
