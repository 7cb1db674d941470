package org.fhirfort.fhirserver.audit;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.storage.interceptor.balp.BalpConstants;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Date;
import java.util.Locale;
import org.fhirfort.fhirserver.security.AuthenticationFailureListener;
import org.fhirfort.fhirserver.security.FhirSecurityInterceptor;
import org.fhirfort.fhirserver.security.SecurityOrder;
import org.fhirfort.fhirserver.security.SmartPrincipal;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Identifier;

/**
 * BALP records successes only; this records the refusals: 401 answered by the bearer filter (before HAPI), and
 * 401/403 raised inside HAPI (scope gate, AuthorizationInterceptor), via {@code SERVER_HANDLE_EXCEPTION}.
 * Outcome 4 (minor failure) with the public reason; the requested resource as an identifier (it may not exist).
 */
@Interceptor
public class RefusalAuditor implements FhirSecurityInterceptor, AuthenticationFailureListener {

	private final AuditPipeline pipeline;
	private final String serverBase;

	public RefusalAuditor(AuditPipeline pipeline, String serverBase) {
		this.pipeline = pipeline;
		this.serverBase = serverBase;
	}

	@Override
	public int securityOrder() {
		return SecurityOrder.AUDIT;
	}

	@Override
	public void onAuthenticationFailure(HttpServletRequest request, String reason) {
		String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
		pipeline.submit(event(null, request.getMethod(), null, path, request.getRemoteAddr(), 401, reason));
	}

	@Hook(Pointcut.SERVER_HANDLE_EXCEPTION)
	public void onException(
			RequestDetails theRequestDetails, HttpServletRequest theServletRequest, BaseServerResponseException theException) {
		int status = theException.getStatusCode();
		if (status != 401 && status != 403) {
			return;
		}
		String target = theRequestDetails.getId() != null && theRequestDetails.getId().hasIdPart()
				? theRequestDetails.getResourceName() + "/" + theRequestDetails.getId().getIdPart()
				: theRequestDetails.getRequestPath();
		pipeline.submit(event(
				SmartPrincipal.of(theRequestDetails),
				theRequestDetails.getRequestType() == null ? "-" : theRequestDetails.getRequestType().name(),
				theRequestDetails.getRestOperationType(),
				target,
				theServletRequest == null ? null : theServletRequest.getRemoteAddr(),
				status,
				theException.getMessage()));
	}

	AuditEvent event(SmartPrincipal p, String method, RestOperationTypeEnum op, String target, String address,
			int status, String reason) {
		AuditEvent ev = new AuditEvent();
		ev.getType().setSystem(BalpConstants.CS_AUDIT_EVENT_TYPE).setCode("rest").setDisplay("Restful Operation");
		String sub = op != null ? op.getCode() : method == null ? "-" : method.toLowerCase(Locale.ROOT);
		ev.addSubtype(new Coding(BalpConstants.CS_RESTFUL_INTERACTION, sub, sub));
		ev.setAction(action(method));
		ev.setOutcome(AuditEvent.AuditEventOutcome._4);
		ev.setOutcomeDesc(status + " " + (reason == null ? "" : reason));
		ev.setRecorded(new Date());
		ev.getSource().getObserver().setDisplay(serverBase);

		AuditEvent.AuditEventAgentComponent client = ev.addAgent();
		client.setWho(AuditContextServices.clientWho(p));
		client.getType().addCoding(new Coding("http://dicom.nema.org/resources/ontology/DCM", "110153", "Source Role ID"));
		client.setRequestor(false);
		if (address != null) {
			client.getNetwork().setAddress(address).setType(AuditEvent.AuditEventAgentNetworkType._2);
		}
		AuditEvent.AuditEventAgentComponent user = ev.addAgent();
		user.getType().addCoding(new Coding("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "IRCP",
				"information recipient"));
		user.setWho(AuditContextServices.userWho(p));
		user.setRequestor(true);

		if (target != null && !target.isBlank()) {
			AuditEvent.AuditEventEntityComponent en = ev.addEntity();
			en.getType().setSystem(BalpConstants.CS_AUDIT_ENTITY_TYPE).setCode("2").setDisplay("System Object");
			en.getWhat().setIdentifier(new Identifier().setSystem(AuditContextServices.RESOURCE_ID_SYSTEM).setValue(target));
		}
		return ev;
	}

	static AuditEvent.AuditEventAction action(String method) {
		if (method == null) {
			return AuditEvent.AuditEventAction.E;
		}
		return switch (method.toUpperCase(Locale.ROOT)) {
			case "GET", "HEAD" -> AuditEvent.AuditEventAction.R;
			case "POST" -> AuditEvent.AuditEventAction.C;
			case "PUT", "PATCH" -> AuditEvent.AuditEventAction.U;
			case "DELETE" -> AuditEvent.AuditEventAction.D;
			default -> AuditEvent.AuditEventAction.E;
		};
	}
}
