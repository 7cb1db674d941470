package org.fhirfort.fhirserver.audit;

import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.storage.interceptor.balp.IBalpAuditContextServices;
import jakarta.annotation.Nonnull;
import org.fhirfort.fhirserver.security.SmartPrincipal;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;

/**
 * Who did it, for BALP: the OAuth client ({@code azp}) and the user ({@code fhirUser}, else the token subject) as
 * identifiers (never references: they are not resources of this server), the client address as resolved by the
 * trusted-proxy filter (X-Forwarded-For only from the configured edge), and resource ids as relative references
 * ({@code Patient/123}): HAPI refuses absolute references on write (HAPI-0507).
 */
public class AuditContextServices implements IBalpAuditContextServices {

	public static final String CLIENT_SYSTEM = "urn:fhirfort:oauth-client-id";
	public static final String FHIR_USER_SYSTEM = "urn:fhirfort:fhir-user";
	public static final String SUBJECT_SYSTEM = "urn:fhirfort:oauth-subject";
	public static final String RESOURCE_ID_SYSTEM = "urn:fhirfort:resource";

	public static Reference clientWho(SmartPrincipal p) {
		String client = p == null ? "anonymous" : p.clientId();
		return new Reference().setIdentifier(new Identifier().setSystem(CLIENT_SYSTEM).setValue(client)).setDisplay(client);
	}

	public static Reference userWho(SmartPrincipal p) {
		if (p == null) {
			return new Reference().setDisplay("anonymous");
		}
		if (p.hasUser()) {
			return new Reference()
					.setIdentifier(new Identifier().setSystem(FHIR_USER_SYSTEM).setValue(p.fhirUser()))
					.setDisplay(p.fhirUser());
		}
		String sub = p.subject() == null ? p.clientId() : p.subject();
		return new Reference()
				.setIdentifier(new Identifier().setSystem(SUBJECT_SYSTEM).setValue(sub))
				.setDisplay("client " + p.clientId());
	}

	@Nonnull
	@Override
	public Reference getAgentClientWho(RequestDetails theRequestDetails) {
		return clientWho(SmartPrincipal.of(theRequestDetails));
	}

	@Nonnull
	@Override
	public Reference getAgentUserWho(RequestDetails theRequestDetails) {
		return userWho(SmartPrincipal.of(theRequestDetails));
	}

	@Nonnull
	@Override
	public String massageResourceIdForStorage(
			@Nonnull RequestDetails theRequestDetails,
			@Nonnull IBaseResource theResource,
			@Nonnull IIdType theResourceId) {
		String type = theResourceId.hasResourceType() ? theResourceId.getResourceType() : theResource.fhirType();
		return type + "/" + theResourceId.getIdPart();
	}
}
