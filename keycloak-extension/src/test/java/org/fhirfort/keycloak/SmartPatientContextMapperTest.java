package org.fhirfort.keycloak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class SmartPatientContextMapperTest {

	@Test
	void aFhirIdIsTheLaunchContext() {
		assertEquals("example-patient-1", SmartPatientContextMapper.patientOf("example-patient-1"));
		assertEquals("a.B-9", SmartPatientContextMapper.patientOf("a.B-9"));
	}

	@Test
	void anythingElseIsLeftOut() {
		assertNull(SmartPatientContextMapper.patientOf(null));
		assertNull(SmartPatientContextMapper.patientOf(""));
		assertNull(SmartPatientContextMapper.patientOf("Patient/123"));
		assertNull(SmartPatientContextMapper.patientOf("x\" onload=\"alert(1)"));
		assertNull(SmartPatientContextMapper.patientOf("a".repeat(65)));
	}

	@Test
	void theProviderIdIsWhatTheRealmNames() {
		assertEquals("fhirfort-smart-patient-context", new SmartPatientContextMapper().getId());
	}
}
