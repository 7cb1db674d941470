package org.fhirfort.fhirserver.security;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.interceptor.auth.AuthorizedList;
import ca.uhn.fhir.rest.server.interceptor.auth.SearchNarrowingInterceptor;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.fhirfort.fhirserver.security.SmartScope.Permission;

/**
 * Narrows searches of a patient-context token to its patient's compartment (HAPI's SearchNarrowingInterceptor),
 * unless a user/ or system/ scope of the same token already grants the search without a compartment. HAPI's
 * narrowing does not support system-level searches; those are left to the authorization rules (which refuse
 * them for patient-only tokens).
 */
@Interceptor
public class SmartSearchNarrowingInterceptor implements FhirSecurityInterceptor {

	private final SearchNarrowingInterceptor delegate = new SearchNarrowingInterceptor() {
		@Override
		protected AuthorizedList buildAuthorizedList(RequestDetails theRequestDetails) {
			return authorizedList(SmartPrincipal.of(theRequestDetails), theRequestDetails.getResourceName());
		}
	};

	@Override
	public int securityOrder() {
		return SecurityOrder.SEARCH_NARROWING;
	}

	/** The compartment a search is narrowed to, or null for no narrowing. */
	public static AuthorizedList authorizedList(SmartPrincipal p, String resourceType) {
		String patientId = SmartRules.compartmentPatientId(p);
		if (patientId == null) {
			return null;
		}
		if (resourceType != null && SmartRules.permitsWithoutCompartment(p, Permission.SEARCH, resourceType)) {
			return null;
		}
		return new AuthorizedList().addCompartment(SmartRules.PATIENT + "/" + patientId);
	}

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
	public void postProcessed(
			RequestDetails theRequestDetails, HttpServletRequest theRequest, HttpServletResponse theResponse) {
		RestOperationTypeEnum op = theRequestDetails.getRestOperationType();
		if (op == null || op == RestOperationTypeEnum.SEARCH_SYSTEM || op == RestOperationTypeEnum.METADATA) {
			return;
		}
		delegate.hookIncomingRequestPostProcessed(theRequestDetails, theRequest, theResponse);
	}

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)
	public void preHandled(
			ServletRequestDetails theRequestDetails, HttpServletRequest theRequest, HttpServletResponse theResponse) {
		delegate.hookIncomingRequestPreHandled(theRequestDetails, theRequest, theResponse);
	}
}
