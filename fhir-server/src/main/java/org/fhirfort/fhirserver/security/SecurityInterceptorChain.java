package org.fhirfort.fhirserver.security;

import java.util.Comparator;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/** Collects the {@link FhirSecurityInterceptor} beans in their defined order. */
@Component
public class SecurityInterceptorChain {

	private final List<FhirSecurityInterceptor> members;

	@org.springframework.beans.factory.annotation.Autowired
	public SecurityInterceptorChain(ObjectProvider<FhirSecurityInterceptor> provider) {
		this(provider.orderedStream().toList());
	}

	public SecurityInterceptorChain(List<FhirSecurityInterceptor> members) {
		this.members = members.stream()
				.sorted(Comparator.comparingInt(FhirSecurityInterceptor::securityOrder))
				.toList();
	}

	/** Interceptor objects, in registration order. */
	public List<Object> interceptors() {
		return members.stream().map(FhirSecurityInterceptor::interceptor).toList();
	}

	public boolean isEmpty() {
		return members.isEmpty();
	}
}
