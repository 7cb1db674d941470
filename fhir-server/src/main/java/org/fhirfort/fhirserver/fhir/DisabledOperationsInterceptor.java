package org.fhirfort.fhirserver.fhir;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.MethodNotAllowedException;
import java.util.Locale;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseConformance;
import org.hl7.fhir.r4.model.CapabilityStatement;

/**
 * Administrative and bulk operations that HAPI's providers carry but this server does not offer: they are
 * refused (405) and left out of the CapabilityStatement. Expunge is also disabled in JpaStorageSettings.
 */
@Interceptor
public class DisabledOperationsInterceptor {

	public static final Set<String> DISABLED = Set.of(
			"$expunge",
			"$delete-expunge",
			"$mark-all-resources-for-reindexing",
			"$perform-reindexing-pass",
			"$reindex",
			"$reindex-dryrun",
			"$reindex-terminology",
			"$get-resource-counts",
			"$export",
			"$export-poll-status",
			"$import",
			"$import-poll-status",
			"$trigger-subscription",
			"$upload-external-code-system",
			"$apply-codesystem-delta-add",
			"$apply-codesystem-delta-remove",
			"$hapi.fhir.replace-references",
			"$hapi.fhir.undo-replace-references",
			"$merge",
			"$hapi.fhir.merge",
			"$hapi.fhir.undo-merge",
			"$diff",
			"$binary-access-read",
			"$binary-access-write");

	public static boolean isDisabled(String operation) {
		if (operation == null) {
			return false;
		}
		String op = operation.toLowerCase(Locale.ROOT);
		if (!op.startsWith("$")) {
			op = "$" + op;
		}
		return DISABLED.contains(op);
	}

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)
	public void refuse(RequestDetails theRequestDetails, RestOperationTypeEnum theOperation) {
		if (isDisabled(theRequestDetails.getOperation())) {
			throw new MethodNotAllowedException(
					"Operation " + theRequestDetails.getOperation() + " is not available on this server");
		}
	}

	@Hook(Pointcut.SERVER_CAPABILITY_STATEMENT_GENERATED)
	public void prune(IBaseConformance theCapabilityStatement) {
		if (theCapabilityStatement instanceof CapabilityStatement cs) {
			for (CapabilityStatement.CapabilityStatementRestComponent rest : cs.getRest()) {
				rest.getOperation().removeIf(o -> isDisabled(o.getName()));
				for (CapabilityStatement.CapabilityStatementRestResourceComponent res : rest.getResource()) {
					res.getOperation().removeIf(o -> isDisabled(o.getName()));
				}
			}
		}
	}
}
