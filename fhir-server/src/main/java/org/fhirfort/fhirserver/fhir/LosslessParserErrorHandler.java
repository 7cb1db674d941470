package org.fhirfort.fhirserver.fhir;

import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.parser.IParserErrorHandler;
import ca.uhn.fhir.parser.json.BaseJsonLikeValue.ScalarType;
import ca.uhn.fhir.parser.json.BaseJsonLikeValue.ValueType;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parser error handler of the server's FhirContext. HAPI's default (LenientErrorHandler) logs an unknown
 * element name verbatim and then drops the element: the client gets 201 for data that was never stored, and the
 * log line is the client's to write. Here, whatever the parser would silently drop fails the parse instead
 * (HAPI answers 400 with the message), and every name or value that reaches a message or the log is rendered by
 * {@link UntrustedText}.
 *
 * <p>Rejected (the content would be lost): unknown elements and attributes; repetitions of a non-repeating
 * element, and two choices of one choice element ({@code deceasedBoolean} plus {@code deceasedDateTime}), of
 * which the parser keeps one; a JSON value of the wrong shape (a string where an object belongs, an array for
 * {@code _birthDate}), which the parser skips; an invalid primitive value; an extension with both a value and
 * nested extensions (these two were already errors in HAPI's default).
 *
 * <p>Tolerated as before, logged at debug level: an empty primitive value ({@code ""}, nothing to lose); a single
 * object where an array belongs (the parser keeps it as one repetition); a contained resource without id (the
 * parser gives it one); an extension without url, and references to contained resources that do not exist
 * (kept as sent).
 */
public class LosslessParserErrorHandler implements IParserErrorHandler {

	private static final Logger LOG = LoggerFactory.getLogger(LosslessParserErrorHandler.class);

	@Override
	public void unknownElement(IParseLocation theLocation, String theElementName) {
		throw new DataFormatException("Unknown element '" + UntrustedText.name(theElementName) + "'"
				+ where(theLocation));
	}

	@Override
	public void unknownAttribute(IParseLocation theLocation, String theAttributeName) {
		throw new DataFormatException("Unknown attribute '" + UntrustedText.name(theAttributeName) + "'"
				+ where(theLocation));
	}

	@Override
	public void unexpectedRepeatingElement(IParseLocation theLocation, String theElementName) {
		throw new DataFormatException("Element '" + UntrustedText.name(theElementName)
				+ "' does not repeat (or has two choices of type), but more than one value was sent"
				+ where(theLocation));
	}

	@Override
	public void incorrectJsonType(
			IParseLocation theLocation,
			String theElementName,
			ValueType theExpectedValueType,
			ScalarType theExpectedScalarType,
			ValueType theFoundValueType,
			ScalarType theFoundScalarType) {
		if (theExpectedValueType == ValueType.ARRAY && theFoundValueType == ValueType.OBJECT) {
			LOG.debug("Element '{}' is a single object where an array belongs; kept as one repetition",
					UntrustedText.name(theElementName));
			return;
		}
		throw new DataFormatException("Element '" + UntrustedText.name(theElementName) + "' must be "
				+ describe(theExpectedValueType, theExpectedScalarType) + ", found "
				+ describe(theFoundValueType, theFoundScalarType) + where(theLocation));
	}

	@Override
	public void invalidValue(IParseLocation theLocation, String theValue, String theError) {
		if (theValue == null || theValue.isBlank()) {
			LOG.debug("Empty primitive value ignored{}", where(theLocation));
			return;
		}
		// HAPI's reason can be a Java exception text ("java.lang.NumberFormatException: For input string...")
		String reason = theError == null || ClientErrorText.hasJavaInternals(theError)
				? "" : ": " + UntrustedText.message(theError);
		throw new DataFormatException("Invalid value \"" + UntrustedText.value(theValue) + "\"" + where(theLocation)
				+ reason);
	}

	@Override
	public void extensionContainsValueAndNestedExtensions(IParseLocation theLocation) {
		throw new DataFormatException("An extension must not have both a value and nested extensions"
				+ where(theLocation));
	}

	@Override
	public void missingRequiredElement(IParseLocation theLocation, String theElementName) {
		LOG.debug("Required element '{}' is missing{}", UntrustedText.name(theElementName), where(theLocation));
	}

	@Override
	public void containedResourceWithNoId(IParseLocation theLocation) {
		LOG.debug("Contained resource without id{}", where(theLocation));
	}

	@Override
	public void unknownReference(IParseLocation theLocation, String theReference) {
		LOG.debug("Reference '{}' does not resolve{}", UntrustedText.name(theReference), where(theLocation));
	}

	@Override
	public void invalidInternalReference(IParseLocation theLocation, String theReference) {
		LOG.debug("Internal reference '{}' is invalid{}", UntrustedText.name(theReference), where(theLocation));
	}

	/** " in 'Patient.name'" when the parser knows where it is (HAPI fills this in only sometimes). */
	static String where(IParseLocation theLocation) {
		String parent = theLocation == null ? null : theLocation.getParentElementName();
		return parent == null || parent.isEmpty() ? "" : " in '" + UntrustedText.name(parent) + "'";
	}

	static String describe(ValueType theType, ScalarType theScalar) {
		String type = theType == null ? "nothing" : switch (theType) {
			case ARRAY -> "an array";
			case OBJECT -> "an object";
			case SCALAR -> "a primitive value";
			case NULL -> "null";
		};
		return theScalar == null ? type : type + " (" + theScalar.name().toLowerCase(Locale.ROOT) + ")";
	}
}
