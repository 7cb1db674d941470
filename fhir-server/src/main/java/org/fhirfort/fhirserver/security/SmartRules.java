package org.fhirfort.fhirserver.security;

import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRule;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRuleBuilderRuleOp;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRuleBuilderRuleOpClassifier;
import ca.uhn.fhir.rest.server.interceptor.auth.RuleBuilder;
import java.util.ArrayList;
import java.util.List;
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
 *   <li>{@code user/} scopes count only with a {@code fhirUser} claim;
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

	private SmartRules() {}

	/** The patient id of the launch context, or null when absent or not a plain FHIR id. */
	public static String patientId(SmartPrincipal p) {
		if (p == null || !p.hasPatient()) {
			return null;
		}
		String id = p.patient().startsWith("Patient/") ? p.patient().substring(8) : p.patient();
		return FHIR_ID.matcher(id).matches() ? id : null;
	}

	/** Scopes whose context precondition the token meets. */
	public static List<SmartScope> effectiveScopes(SmartPrincipal p) {
		List<SmartScope> out = new ArrayList<>();
		if (p == null) {
			return out;
		}
		for (SmartScope s : p.scopes()) {
			boolean ok = switch (s.context()) {
				case PATIENT -> patientId(p) != null;
				case USER -> p.hasUser();
				case SYSTEM -> p.backendClient() && !p.hasUser() && !p.hasPatient();
			};
			if (ok) {
				out.add(s);
			}
		}
		return out;
	}

	/** Does one scope reach this resource type for this permission (AuditEvent rules included)? */
	static boolean reaches(SmartScope s, Permission perm, String type) {
		if (AUDIT_EVENT.equals(type)) {
			return s.context() != Context.PATIENT
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
			} else if (reaches(s, perm, type)) {
				return true;
			}
		}
		return false;
	}

	/** True when a non-patient (user/system) scope grants {@code perm} on {@code type}: no narrowing then. */
	public static boolean permitsWithoutCompartment(SmartPrincipal p, Permission perm, String type) {
		for (SmartScope s : effectiveScopes(p)) {
			if (s.context() != Context.PATIENT && reaches(s, perm, type)) {
				return true;
			}
		}
		return false;
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

		String patientId = patientId(p);
		boolean anyWrite = false;
		boolean anyUpdate = false;
		List<SmartScope> scopes = effectiveScopes(p);
		for (SmartScope s : scopes) {
			String name = s.raw();
			if (s.grants(Permission.READ) || s.grants(Permission.SEARCH)) {
				finish(target(b.allow(name).read(), s), s, patientId);
			}
			if (s.grants(Permission.CREATE)) {
				finish(target(b.allow(name).create(), s), s, patientId);
				anyWrite = true;
			}
			if (s.grants(Permission.UPDATE)) {
				finish(target(b.allow(name).write(), s), s, patientId);
				anyWrite = true;
				anyUpdate = true;
			}
			if (s.grants(Permission.DELETE)) {
				finish(target(b.allow(name).delete(), s), s, patientId);
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

	private static void finish(IAuthRuleBuilderRuleOpClassifier c, SmartScope s, String patientId) {
		if (s.context() == Context.PATIENT) {
			c.inCompartment(PATIENT, new IdType(PATIENT, patientId)).andThen();
		} else {
			c.withAnyId().andThen();
		}
	}
}
