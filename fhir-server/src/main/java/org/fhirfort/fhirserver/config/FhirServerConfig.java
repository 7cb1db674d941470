package org.fhirfort.fhirserver.config;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.provider.JpaCapabilityStatementProvider;
import ca.uhn.fhir.jpa.provider.JpaSystemProvider;
import ca.uhn.fhir.jpa.search.DatabaseBackedPagingProvider;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.server.ETagSupportEnum;
import ca.uhn.fhir.rest.server.HardcodedServerAddressStrategy;
import ca.uhn.fhir.rest.server.IncomingRequestAddressStrategy;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.provider.ResourceProviderFactory;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import java.util.List;
import org.fhirfort.fhirserver.fhir.AuditReferencesDeleteInterceptor;
import org.fhirfort.fhirserver.fhir.DisabledOperationsInterceptor;
import org.fhirfort.fhirserver.fhir.FhirfortRestfulServer;
import org.fhirfort.fhirserver.fhir.OutgoingOutcomeInterceptor;
import org.fhirfort.fhirserver.fhir.SafeErrorInterceptor;
import org.fhirfort.fhirserver.security.SecurityInterceptorChain;
import org.fhirfort.fhirserver.web.FhirFormatFilter;
import org.fhirfort.fhirserver.web.HeaderHardeningFilter;
import org.fhirfort.fhirserver.web.RequestBodyLimitFilter;
import org.fhirfort.fhirserver.web.TrustedProxies;
import org.fhirfort.fhirserver.web.TrustedProxyFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/** The FHIR endpoint at /fhir/* and the servlet filters in front of everything. */
@Configuration(proxyBeanMethods = false)
public class FhirServerConfig {

	private static final Logger LOG = LoggerFactory.getLogger(FhirServerConfig.class);

	public static final String FHIR_PATH = "/fhir/*";

	@Bean
	public RestfulServer fhirRestfulServer(
			FhirContext fhirContext,
			FhirfortProperties props,
			IFhirSystemDao<?, ?> systemDao,
			JpaSystemProvider<?, ?> systemProvider,
			ResourceProviderFactory resourceProviderFactory,
			JpaStorageSettings storageSettings,
			ISearchParamRegistry searchParamRegistry,
			IValidationSupport validationSupport,
			DatabaseBackedPagingProvider pagingProvider,
			SecurityInterceptorChain securityChain) {
		FhirfortRestfulServer server = new FhirfortRestfulServer(fhirContext);
		server.setServerName("fhirfort FHIR server");
		server.setServerVersion(softwareVersion());
		server.setImplementationDescription("fhirfort FHIR server");

		server.registerProviders(resourceProviderFactory.createProviders());
		server.registerProvider(systemProvider);

		JpaCapabilityStatementProvider capabilities = new JpaCapabilityStatementProvider(
				server, systemDao, storageSettings, searchParamRegistry, validationSupport);
		capabilities.setImplementationDescription("fhirfort FHIR server");
		capabilities.setIncludeResourceCounts(false);
		server.setServerConformanceProvider(capabilities);

		pagingProvider.setDefaultPageSize(props.getFhir().getDefaultPageSize());
		pagingProvider.setMaximumPageSize(props.getFhir().getMaxPageSize());
		server.setPagingProvider(pagingProvider);

		server.setETagSupport(ETagSupportEnum.ENABLED);
		server.setDefaultResponseEncoding(EncodingEnum.JSON);
		server.setDefaultPrettyPrint(false);
		// Gzip request bodies would bypass the body size limit (decompression bomb).
		server.setUncompressIncomingContents(false);

		String base = props.getFhir().getPublicBaseUrl();
		if (base != null && !base.isBlank()) {
			server.setServerAddressStrategy(new HardcodedServerAddressStrategy(base));
		} else {
			server.setServerAddressStrategy(new IncomingRequestAddressStrategy());
		}

		// Security first (SMART hooks in here later), then the server's own policies.
		for (Object interceptor : securityChain.interceptors()) {
			server.registerInterceptor(interceptor);
		}
		if (securityChain.isEmpty()) {
			LOG.warn("No FhirSecurityInterceptor registered: /fhir is not access-controlled by this process;"
					+ " keep it bound to loopback/private addresses behind the edge");
		}
		for (Object interceptor : policyInterceptors()) {
			server.registerInterceptor(interceptor);
		}
		return server;
	}

	/**
	 * The server's own policies, registered after security. Deliberately absent: ResponseHighlighterInterceptor,
	 * OpenApiInterceptor, GraphQL, terminology uploader, bulk export/import, $reindex, subscription triggering,
	 * CORS. Public so that tests run requests through exactly these.
	 */
	public static List<Object> policyInterceptors() {
		return List.of(
				new DisabledOperationsInterceptor(),
				new AuditReferencesDeleteInterceptor(),
				new SafeErrorInterceptor(),
				new OutgoingOutcomeInterceptor());
	}

	static String softwareVersion() {
		String v = FhirServerConfig.class.getPackage().getImplementationVersion();
		return v == null ? "dev" : v;
	}

	@Bean
	public ServletRegistrationBean<RestfulServer> fhirServletRegistration(RestfulServer fhirRestfulServer) {
		ServletRegistrationBean<RestfulServer> reg = new ServletRegistrationBean<>(fhirRestfulServer, FHIR_PATH);
		reg.setName("fhir");
		reg.setLoadOnStartup(1);
		return reg;
	}

	@Bean
	public FilterRegistrationBean<TrustedProxyFilter> trustedProxyFilter(FhirfortProperties props) {
		FilterRegistrationBean<TrustedProxyFilter> reg =
				new FilterRegistrationBean<>(new TrustedProxyFilter(TrustedProxies.parse(props.getTrustedProxies())));
		reg.setOrder(Ordered.HIGHEST_PRECEDENCE);
		reg.addUrlPatterns("/*");
		return reg;
	}

	@Bean
	public FilterRegistrationBean<HeaderHardeningFilter> headerHardeningFilter() {
		FilterRegistrationBean<HeaderHardeningFilter> reg = new FilterRegistrationBean<>(new HeaderHardeningFilter());
		reg.setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
		reg.addUrlPatterns("/*");
		return reg;
	}

	@Bean
	public FilterRegistrationBean<RequestBodyLimitFilter> requestBodyLimitFilter(FhirfortProperties props) {
		FilterRegistrationBean<RequestBodyLimitFilter> reg = new FilterRegistrationBean<>(
				new RequestBodyLimitFilter(props.getHttp().getMaxRequestBody().toBytes()));
		reg.setOrder(Ordered.HIGHEST_PRECEDENCE + 2);
		reg.addUrlPatterns("/*");
		return reg;
	}

	@Bean
	public FilterRegistrationBean<FhirFormatFilter> fhirFormatFilter() {
		FilterRegistrationBean<FhirFormatFilter> reg = new FilterRegistrationBean<>(new FhirFormatFilter());
		reg.setOrder(Ordered.HIGHEST_PRECEDENCE + 3);
		reg.addUrlPatterns(FHIR_PATH);
		return reg;
	}
}
