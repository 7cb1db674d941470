package org.fhirfort.fhirserver.fhir;

import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises the plain Java exceptions that are the client's fault, so that they become 400 and not the 500 that
 * every other unexpected exception becomes. HAPI raises some client errors as such exceptions:
 * <ul>
 * <li>a search value it cannot parse ({@code birthdate=notadate}, {@code _lastUpdated=gt9999-99-99},
 * {@code value-quantity=abc}, in the URL or a form body) throws DataFormatException (or an
 * IllegalArgumentException) while HAPI binds the request's parameters to the method arguments, before anything
 * is stored or read; likewise while a conditional URL (If-None-Exist, conditional update/delete) is parsed;</li>
 * <li>a JSON Patch operation without "path" or "from" makes the JSON Patch library throw a
 * NullPointerException from its own code (HAPI wraps it into an InternalErrorException).</li>
 * </ul>
 * Anything else, and the same exception types thrown elsewhere (a stored resource that does not parse, a
 * response that cannot be encoded), stays a server fault. Decided from the stack, which names where the
 * exception was raised: no message is trusted for this.
 */
final class ClientFaults {

	/** Frames that only run while a request's parameters (or a conditional URL) are parsed. */
	private static final String[][] PARAMETER_PARSING = {
		{"ca.uhn.fhir.rest.server.method.BaseMethodBinding", "createMethodParams"},
		{"ca.uhn.fhir.jpa.searchparam.MatchUrlService", "translateMatchUrl"}
	};
	private static final String PATCH_LIBRARY = "com.github.fge.jsonpatch.";
	private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");
	private static final int MAX_CAUSES = 8;

	private ClientFaults() {}

	/**
	 * The 400 for a client fault, or null if the exception is a server fault. Causes are looked through (HAPI
	 * wraps what a provider method throws into InternalErrorException "Failed to call access method"); the
	 * decision rests on where the exception was raised, so a wrapper changes nothing.
	 */
	static InvalidRequestException asClientError(Throwable theException, Map<String, String[]> theParameters) {
		Throwable t = theException;
		for (int depth = 0; t != null && depth < MAX_CAUSES; depth++) {
			InvalidRequestException e = classify(t, theParameters);
			if (e != null) {
				return e;
			}
			t = t.getCause() == t ? null : t.getCause();
		}
		return null;
	}

	private static InvalidRequestException classify(Throwable t, Map<String, String[]> theParameters) {
		if ((t instanceof DataFormatException || t instanceof IllegalArgumentException) && raisedWhileParsing(t)) {
			return malformedParameter(t.getMessage(), theParameters);
		}
		if (t instanceof RuntimeException && raisedByPatchLibrary(t)) {
			return new InvalidRequestException(t instanceof NullPointerException
					? ClientErrorText.PATCH + "an operation is missing a required member (\"path\" or \"from\")"
					: ClientErrorText.GENERIC_PATCH);
		}
		return null;
	}

	static boolean raisedWhileParsing(Throwable t) {
		for (StackTraceElement frame : t.getStackTrace()) {
			for (String[] parsing : PARAMETER_PARSING) {
				if (parsing[0].equals(frame.getClassName()) && parsing[1].equals(frame.getMethodName())) {
					return true;
				}
			}
		}
		return false;
	}

	static boolean raisedByPatchLibrary(Throwable t) {
		StackTraceElement[] stack = t.getStackTrace();
		return stack.length > 0 && stack[0].getClassName().startsWith(PATCH_LIBRARY);
	}

	/** "Malformed value for parameter 'birthdate': Invalid date/time/quantity format: "notadate"". */
	static InvalidRequestException malformedParameter(String theMessage, Map<String, String[]> theParameters) {
		String reason = ClientErrorText.clean(theMessage == null ? "" : theMessage);
		String parameter = parameterHolding(theMessage, theParameters);
		return new InvalidRequestException(parameter == null
				? "Malformed request parameter: " + reason
				: "Malformed value for parameter '" + UntrustedText.name(parameter) + "': " + reason);
	}

	/**
	 * The request parameter whose value the message quotes (HAPI's parse errors quote the bad value, not the
	 * parameter): one with that exact value first, else one whose value contains it ("gt9999-99-99" for
	 * "9999-99-99"). Null if the message quotes nothing or no parameter matches.
	 */
	static String parameterHolding(String theMessage, Map<String, String[]> theParameters) {
		if (theMessage == null || theParameters == null) {
			return null;
		}
		Matcher m = QUOTED.matcher(theMessage);
		if (!m.find() || m.group(1).isEmpty()) {
			return null;
		}
		String quoted = m.group(1);
		String containing = null;
		for (Map.Entry<String, String[]> p : theParameters.entrySet()) {
			for (String value : p.getValue() == null ? new String[0] : p.getValue()) {
				if (quoted.equals(value)) {
					return p.getKey();
				}
				if (containing == null && value != null && value.contains(quoted)) {
					containing = p.getKey();
				}
			}
		}
		return containing;
	}
}
