package org.fhirfort.fhirserver.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import org.hl7.fhir.r4.model.CapabilityStatement;
import org.junit.jupiter.api.Test;

class DisabledOperationsInterceptorTest {

	@Test
	void adminOperationsAreDisabled() {
		assertThat(DisabledOperationsInterceptor.isDisabled("$expunge")).isTrue();
		assertThat(DisabledOperationsInterceptor.isDisabled("expunge")).isTrue();
		assertThat(DisabledOperationsInterceptor.isDisabled("$EXPUNGE")).isTrue();
		assertThat(DisabledOperationsInterceptor.isDisabled("$reindex")).isTrue();
		assertThat(DisabledOperationsInterceptor.isDisabled("$export")).isTrue();
		assertThat(DisabledOperationsInterceptor.isDisabled("$hapi.fhir.merge")).isTrue();
		assertThat(DisabledOperationsInterceptor.isDisabled("$everything")).isFalse();
		assertThat(DisabledOperationsInterceptor.isDisabled("$meta")).isFalse();
		assertThat(DisabledOperationsInterceptor.isDisabled(null)).isFalse();
	}

	@Test
	void capabilityStatementIsPruned() {
		CapabilityStatement cs = new CapabilityStatement();
		CapabilityStatement.CapabilityStatementRestComponent rest = cs.addRest();
		rest.addOperation().setName("expunge");
		rest.addOperation().setName("meta");
		rest.addResource().setType("Patient").addOperation().setName("expunge");
		rest.getResourceFirstRep().addOperation().setName("everything");
		new DisabledOperationsInterceptor().prune(cs);
		assertThat(rest.getOperation()).extracting(o -> o.getName()).containsExactly("meta");
		assertThat(rest.getResourceFirstRep().getOperation()).extracting(o -> o.getName()).containsExactly("everything");
	}
}
