package org.fhirfort.fhirserver.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.fhirfort.fhirserver.security.TestTokens.backend;
import static org.fhirfort.fhirserver.security.TestTokens.patientApp;
import static org.fhirfort.fhirserver.security.TestTokens.principal;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.interceptor.auth.AuthorizationInterceptor.Verdict;
import ca.uhn.fhir.rest.server.interceptor.auth.AuthorizedList;
import ca.uhn.fhir.rest.server.interceptor.auth.PolicyEnum;
import java.util.HashMap;
import java.util.Map;
import org.fhirfort.fhirserver.security.SmartScope.Permission;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;

/** Every rule with a token that must be refused (and one that must pass). */
class SmartRulesTest {

	private static final FhirContext CTX = FhirContext.forR4Cached();
	private final SmartAuthorizationInterceptor authz = new SmartAuthorizationInterceptor();

	private static SystemRequestDetails request(
			SmartPrincipal p, RestOperationTypeEnum op, String type, String id, Map<String, String[]> params) {
		SystemRequestDetails rd = new SystemRequestDetails();
		rd.setFhirContext(CTX);
		rd.setRestOperationType(op);
		rd.setResourceName(type);
		if (id != null) {
			rd.setId(new IdType(type, id));
		}
		rd.setParameters(params == null ? new HashMap<>() : params);
		if (p != null) {
			rd.getUserData().put(SmartPrincipal.ATTRIBUTE, p);
		}
		return rd;
	}

	private PolicyEnum decide(SmartPrincipal p, RestOperationTypeEnum op, String type, String id,
			Map<String, String[]> params, IBaseResource input, IBaseResource output, Pointcut pc) {
		SystemRequestDetails rd = request(p, op, type, id, params);
		Verdict v = authz.applyRulesAndReturnDecision(op, rd, input, rd.getId(), output, pc);
		return v.getDecision();
	}

	/** Read of a resource: the request (pre-handled) and the shown resource (pre-show) must both be allowed. */
	private PolicyEnum read(SmartPrincipal p, IBaseResource resource) {
		String type = resource.fhirType();
		String id = resource.getIdElement().getIdPart();
		String gate = SmartRules.checkOperation(p, RestOperationTypeEnum.READ, type);
		if (gate != null) {
			return PolicyEnum.DENY;
		}
		PolicyEnum pre = decide(p, RestOperationTypeEnum.READ, type, id, null, null, null,
				Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED);
		if (pre == PolicyEnum.DENY) {
			return pre;
		}
		return decide(p, RestOperationTypeEnum.READ, type, id, null, null, resource, Pointcut.STORAGE_PRESHOW_RESOURCES);
	}

	private PolicyEnum create(SmartPrincipal p, IBaseResource resource) {
		if (SmartRules.checkOperation(p, RestOperationTypeEnum.CREATE, resource.fhirType()) != null
				|| SmartRules.checkWrite(p, Permission.CREATE, resource.fhirType()) != null) {
			return PolicyEnum.DENY;
		}
		return decide(p, RestOperationTypeEnum.CREATE, resource.fhirType(), null, null, resource, null,
				Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED);
	}

	private static Patient patient(String id) {
		Patient pt = new Patient();
		pt.setId("Patient/" + id);
		return pt;
	}

	private static Observation observation(String id, String patientId) {
		Observation o = new Observation();
		o.setId("Observation/" + id);
		o.setSubject(new Reference("Patient/" + patientId));
		return o;
	}

	private static Map<String, String[]> params(String k, String v) {
		Map<String, String[]> m = new HashMap<>();
		m.put(k, new String[] {v});
		return m;
	}

	@Test
	void metadataOpenEvenWithoutToken() {
		assertThat(SmartRules.checkOperation(null, RestOperationTypeEnum.METADATA, null)).isNull();
		assertThat(decide(null, RestOperationTypeEnum.METADATA, null, null, null, null, null,
				Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)).isEqualTo(PolicyEnum.ALLOW);
	}

	@Test
	void noTokenDeniedEverythingElse() {
		assertThat(SmartRules.checkOperation(null, RestOperationTypeEnum.READ, "Patient")).isNotNull();
		assertThat(decide(null, RestOperationTypeEnum.READ, "Patient", "a", null, null, null,
				Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)).isEqualTo(PolicyEnum.DENY);
	}

	@Test
	void patientTokenReadsOwnPatientNotAnother() {
		SmartPrincipal a = patientApp("A", "patient/*.rs");
		assertThat(read(a, patient("A"))).isEqualTo(PolicyEnum.ALLOW);
		assertThat(read(a, patient("B"))).isEqualTo(PolicyEnum.DENY);
		assertThat(read(a, observation("o1", "A"))).isEqualTo(PolicyEnum.ALLOW);
		assertThat(read(a, observation("o2", "B"))).isEqualTo(PolicyEnum.DENY);
		Practitioner pr = new Practitioner();
		pr.setId("Practitioner/x");
		assertThat(read(a, pr)).as("outside the compartment").isEqualTo(PolicyEnum.DENY);
	}

	@Test
	void patientTokenSearchNarrowedAndResultsChecked() {
		SmartPrincipal a = patientApp("A", "patient/Observation.rs");
		AuthorizedList list = SmartSearchNarrowingInterceptor.authorizedList(a, "Observation");
		assertThat(list).isNotNull();
		assertThat(list).extracting("myAllowedCompartments").asList().containsExactly("Patient/A");
		assertThat(SmartRules.checkOperation(a, RestOperationTypeEnum.SEARCH_TYPE, "Observation")).isNull();
		assertThat(decide(a, RestOperationTypeEnum.SEARCH_TYPE, "Observation", null, params("patient", "Patient/A"),
				null, null, Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)).isEqualTo(PolicyEnum.ALLOW);
		// A search for patient B is refused up front; B's resources in any result are refused too.
		assertThat(decide(a, RestOperationTypeEnum.SEARCH_TYPE, "Observation", null, params("patient", "Patient/B"),
				null, null, Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)).isEqualTo(PolicyEnum.DENY);
		assertThat(decide(a, RestOperationTypeEnum.SEARCH_TYPE, "Observation", null, params("patient", "Patient/A"),
				null, observation("o2", "B"), Pointcut.STORAGE_PRESHOW_RESOURCES)).isEqualTo(PolicyEnum.DENY);
		// Type not granted at all.
		assertThat(SmartRules.checkOperation(a, RestOperationTypeEnum.SEARCH_TYPE, "Condition")).isNotNull();
		// System-wide search is not for patient tokens.
		assertThat(SmartRules.checkOperation(a, RestOperationTypeEnum.SEARCH_SYSTEM, null)).isNotNull();
	}

	@Test
	void patientScopesWithoutPatientClaimRefused() {
		SmartPrincipal noCtx = principal("fhirfort-public-app", "Patient/A", null, false, "patient/*.rs");
		assertThat(SmartRules.effectiveScopes(noCtx)).isEmpty();
		assertThat(read(noCtx, patient("A"))).isEqualTo(PolicyEnum.DENY);
		SmartPrincipal badId = principal("app", "Patient/A", "A/../B", false, "patient/*.rs");
		assertThat(SmartRules.patientId(badId)).isNull();
	}

	@Test
	void v2ReadWithoutSearchAndSearchWithoutRead() {
		SmartPrincipal r = patientApp("A", "patient/Observation.r");
		assertThat(SmartRules.checkOperation(r, RestOperationTypeEnum.READ, "Observation")).isNull();
		assertThat(SmartRules.checkOperation(r, RestOperationTypeEnum.SEARCH_TYPE, "Observation")).isNotNull();
		SmartPrincipal s = patientApp("A", "patient/Observation.s");
		assertThat(SmartRules.checkOperation(s, RestOperationTypeEnum.READ, "Observation")).isNotNull();
		assertThat(SmartRules.checkOperation(s, RestOperationTypeEnum.SEARCH_TYPE, "Observation")).isNull();
	}

	@Test
	void userScopesRequireFhirUser() {
		SmartPrincipal noUser = principal("fhirfort-confidential-app", null, null, false, "user/*.rs");
		assertThat(SmartRules.effectiveScopes(noUser)).isEmpty();
		assertThat(read(noUser, patient("A"))).isEqualTo(PolicyEnum.DENY);
		SmartPrincipal user = principal("fhirfort-confidential-app", "Practitioner/p1", null, false, "user/*.rs");
		assertThat(read(user, patient("A"))).isEqualTo(PolicyEnum.ALLOW);
		assertThat(read(user, patient("B"))).isEqualTo(PolicyEnum.ALLOW);
		assertThat(SmartSearchNarrowingInterceptor.authorizedList(user, "Patient")).isNull();
	}

	@Test
	void userScopesOfAPatientUserStayInTheirCompartment() {
		// a patient signed in with user/ scopes (no launch context): their own record only, never the audit trail
		SmartPrincipal p = principal("fhirfort-public-app", "Patient/A", null, false,
				"user/*.cruds user/AuditEvent.rs");
		assertThat(read(p, patient("A"))).isEqualTo(PolicyEnum.ALLOW);
		assertThat(read(p, patient("B"))).isEqualTo(PolicyEnum.DENY);
		assertThat(read(p, observation("o", "B"))).isEqualTo(PolicyEnum.DENY);
		assertThat(create(p, observation("n", "B"))).isEqualTo(PolicyEnum.DENY);
		assertThat(create(p, observation("n", "A"))).isEqualTo(PolicyEnum.ALLOW);
		AuditEvent ae = new AuditEvent();
		ae.setId("AuditEvent/x");
		assertThat(read(p, ae)).isEqualTo(PolicyEnum.DENY);
		assertThat(SmartSearchNarrowingInterceptor.authorizedList(p, "Observation"))
				.extracting("myAllowedCompartments").asList().containsExactly("Patient/A");
		// with a launch context that names another patient: the user/ scopes do not count at all
		SmartPrincipal mixed = principal("fhirfort-public-app", "Patient/A", "B", false, "user/*.rs");
		assertThat(SmartRules.effectiveScopes(mixed)).isEmpty();
		// a kind of user that is neither clinician nor patient gets nothing from user/ scopes
		SmartPrincipal related = principal("app", "RelatedPerson/r", null, false, "user/*.rs");
		assertThat(SmartRules.effectiveScopes(related)).isEmpty();
		// a clinician named by an absolute URL is still a clinician
		SmartPrincipal doc = principal("app", "https://fhir.example/fhir/Practitioner/p1", null, false, "user/*.rs");
		assertThat(read(doc, patient("B"))).isEqualTo(PolicyEnum.ALLOW);
	}

	@Test
	void conditionalOperationsNeedTheWholeType() {
		SmartPrincipal a = patientApp("A", "patient/*.cruds");
		assertThat(SmartRules.checkConditional(a, "Patient")).isNotNull();
		assertThat(SmartRules.checkConditional(backend("system/*.cruds"), "Observation")).isNull();
		assertThat(SmartRules.checkConditional(backend("system/Observation.c"), "Observation"))
				.as("create-only may not learn what exists").isNotNull();
		SystemRequestDetails rd = request(a, RestOperationTypeEnum.CREATE, "Patient", null, null);
		rd.addHeader("If-None-Exist", "_id=B");
		assertThatThrownBy(() -> authz.scopeGate(rd)).isInstanceOf(ForbiddenOperationException.class);
		SystemRequestDetails plain = request(a, RestOperationTypeEnum.CREATE, "Observation", null, null);
		authz.scopeGate(plain);
		org.hl7.fhir.r4.model.Bundle tx = new org.hl7.fhir.r4.model.Bundle();
		tx.setType(org.hl7.fhir.r4.model.Bundle.BundleType.TRANSACTION);
		tx.addEntry().setResource(observation("x", "A")).getRequest()
				.setMethod(org.hl7.fhir.r4.model.Bundle.HTTPVerb.POST).setUrl("Observation")
				.setIfNoneExist("subject=Patient/B");
		SystemRequestDetails txRd = request(a, RestOperationTypeEnum.TRANSACTION, null, null, null);
		txRd.setResource(tx);
		assertThatThrownBy(() -> authz.scopeGate(txRd)).isInstanceOf(ForbiddenOperationException.class);
	}

	@Test
	void compartmentWritersNameNoOtherPatient() {
		SmartPrincipal a = patientApp("A", "patient/*.cruds");
		Observation sideDoor = observation("n", "B");
		sideDoor.addPerformer(new Reference("Patient/A"));
		SystemRequestDetails rd = request(a, RestOperationTypeEnum.CREATE, "Observation", null, null);
		assertThatThrownBy(() -> authz.checkCreate(sideDoor, rd)).isInstanceOf(ForbiddenOperationException.class);
		Observation absolute = observation("m", "A");
		absolute.addPerformer(new Reference("https://fhir.fhirfort.test/fhir/Patient/B/_history/1"));
		assertThatThrownBy(() -> authz.checkCreate(absolute, rd)).isInstanceOf(ForbiddenOperationException.class);
		Observation conditionalRef = observation("c", "A");
		conditionalRef.addPerformer(new Reference("Patient?identifier=x"));
		assertThatThrownBy(() -> authz.checkCreate(conditionalRef, rd)).isInstanceOf(ForbiddenOperationException.class);
		Patient other = patient("B");
		other.addLink().setOther(new Reference("Patient/A"));
		assertThatThrownBy(() -> authz.checkCreate(other, rd)).isInstanceOf(ForbiddenOperationException.class);
		Patient fresh = new Patient();
		assertThatThrownBy(() -> authz.checkCreate(fresh, rd)).isInstanceOf(ForbiddenOperationException.class);
		// own record: allowed; a backend service may write any patient's
		authz.checkCreate(observation("ok", "A"), rd);
		authz.checkUpdate(patient("A"), patient("A"), rd);
		authz.checkCreate(sideDoor, request(backend("system/*.cruds"), RestOperationTypeEnum.CREATE, "Observation",
				null, null));
	}

	@Test
	void systemScopesOnlyForBackendClients() {
		assertThat(read(backend("system/*.rs"), patient("A"))).isEqualTo(PolicyEnum.ALLOW);
		SmartPrincipal notBackend = principal("fhirfort-public-app", null, null, false, "system/*.rs");
		assertThat(read(notBackend, patient("A"))).isEqualTo(PolicyEnum.DENY);
		// Flagged backend but carrying a user: system/ does not count.
		SmartPrincipal withUser = principal("fhirfort-backend", "Practitioner/p", null, true, "system/*.rs");
		assertThat(read(withUser, patient("A"))).isEqualTo(PolicyEnum.DENY);
	}

	@Test
	void readOnlyTokenCannotWrite() {
		assertThat(create(patientApp("A", "patient/*.rs"), observation("n", "A"))).isEqualTo(PolicyEnum.DENY);
		assertThat(create(backend("system/*.rs"), patient("n"))).isEqualTo(PolicyEnum.DENY);
		assertThat(create(principal("app", "Practitioner/p", null, false, "user/*.read"), patient("n")))
				.isEqualTo(PolicyEnum.DENY);
	}

	@Test
	void writesInsideCompartmentOnly() {
		SmartPrincipal a = patientApp("A", "patient/Observation.cruds");
		assertThat(create(a, observation("n1", "A"))).isEqualTo(PolicyEnum.ALLOW);
		assertThat(create(a, observation("n2", "B"))).isEqualTo(PolicyEnum.DENY);
	}

	@Test
	void createWithoutUpdateAndUpdateWithoutCreate() {
		SmartPrincipal c = principal("app", "Practitioner/p", null, false, "user/Observation.c");
		assertThat(SmartRules.checkOperation(c, RestOperationTypeEnum.CREATE, "Observation")).isNull();
		assertThat(SmartRules.checkOperation(c, RestOperationTypeEnum.UPDATE, "Observation")).isNotNull();
		assertThat(SmartRules.checkOperation(c, RestOperationTypeEnum.DELETE, "Observation")).isNotNull();
		SmartPrincipal u = principal("app", "Practitioner/p", null, false, "user/Observation.u");
		assertThat(SmartRules.checkWrite(u, Permission.CREATE, "Observation")).isNotNull();
		assertThat(SmartRules.checkWrite(u, Permission.UPDATE, "Observation")).isNull();
	}

	@Test
	void auditEventNeverWrittenByClients() {
		SmartPrincipal all = backend("system/*.cruds system/AuditEvent.cruds");
		AuditEvent ae = new AuditEvent();
		ae.setId("AuditEvent/x");
		assertThat(create(all, ae)).isEqualTo(PolicyEnum.DENY);
		assertThat(SmartRules.checkWrite(all, Permission.UPDATE, "AuditEvent")).isNotNull();
		assertThat(SmartRules.checkWrite(all, Permission.DELETE, "AuditEvent")).isNotNull();
		assertThat(decide(all, RestOperationTypeEnum.CREATE, "AuditEvent", null, null, ae, null,
				Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED)).isEqualTo(PolicyEnum.DENY);
		assertThat(decide(all, RestOperationTypeEnum.DELETE, "AuditEvent", "x", null, ae, null,
				Pointcut.STORAGE_PRESTORAGE_RESOURCE_DELETED)).isEqualTo(PolicyEnum.DENY);
		// The storage-time hook refuses too (covers transaction entries).
		SystemRequestDetails rd = request(all, RestOperationTypeEnum.TRANSACTION, null, null, null);
		assertThatThrownBy(() -> authz.checkCreate(ae, rd)).isInstanceOf(ForbiddenOperationException.class);
	}

	@Test
	void auditEventReadOnlyWithExplicitUserOrSystemScope() {
		AuditEvent ae = new AuditEvent();
		ae.setId("AuditEvent/x");
		assertThat(read(backend("system/*.rs"), ae)).as("wildcard does not reach AuditEvent").isEqualTo(PolicyEnum.DENY);
		assertThat(read(backend("system/AuditEvent.rs"), ae)).isEqualTo(PolicyEnum.ALLOW);
		assertThat(read(principal("app", "Practitioner/p", null, false, "user/AuditEvent.read"), ae))
				.isEqualTo(PolicyEnum.ALLOW);
		assertThat(read(patientApp("A", "patient/AuditEvent.rs"), ae)).isEqualTo(PolicyEnum.DENY);
		assertThat(SmartRules.checkOperation(backend("system/*.rs"), RestOperationTypeEnum.SEARCH_TYPE, "AuditEvent"))
				.isNotNull();
	}

	@Test
	void operationsAndUnknownInteractionsDenied() {
		SmartPrincipal all = backend("system/*.cruds");
		assertThat(SmartRules.checkOperation(all, RestOperationTypeEnum.EXTENDED_OPERATION_TYPE, "Patient")).isNotNull();
		assertThat(SmartRules.checkOperation(all, RestOperationTypeEnum.GRAPHQL_REQUEST, null)).isNotNull();
		assertThat(SmartRules.checkOperation(all, RestOperationTypeEnum.SEARCH_SYSTEM, null)).isNull();
	}

	@Test
	void deniedRequestGetsInsufficientScopeChallenge() {
		ForbiddenOperationException e = SmartAuthorizationInterceptor.forbidden("x");
		assertThat(e.getStatusCode()).isEqualTo(403);
		assertThat(e.getResponseHeaders().get("WWW-Authenticate").get(0))
				.startsWith("Bearer realm=\"fhir\", error=\"insufficient_scope\"");
		SystemRequestDetails rd = request(patientApp("A", "patient/*.rs"), RestOperationTypeEnum.READ,
				"Practitioner", "x", null);
		assertThatThrownBy(() -> authz.scopeGate(request(patientApp("A", "patient/Observation.rs"),
						RestOperationTypeEnum.READ, "Practitioner", "x", null)))
				.isInstanceOf(ForbiddenOperationException.class);
		assertThat(rd).isNotNull();
	}
}
