package org.fhirfort.fhirserver.audit;

import java.util.List;
import org.hl7.fhir.r4.model.AuditEvent;

/** Stores a batch of AuditEvents (each with its id set) in the FHIR database, all or nothing. */
public interface AuditWriter {

	/** The events were refused for what they contain (4xx): retrying the same content cannot succeed. */
	final class RejectedException extends Exception {
		private static final long serialVersionUID = 1L;

		public RejectedException(String message, Throwable cause) {
			super(message, cause);
		}
	}

	/**
	 * @throws RejectedException for a content problem (the caller retries event by event, then repairs)
	 * @throws Exception         anything else is transient (database down, ...): the caller retries later
	 */
	void write(List<AuditEvent> batch) throws Exception;
}
