package org.fhirfort.fhirserver.security;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.interceptor.auth.AuthorizationInterceptor;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRule;
import ca.uhn.fhir.rest.server.interceptor.auth.PolicyEnum;
import java.util.ArrayList;
import java.util.List;
import org.fhirfort.fhirserver.security.SmartScope.Permission;
import org.hl7.fhir.instance.model.api.IBaseReference;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;

/**
 * HAPI's AuthorizationInterceptor with rules from the token's SMART scopes ({@link SmartRules}), plus an
 * operation-level scope gate (read vs search, create vs update, conditional operations) and a per-resource write
 * check at storage time (scopes, and the Patient references of a compartment-bound writer) that also covers every
 * entry of a transaction. A refusal is 403 with
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
		SmartPrincipal principal = SmartPrincipal.of(theRequestDetails);
		RestOperationTypeEnum op = theRequestDetails.getRestOperationType();
		String reason = SmartRules.checkOperation(principal, op, theRequestDetails.getResourceName());
		if (reason == null) {
			reason = conditionalGate(principal, op, theRequestDetails);
		}
		if (reason != null) {
			throw forbidden(reason);
		}
	}

	/** Conditional operations, top level or inside a transaction/batch ({@link SmartRules#checkConditional}). */
	static String conditionalGate(SmartPrincipal p, RestOperationTypeEnum op, RequestDetails rd) {
		if (op == null) {
			return null;
		}
		String type = rd.getResourceName();
		switch (op) {
			case CREATE:
				return rd.getHeader(Constants.HEADER_IF_NONE_EXIST) != null ? SmartRules.checkConditional(p, type) : null;
			case UPDATE, PATCH, DELETE:
				return rd.getConditionalUrl(op) != null ? SmartRules.checkConditional(p, type) : null;
			case TRANSACTION, BATCH:
				if (rd.getResource() instanceof Bundle bundle) {
					for (Bundle.BundleEntryComponent e : bundle.getEntry()) {
						Bundle.BundleEntryRequestComponent req = e.getRequest();
						String url = req.getUrl() == null ? "" : req.getUrl();
						boolean conditional = req.hasIfNoneExist()
								|| (url.contains("?") && req.getMethod() != Bundle.HTTPVerb.GET);
						if (conditional) {
							String entryType = e.hasResource() ? e.getResource().fhirType() : url.split("[/?]", 2)[0];
							String reason = SmartRules.checkConditional(p, entryType);
							if (reason != null) {
								return reason;
							}
						}
					}
				}
				return null;
			default:
				return null;
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
		SmartPrincipal principal = SmartPrincipal.of(rd);
		String reason = SmartRules.checkWrite(principal, perm, type);
		if (reason == null && perm != Permission.DELETE && rd.getFhirContext() != null) {
			List<String> refs = new ArrayList<>();
			for (IBaseReference r :
					rd.getFhirContext().newTerser().getAllPopulatedChildElementsOfType(resource, IBaseReference.class)) {
				refs.add(r.getReferenceElement() == null ? null : r.getReferenceElement().getValue());
			}
			reason = SmartRules.checkPatientReferences(
					principal, perm, type, resource.getIdElement().getIdPart(), refs);
		}
		if (reason != null) {
			throw forbidden(reason);
		}
	}
}
