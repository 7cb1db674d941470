package org.fhirfort.fhirserver.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The messages are the ones HAPI 8.8 and its JSON Patch library produced for the red team's requests. */
class ClientErrorTextTest {

	@Test
	void unknownPatchOperation() {
		assertThat(ClientErrorText.clean("HAPI-1272: Could not resolve type id 'bogus' as a subtype of "
				+ "`com.github.fge.jsonpatch.operation.JsonPatchOperation`: known type ids = [add, copy, move, remove, "
				+ "replace, test] (for POJO property '#temporary-name')\n at [Source: UNKNOWN; byte offset: #UNKNOWN] "
				+ "(through reference chain: java.util.ArrayList[0])"))
				.isEqualTo("Invalid JSON Patch: unknown operation 'bogus' (known: add, remove, replace, move, copy, test)");
		assertThat(ClientErrorText.clean("HAPI-1272: Could not resolve type id 'bo\ngus${x}' as a subtype of "
				+ "`com.github.fge.jsonpatch.operation.JsonPatchOperation`: known type ids = [add]"))
				.isEqualTo("Invalid JSON Patch: unknown operation 'bo\\u000agus\\u0024\\u007bx\\u007d' "
						+ "(known: add, remove, replace, move, copy, test)");
	}

	@Test
	void patchOperationWithoutValue() {
		assertThat(ClientErrorText.clean("HAPI-1272: Cannot construct instance of "
				+ "`com.github.fge.jsonpatch.operation.ReplaceOperation`, problem: Cannot invoke "
				+ "\"com.fasterxml.jackson.databind.JsonNode.deepCopy()\" because \"value\" is null\n at [Source: "
				+ "UNKNOWN; byte offset: #UNKNOWN] (through reference chain: java.util.ArrayList[0])"))
				.isEqualTo("Invalid JSON Patch: a 'replace' operation needs a \"value\" member");
	}

	@Test
	void otherPatchFailures() {
		assertThat(ClientErrorText.clean("HAPI-1272: Could not resolve subtype of [simple type, class "
				+ "com.github.fge.jsonpatch.operation.JsonPatchOperation]: missing type id property 'op' (for POJO "
				+ "property '#temporary-name')\n at [Source: UNKNOWN; byte offset: #UNKNOWN]"))
				.isEqualTo("Invalid JSON Patch: every operation needs an \"op\" member");
		assertThat(ClientErrorText.clean("HAPI-1272: Cannot construct instance of "
				+ "`com.github.fge.jackson.jsonpointer.JsonPointer`, problem: illegal pointer: expected a slash to "
				+ "separate tokens\n at [Source: UNKNOWN; byte offset: #UNKNOWN] (through reference chain: "
				+ "java.util.ArrayList[0]->com.github.fge.jsonpatch.operation.AddOperation[\"path\"])"))
				.isEqualTo("Invalid JSON Patch: invalid JSON pointer (illegal pointer: expected a slash to separate tokens)");
		assertThat(ClientErrorText.clean("HAPI-1272: Cannot deserialize value of type "
				+ "`java.util.ArrayList<com.github.fge.jsonpatch.operation.JsonPatchOperation>` from Object value "
				+ "(token `JsonToken.END_OBJECT`)\n at [Source: UNKNOWN; byte offset: #UNKNOWN]"))
				.isEqualTo("Invalid JSON Patch: the document must be a JSON array of operations");
		assertThat(ClientErrorText.clean("HAPI-1272: no such path in target JSON document"))
				.isEqualTo("Invalid JSON Patch: no such path in target JSON document");
		assertThat(ClientErrorText.clean("HAPI-1272: Unexpected character ('n' (code 110)): was expecting "
				+ "double-quote to start field name\n at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION`"
				+ " disabled); line: 1, column: 2]"))
				.isEqualTo("Invalid JSON Patch: Unexpected character ('n' (code 110)): was expecting double-quote to "
						+ "start field name (line 1, column 2)");
		assertThat(ClientErrorText.clean("HAPI-1271: Failed to apply JSON patch to p-obrien: HAPI-1825: Unknown "
				+ "element 'bogus' found during parse"))
				.isEqualTo("Failed to apply JSON patch to p-obrien: Unknown element 'bogus' found during parse");
		// nothing recognisable and nothing safe left
		assertThat(ClientErrorText.clean("HAPI-1272: java.lang.IllegalStateException: boom"))
				.isEqualTo(ClientErrorText.GENERIC_PATCH);
	}

	@Test
	void javaInternalsAreCutOrReplaced() {
		assertThat(ClientErrorText.clean("HAPI-0450: Failed to parse request body as JSON resource. Error was: "
				+ "java.lang.NumberFormatException: For input string: \"x\""))
				.isEqualTo("Failed to parse request body as JSON resource. Error was");
		assertThat(ClientErrorText.clean("NullPointerException")).isEqualTo(ClientErrorText.GENERIC);
		assertThat(ClientErrorText.clean("Bad: org.hl7.fhir.r4.model.Patient")).isEqualTo(ClientErrorText.GENERIC);
		assertThat(ClientErrorText.clean("Cannot invoke \"String.length()\" because \"<local1>\" is null"))
				.isEqualTo(ClientErrorText.GENERIC);
		assertThat(ClientErrorText.clean("Something about the request went wrong\n\tat ca.uhn.fhir.X.y(X.java:12)"))
				.isEqualTo("Something about the request went wrong");
		assertThat(ClientErrorText.clean("HAPI-0450: Failed to parse request body as JSON resource. Error was: "
				+ "HAPI-1861: Failed to parse JSON encoded FHIR content: Unexpected character ('}' (code 125)): was "
				+ "expecting double-quote to start field name\n at [line: 1, column: 27]"))
				.isEqualTo("Failed to parse request body as JSON resource. Error was: Failed to parse JSON encoded FHIR "
						+ "content: Unexpected character ('}' (code 125)): was expecting double-quote to start field name "
						+ "(line 1, column 27)");
		assertThat(ClientErrorText.clean("HAPI-1851: DataFormatException at [[row,col {unknown-source}]: [1,38]]: "
				+ "Unknown attribute 'bogusattr'")).isEqualTo("Unknown attribute 'bogusattr' (line 1, column 38)");
	}

	@Test
	void ordinaryClientMessagesAreKept() {
		for (String message : new String[] {
			"Unknown search parameter \"foo\" for resource type \"Patient\". Valid search parameters for this search are: [_id, birthdate]",
			"Resource Patient/x is not known",
			"Invalid reference: http://hl7.org/fhir/StructureDefinition/us-core-patient is not a local reference",
			"Unknown code system http://loinc.org in Observation.code.coding[0]",
			"Patient.name.given: minimum required = 1, but only found 0",
			"Invalid date/time/quantity format: \"notadate\"",
			"Error was: the value is not a number"
		}) {
			assertThat(ClientErrorText.clean(message)).as(message).isEqualTo(message);
			assertThat(ClientErrorText.hasJavaInternals(message)).as(message).isFalse();
		}
		assertThat(ClientErrorText.clean("HAPI-2001: HAPI-0450: Resource Patient/x is not known"))
				.isEqualTo("Resource Patient/x is not known");
		assertThat(ClientErrorText.clean(null)).isNull();
	}

	@Test
	void cleanIsIdempotent() {
		for (String message : new String[] {
			"HAPI-1272: Could not resolve type id 'bo\ngus' as a subtype of `x.JsonPatchOperation`: known",
			"HAPI-0450: Failed to parse request body as JSON resource. Error was: java.lang.X: y",
			"line\nbreak ${x}", "x".repeat(3000)
		}) {
			String once = ClientErrorText.clean(message);
			assertThat(ClientErrorText.clean(once)).isEqualTo(once);
		}
	}
}
