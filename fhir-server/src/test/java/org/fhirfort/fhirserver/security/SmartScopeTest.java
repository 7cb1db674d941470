package org.fhirfort.fhirserver.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import org.fhirfort.fhirserver.security.SmartScope.Context;
import org.fhirfort.fhirserver.security.SmartScope.Permission;
import org.junit.jupiter.api.Test;

class SmartScopeTest {

	private static SmartScope one(String s) {
		return SmartScope.parse(s).orElseThrow();
	}

	@Test
	void v1ReadWriteAndStar() {
		SmartScope r = one("patient/*.read");
		assertThat(r.context()).isEqualTo(Context.PATIENT);
		assertThat(r.resourceType()).isEqualTo("*");
		assertThat(r.permissions()).containsExactlyInAnyOrder(Permission.READ, Permission.SEARCH);
		assertThat(one("user/Observation.write").permissions())
				.containsExactlyInAnyOrder(Permission.CREATE, Permission.UPDATE, Permission.DELETE);
		assertThat(one("system/Patient.*").permissions()).isEqualTo(EnumSet.allOf(Permission.class));
	}

	@Test
	void v2Letters() {
		assertThat(one("patient/Observation.rs").permissions())
				.containsExactlyInAnyOrder(Permission.READ, Permission.SEARCH);
		assertThat(one("user/*.cruds").permissions()).isEqualTo(EnumSet.allOf(Permission.class));
		assertThat(one("system/Patient.c").permissions()).containsExactly(Permission.CREATE);
		assertThat(one("user/Encounter.ud").permissions()).containsExactlyInAnyOrder(Permission.UPDATE, Permission.DELETE);
		assertThat(one("patient/Observation.r").permissions()).containsExactly(Permission.READ);
		assertThat(one("patient/Observation.s").permissions()).containsExactly(Permission.SEARCH);
	}

	@Test
	void malformedOrUnsupportedScopesIgnored() {
		for (String s : new String[] {
			"patient/Observation.sr", // wrong order
			"patient/Observation.rr",
			"patient/Observation.x",
			"patient/Observation.",
			"patient/observation.rs", // resource types start upper-case
			"patient/Observation.rs?category=laboratory", // granular: never widened
			"admin/*.read",
			"launch/patient",
			"openid",
			"fhirUser",
			"offline_access",
			"patient/*.READ",
			"patient/../Patient.rs",
			""
		}) {
			assertThat(SmartScope.parse(s)).as(s).isEmpty();
		}
	}

	@Test
	void scopeClaimParsed() {
		assertThat(SmartScope.parseAll("openid fhirUser launch/patient patient/*.rs  user/Observation.cu"))
				.extracting(SmartScope::raw)
				.containsExactly("patient/*.rs", "user/Observation.cu");
		assertThat(SmartScope.parseAll(null)).isEmpty();
	}
}
