package org.fhirfort.fhirserver.security;

import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRule;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRuleBuilderRuleOp;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRuleBuilderRuleOpClassifier;
import ca.uhn.fhir.rest.server.interceptor.auth.RuleBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.fhirfort.fhirserver.security.SmartScope.Context;
import org.fhirfort.fhirserver.security.SmartScope.Permission;
import org.hl7.fhir.r4.model.IdType;

/**
 * SMART scopes to decisions. Pure functions of the principal, unit-tested rule by rule.
 *
 * <ul>
 *   <li>{@code patient/} scopes count only with a {@code patient} claim and reach only that patient's
 *       compartment (reads, searches, writes);
 *   <li>{@code user/} scopes count only with a {@code fhirUser} claim. A clinician ({@code Practitioner/} or
 *       {@code PractitionerRole/}) reaches what the scope names; a user who is a {@code Patient/} reaches only
 *       their own compartment (as with {@code patient/} scopes); any other kind of user gets nothing from a
 *       {@code user/} scope (the authorization server gives user/ scopes to clinicians only: defence in depth);
 *   <li>a principal bound to a compartment writes only resources whose every Patient reference is that patient
 *       (no writing into another patient's record by naming oneself in a side field), never creates another
 *       Patient, and uses no conditional operation (its search would see past the compartment);
 *   <li>{@code system/} scopes count only for a backend-services client (client id in
 *       {@code fhirfort.smart.backend-client-ids}, no user or patient in the token);
 *   <li>AuditEvent is never created, updated or deleted by a client; it is read/searched only with an explicit
 *       {@code user/AuditEvent.*} or {@code system/AuditEvent.*} scope (wildcards do not reach it);
 *   <li>{@code /metadata} is open; everything else is denied unless a scope grants it.
 * </ul>
 */
public final class SmartRules {

	public static final String AUDIT_EVENT = "AuditEvent";
	public static final String PATIENT = "Patient";

	private static final Pattern FHIR_ID = Pattern.compile("^[A-Za-z0-9\\-.]{1,64}$");

	/** Kinds of fhirUser whose user/ scopes are not bound to a compartment (clinicians). */
	public static final Set<String> CLINICIAN_TYPES = Set.of("Practitioner", "PractitionerRole");

	private SmartRules() {}

	/** The patient id of the launch context, or null when absent or not a plain FHIR id. */
	public static String patientId(SmartPrincipal p) {
		if (p == null || !p.hasPatient()) {
			return null;
		}
		String id = p.patient().startsWith("Patient/") ? p.patient().substring(8) : p.patient();
		return FHIR_ID.matcher(id).matches() ? id : null;
	}

	/** The resource type of the fhirUser claim ({@code Practitioner/1} or an absolute URL), or null. */
	static String userType(SmartPrincipal p) {
		if (p == null || !p.hasUser()) {
			return null;
		}
		IdType id = new IdType(p.fhirUser());
		return id.hasResourceType() && id.hasIdPart() && FHIR_ID.matcher(id.getIdPart()).matches()
				? id.getResourceType()
				: null;
	}

	/** True when the user is a clinician: their user/ scopes reach what the scope names. */
	public static boolean clinician(SmartPrincipal p) {
		String type = userType(p);
		return type != null && CLINICIAN_TYPES.contains(type);
	}

	/** The patient id of a fhirUser that is a Patient, or null. */
	public static String userPatientId(SmartPrincipal p) {
		return PATIENT.equals(userType(p)) ? new IdType(p.fhirUser()).getIdPart() : null;
	}

	/**
	 * The patient whose compartment bounds a principal that is not a clinician or a backend service: the launch
	 * context, else the signed-in patient. Null when nothing bounds it.
	 */
	public static String compartmentPatientId(SmartPrincipal p) {
		String launch = patientId(p);
		return launch != null ? launch : userPatientId(p);
	}

	/** The patient whose compartment bounds this scope, or null when the scope reaches what it names. */
	static String compartmentOf(SmartScope s, SmartPrincipal p) {
		return switch (s.context()) {
			case PATIENT -> patientId(p);
			case USER -> clinician(p) ? null : userPatientId(p);
			case SYSTEM -> null;
		};
	}

	/** Scopes whose context precondition the token meets. */
	public static List<SmartScope> effectiveScopes(SmartPrincipal p) {
		List<SmartScope> out = new ArrayList<>();
		if (p == null) {
			return out;
		}
		String launch = patientId(p);
		String userPatient = userPatientId(p);
		for (SmartScope s : p.scopes()) {
			boolean ok = switch (s.context()) {
				case PATIENT -> launch != null;
				// a patient user's user/ scopes: their own compartment, and only if a launch context agrees
				case USER -> clinician(p) || (userPatient != null && (launch == null || launch.equals(userPatient)));
				case SYSTEM -> p.backendClient() && !p.hasUser() && !p.hasPatient();
			};
			if (ok) {
				out.add(s);
			}
		}
		return out;
	}

	/** Does one scope reach this resource type for this permission (AuditEvent rules included)? */
	static boolean reaches(SmartPrincipal p, SmartScope s, Permission perm, String type) {
		if (AUDIT_EVENT.equals(type)) {
			// the audit trail: explicit AuditEvent scopes of clinicians and backend services only
			return s.context() != Context.PATIENT
					&& compartmentOf(s, p) == null
					&& AUDIT_EVENT.equals(s.resourceType())
					&& (perm == Permission.READ || perm == Permission.SEARCH)
					&& s.grants(perm);
		}
		return s.appliesTo(type) && s.grants(perm);
	}

	/** True when some effective scope grants {@code perm} on {@code type} ({@code *}: only wildcard scopes). */
	public static boolean permits(SmartPrincipal p, Permission perm, String type) {
		for (SmartScope s : effectiveScopes(p)) {
			if (SmartScope.ANY_TYPE.equals(type)) {
				if (SmartScope.ANY_TYPE.equals(s.resourceType()) && s.grants(perm)) {
					return true;
				}
			} else if (reaches(p, s, perm, type)) {
				return true;
			}
		}
		return false;
	}

	/** True when a scope not bound to a compartment grants {@code perm} on {@code type}: no narrowing then. */
	public static boolean permitsWithoutCompartment(SmartPrincipal p, Permission perm, String type) {
		for (SmartScope s : effectiveScopes(p)) {
			if (compartmentOf(s, p) == null && reaches(p, s, perm, type)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Conditional operations (create with If-None-Exist, update/patch/delete by search URL, conditional entries of
	 * a transaction) search the whole type and answer with what they matched: only for a principal that may read
	 * and search every resource of the type. Null when allowed, else the reason.
	 */
	public static String checkConditional(SmartPrincipal p, String type) {
		if (type != null
				&& permitsWithoutCompartment(p, Permission.SEARCH, type)
				&& permitsWithoutCompartment(p, Permission.READ, type)) {
			return null;
		}
		return "conditional operations need read and search of every " + (type == null ? "resource" : type);
	}

	/**
	 * Patient references of a resource written by a principal bound to a compartment: each must be that patient
	 * (absolute, relative or versioned), none may be a search URL, and a Patient may be written only as that
	 * patient itself. Null when allowed, else the reason.
	 */
	public static String checkPatientReferences(
			SmartPrincipal p, Permission perm, String type, String resourceId, List<String> references) {
		if (p == null || permitsWithoutCompartment(p, perm, type)) {
			return null;
		}
		String own = compartmentPatientId(p);
		if (own == null) {
			return "no patient context for this write";
		}
		if (PATIENT.equals(type) && !own.equals(resourceId)) {
			return "a patient-context token writes only its own Patient";
		}
		for (String ref : references) {
			if (ref == null || ref.isBlank() || ref.startsWith("#")) {
				continue;
			}
			if (ref.contains("?")) {
				return "conditional references are not available to a patient-context token";
			}
			IdType id = new IdType(ref);
			if (PATIENT.equals(id.getResourceType()) && !own.equals(id.getIdPart())) {
				return "the resource refers to another patient";
			}
		}
		return null;
	}

	public static boolean anyGrant(SmartPrincipal p, Permission perm) {
		for (SmartScope s : effectiveScopes(p)) {
			if (s.grants(perm)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Operation-level check before HAPI's rules: null when the scopes allow the kind of operation on the type,
	 * otherwise the reason (v2 distinguishes read from search and create from update, which HAPI's rule builder
	 * does not). Writes are checked again per resource at storage time (transactions included).
	 */
	public static String checkOperation(SmartPrincipal p, RestOperationTypeEnum op, String type) {
		if (op == RestOperationTypeEnum.METADATA) {
			return null;
		}
		if (p == null) {
			return "no access token";
		}
		if (op == null) {
			return "operation not permitted";
		}
		switch (op) {
			case READ, VREAD, HISTORY_INSTANCE, HISTORY_TYPE:
				return permits(p, Permission.READ, type) ? null : "scope does not permit read of " + type;
			case SEARCH_TYPE:
				return permits(p, Permission.SEARCH, type) ? null : "scope does not permit search of " + type;
			case GET_PAGE:
				return anyGrant(p, Permission.SEARCH) ? null : "scope does not permit search";
			case SEARCH_SYSTEM, HISTORY_SYSTEM:
				return permits(p, Permission.SEARCH, SmartScope.ANY_TYPE)
								&& permits(p, Permission.READ, SmartScope.ANY_TYPE)
						? null
						: "scope does not permit system-wide search";
			case CREATE:
				return checkWrite(p, Permission.CREATE, type);
			case UPDATE, PATCH:
				return checkWrite(p, Permission.UPDATE, type);
			case DELETE:
				return checkWrite(p, Permission.DELETE, type);
			case TRANSACTION, BATCH:
				return effectiveScopes(p).isEmpty() ? "no usable scope" : null;
			default:
				return "operation " + op.getCode() + " is not available to SMART clients";
		}
	}

	/** Per-resource write check (also used for each entry of a transaction at storage time). */
	public static String checkWrite(SmartPrincipal p, Permission perm, String type) {
		if (AUDIT_EVENT.equals(type)) {
			return "AuditEvent is written by the server only";
		}
		if (p == null) {
			return "no access token";
		}
		return permits(p, perm, type) ? null : "scope does not permit " + perm.name().toLowerCase() + " of " + type;
	}

	/** HAPI AuthorizationInterceptor rules for the principal (compartments, per-resource checks). */
	public static List<IAuthRule> rules(SmartPrincipal p) {
		RuleBuilder b = new RuleBuilder();
		b.allow("metadata").metadata().andThen();
		if (p == null) {
			return b.denyAll("no access token").build();
		}
		// AuditEvent: append-only by the server; read only with an explicit user/ or system/ AuditEvent scope.
		b.deny("AuditEvent is server-written").write().resourcesOfType(AUDIT_EVENT).withAnyId().andThen();
		b.deny("AuditEvent is server-written").create().resourcesOfType(AUDIT_EVENT).withAnyId().andThen();
		b.deny("AuditEvent is server-written").delete().resourcesOfType(AUDIT_EVENT).withAnyId().andThen();
		if (!permits(p, Permission.READ, AUDIT_EVENT) && !permits(p, Permission.SEARCH, AUDIT_EVENT)) {
			b.deny("AuditEvent needs an explicit scope").read().resourcesOfType(AUDIT_EVENT).withAnyId().andThen();
		}

		boolean anyWrite = false;
		boolean anyUpdate = false;
		List<SmartScope> scopes = effectiveScopes(p);
		for (SmartScope s : scopes) {
			String name = s.raw();
			String compartment = compartmentOf(s, p);
			if (s.grants(Permission.READ) || s.grants(Permission.SEARCH)) {
				finish(target(b.allow(name).read(), s), compartment);
			}
			if (s.grants(Permission.CREATE)) {
				finish(target(b.allow(name).create(), s), compartment);
				anyWrite = true;
			}
			if (s.grants(Permission.UPDATE)) {
				finish(target(b.allow(name).write(), s), compartment);
				anyWrite = true;
				anyUpdate = true;
			}
			if (s.grants(Permission.DELETE)) {
				finish(target(b.allow(name).delete(), s), compartment);
				anyWrite = true;
			}
		}
		if (!scopes.isEmpty()) {
			// Each entry of a batch/transaction is checked by the rules above (and by the storage-time check).
			b.allow("transaction entries by normal rules").transaction().withAnyOperation().andApplyNormalRules()
					.andThen();
		}
		if (anyWrite && anyUpdate) {
			// The patched resource is checked again as an update by the write rules.
			b.allow("patch checked as update").patch().allRequests().andThen();
		}
		return b.denyAll("default deny").build();
	}

	private static IAuthRuleBuilderRuleOpClassifier target(IAuthRuleBuilderRuleOp op, SmartScope s) {
		return SmartScope.ANY_TYPE.equals(s.resourceType())
				? op.allResources()
				: op.resourcesOfType(s.resourceType());
	}

	private static void finish(IAuthRuleBuilderRuleOpClassifier c, String compartmentPatientId) {
		if (compartmentPatientId != null) {
			c.inCompartment(PATIENT, new IdType(PATIENT, compartmentPatientId)).andThen();
		} else {
			c.withAnyId().andThen();
		}
	}
}
