package org.fhirfort.fhirserver.security;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.interceptor.auth.AuthorizationInterceptor;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRule;
import ca.uhn.fhir.rest.server.interceptor.auth.PolicyEnum;
import java.util.List;
import org.fhirfort.fhirserver.security.SmartScope.Permission;
import org.hl7.fhir.instance.model.api.IBaseResource;

/**
 * HAPI's AuthorizationInterceptor with rules from the token's SMART scopes ({@link SmartRules}), plus an
 * operation-level scope gate (read vs search, create vs update) and a per-resource write check at storage time
 * that also covers every entry of a transaction. A refusal is 403 with
 * {@code WWW-Authenticate: Bearer realm="fhir", error="insufficient_scope"} and an OperationOutcome.
 */
@Interceptor
public class SmartAuthorizationInterceptor extends AuthorizationInterceptor implements FhirSecurityInterceptor {

	public static final String DENIED_MESSAGE = "Access denied: the access token's scopes do not permit this request";

	public SmartAuthorizationInterceptor() {
		super(PolicyEnum.DENY);
	}

	@Override
	public int securityOrder() {
		return SecurityOrder.AUTHORIZATION;
	}

	@Override
	public List<IAuthRule> buildRuleList(RequestDetails theRequestDetails) {
		return SmartRules.rules(SmartPrincipal.of(theRequestDetails));
	}

	@Override
	protected void handleDeny(RequestDetails theRequestDetails, Verdict decision) {
		throw forbidden(null);
	}

	/** 403 insufficient_scope; {@code detail} names what was missing (no internals). */
	public static ForbiddenOperationException forbidden(String detail) {
		ForbiddenOperationException e =
				new ForbiddenOperationException(detail == null ? DENIED_MESSAGE : DENIED_MESSAGE + " (" + detail + ")");
		e.addResponseHeader(
				"WWW-Authenticate",
				BearerErrors.challenge("insufficient_scope", "the access token's scopes do not permit this request", null));
		return e;
	}

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)
	public void scopeGate(RequestDetails theRequestDetails) {
		String reason = SmartRules.checkOperation(
				SmartPrincipal.of(theRequestDetails),
				theRequestDetails.getRestOperationType(),
				theRequestDetails.getResourceName());
		if (reason != null) {
			throw forbidden(reason);
		}
	}

	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED)
	public void checkCreate(IBaseResource theResource, RequestDetails theRequestDetails) {
		checkWrite(theRequestDetails, Permission.CREATE, theResource);
	}

	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED)
	public void checkUpdate(IBaseResource theOldResource, IBaseResource theResource, RequestDetails theRequestDetails) {
		checkWrite(theRequestDetails, Permission.UPDATE, theResource);
	}

	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_DELETED)
	public void checkDelete(IBaseResource theResource, RequestDetails theRequestDetails) {
		checkWrite(theRequestDetails, Permission.DELETE, theResource);
	}

	private static void checkWrite(RequestDetails rd, Permission perm, IBaseResource resource) {
		if (rd == null || resource == null) {
			return;
		}
		String type = rd.getFhirContext() != null
				? rd.getFhirContext().getResourceType(resource)
				: resource.fhirType();
		String reason = SmartRules.checkWrite(SmartPrincipal.of(rd), perm, type);
		if (reason != null) {
			throw forbidden(reason);
		}
	}
}
