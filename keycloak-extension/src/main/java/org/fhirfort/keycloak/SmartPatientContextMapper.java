package org.fhirfort.keycloak;

import java.util.List;
import java.util.regex.Pattern;

import org.keycloak.models.ClientSessionContext;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ProtocolMapperModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.protocol.oidc.mappers.AbstractOIDCProtocolMapper;
import org.keycloak.protocol.oidc.mappers.OIDCAccessTokenResponseMapper;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.representations.AccessTokenResponse;

/**
 * SMART App Launch: the launch context in the token response. A standalone patient launch grants
 * {@code launch/patient}; the app then learns its patient from the {@code patient} parameter of the token
 * response (SMART App Launch 2.x, "launch context arrives with the access token"). Keycloak's user attribute
 * mapper can put the patient into the token but not into the response, so this mapper, attached to the
 * {@code launch/patient} client scope only, copies the user's {@code patient} attribute there. A value that is
 * not a FHIR id is left out (the token's own claim is what the FHIR server enforces).
 */
public class SmartPatientContextMapper extends AbstractOIDCProtocolMapper implements OIDCAccessTokenResponseMapper {

	public static final String PROVIDER_ID = "fhirfort-smart-patient-context";
	static final String ATTRIBUTE = "patient";
	static final String PARAMETER = "patient";
	/** FHIR's id datatype: [A-Za-z0-9\-\.]{1,64}. */
	static final Pattern FHIR_ID = Pattern.compile("[A-Za-z0-9\\-.]{1,64}");

	@Override
	public String getId() {
		return PROVIDER_ID;
	}

	@Override
	public String getDisplayCategory() {
		return TOKEN_MAPPER_CATEGORY;
	}

	@Override
	public String getDisplayType() {
		return "SMART patient context (token response)";
	}

	@Override
	public String getHelpText() {
		return "Adds the user's 'patient' attribute as the 'patient' parameter of the token response (SMART launch context).";
	}

	@Override
	public List<ProviderConfigProperty> getConfigProperties() {
		return List.of();
	}

	@Override
	public AccessTokenResponse transformAccessTokenResponse(AccessTokenResponse response, ProtocolMapperModel model,
			KeycloakSession session, UserSessionModel userSession, ClientSessionContext clientSessionCtx) {
		String patient = patientOf(userSession.getUser().getFirstAttribute(ATTRIBUTE));
		if (patient != null) {
			response.setOtherClaims(PARAMETER, patient);
		}
		return response;
	}

	/** The patient id if it is a FHIR id, else null. */
	static String patientOf(String attribute) {
		return attribute != null && FHIR_ID.matcher(attribute).matches() ? attribute : null;
	}
}
