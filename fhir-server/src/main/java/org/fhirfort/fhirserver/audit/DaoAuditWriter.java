package org.fhirfort.fhirserver.audit;

import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import java.util.List;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;

/**
 * Writes a batch as one FHIR transaction through the DAO ({@code PUT AuditEvent/<id>}: a replay of the same
 * event is an idempotent update). A system request: the RestfulServer's interceptors (authorization, BALP) are
 * not involved, so audit writes are not themselves audited and need no client scope.
 */
public class DaoAuditWriter implements AuditWriter {

	private final IFhirSystemDao<Bundle, ?> systemDao;

	public DaoAuditWriter(IFhirSystemDao<Bundle, ?> systemDao) {
		this.systemDao = systemDao;
	}

	static Bundle transaction(List<AuditEvent> batch) {
		Bundle b = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		for (AuditEvent ev : batch) {
			String id = ev.getIdElement().getIdPart();
			b.addEntry()
					.setResource(ev)
					.getRequest()
					.setMethod(Bundle.HTTPVerb.PUT)
					.setUrl("AuditEvent/" + id);
		}
		return b;
	}

	@Override
	public void write(List<AuditEvent> batch) throws Exception {
		try {
			systemDao.transaction(new SystemRequestDetails(), transaction(batch));
		} catch (BaseServerResponseException e) {
			if (e.getStatusCode() >= 400 && e.getStatusCode() < 500) {
				throw new AuditWriter.RejectedException(e.getMessage(), e);
			}
			throw e;
		}
	}
}
