package org.fhirfort.fhirserver.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SecurityInterceptorChainTest {

	record Member(String name, int securityOrder) implements FhirSecurityInterceptor {}

	@Test
	void registersInDefinedOrder() {
		Member audit = new Member("audit", SecurityOrder.AUDIT);
		Member authn = new Member("authn", SecurityOrder.AUTHENTICATION);
		Member authz = new Member("authz", SecurityOrder.AUTHORIZATION);
		SecurityInterceptorChain chain = new SecurityInterceptorChain(List.of(audit, authz, authn));
		assertThat(chain.interceptors()).containsExactly(authn, authz, audit);
		assertThat(chain.isEmpty()).isFalse();
		assertThat(new SecurityInterceptorChain(List.<FhirSecurityInterceptor>of()).isEmpty()).isTrue();
	}
}
