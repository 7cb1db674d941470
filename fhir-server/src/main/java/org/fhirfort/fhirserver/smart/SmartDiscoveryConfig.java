package org.fhirfort.fhirserver.smart;

import java.io.IOException;
import org.fhirfort.fhirserver.security.SecurityConfig;
import org.fhirfort.fhirserver.security.SmartProperties;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** SMART discovery: the .well-known document (exact servlet mapping, wins over /fhir/*) and the CapabilityStatement. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(prefix = "fhirfort.smart", name = "enabled", havingValue = "true", matchIfMissing = true)
public class SmartDiscoveryConfig {

	public static final String WELL_KNOWN = "/.well-known/smart-configuration";

	@Bean
	public ServletRegistrationBean<SmartConfigurationServlet> smartConfigurationServlet(SmartProperties props)
			throws IOException {
		ServletRegistrationBean<SmartConfigurationServlet> reg = new ServletRegistrationBean<>(
				new SmartConfigurationServlet(props), SecurityConfig.fhirBasePath() + WELL_KNOWN);
		reg.setName("smart-configuration");
		reg.setLoadOnStartup(1);
		return reg;
	}

	@Bean
	public SmartCapabilityInterceptor smartCapabilityInterceptor(SmartProperties props) {
		return new SmartCapabilityInterceptor(props);
	}
}
