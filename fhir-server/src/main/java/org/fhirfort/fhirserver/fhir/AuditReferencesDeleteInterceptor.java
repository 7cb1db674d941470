package org.fhirfort.fhirserver.fhir;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.api.model.DeleteConflict;
import ca.uhn.fhir.jpa.api.model.DeleteConflictList;
import ca.uhn.fhir.jpa.delete.DeleteConflictOutcome;

/**
 * Referential integrity on delete stays on, except for references from the audit trail: the BALP AuditEvents of
 * every access reference the Patient and the resource touched, so without this no audited resource could ever be
 * deleted (409). The AuditEvents are kept (they are never deleted by a client) and still name the deleted
 * resource, whose versions remain in its history.
 */
@Interceptor
public class AuditReferencesDeleteInterceptor {

	static final String AUDIT_EVENT = "AuditEvent";

	@Hook(Pointcut.STORAGE_PRESTORAGE_DELETE_CONFLICTS)
	public DeleteConflictOutcome ignoreAuditReferences(DeleteConflictList conflicts) {
		conflicts.removeIf(AuditReferencesDeleteInterceptor::fromAuditTrail);
		return null;
	}

	static boolean fromAuditTrail(DeleteConflict conflict) {
		return conflict.getSourceId() != null && AUDIT_EVENT.equals(conflict.getSourceId().getResourceType());
	}
}
