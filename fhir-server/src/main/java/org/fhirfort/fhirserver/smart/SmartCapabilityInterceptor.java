package org.fhirfort.fhirserver.smart;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import org.fhirfort.fhirserver.security.FhirSecurityInterceptor;
import org.fhirfort.fhirserver.security.SecurityOrder;
import org.fhirfort.fhirserver.security.SmartProperties;
import org.hl7.fhir.instance.model.api.IBaseConformance;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.UriType;

/** Declares SMART on FHIR in the CapabilityStatement: rest.security service and the oauth-uris extension. */
@Interceptor
public class SmartCapabilityInterceptor implements FhirSecurityInterceptor {

	public static final String OAUTH_URIS = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris";
	public static final String SECURITY_SERVICE_SYSTEM = "http://terminology.hl7.org/CodeSystem/restful-security-service";

	private final SmartProperties props;

	public SmartCapabilityInterceptor(SmartProperties props) {
		this.props = props;
	}

	@Override
	public int securityOrder() {
		return SecurityOrder.AUTHENTICATION + 1;
	}

	@Hook(Pointcut.SERVER_CAPABILITY_STATEMENT_GENERATED)
	public void addSecurity(IBaseConformance theCapabilityStatement) {
		if (!(theCapabilityStatement instanceof CapabilityStatement cs)) {
			return;
		}
		for (CapabilityStatement.CapabilityStatementRestComponent rest : cs.getRest()) {
			CapabilityStatement.CapabilityStatementRestSecurityComponent sec = rest.getSecurity();
			sec.setCors(false);
			CodeableConcept service = new CodeableConcept();
			service.addCoding().setSystem(SECURITY_SERVICE_SYSTEM).setCode("SMART-on-FHIR").setDisplay("SMART-on-FHIR");
			service.setText("OAuth2 using SMART-on-FHIR profile (see .well-known/smart-configuration)");
			sec.getService().clear();
			sec.addService(service);
			sec.setDescription("SMART App Launch 2 and Backend Services; bearer access tokens required except for"
					+ " metadata and .well-known/smart-configuration");
			sec.getExtension().removeIf(e -> OAUTH_URIS.equals(e.getUrl()));
			Extension uris = new Extension(OAUTH_URIS);
			uris.addExtension(new Extension("authorize", new UriType(props.effectiveAuthorizationEndpoint())));
			uris.addExtension(new Extension("token", new UriType(props.effectiveTokenEndpoint())));
			if (!props.getRevocationEndpoint().isBlank()) {
				uris.addExtension(new Extension("revoke", new UriType(props.getRevocationEndpoint())));
			}
			if (!props.getIntrospectionEndpoint().isBlank()) {
				uris.addExtension(new Extension("introspect", new UriType(props.getIntrospectionEndpoint())));
			}
			if (!props.getManagementEndpoint().isBlank()) {
				uris.addExtension(new Extension("manage", new UriType(props.getManagementEndpoint())));
			}
			sec.addExtension(uris);
		}
	}
}
