package org.fhirfort.fhirserver.audit;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.RequestTypeEnum;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import ca.uhn.fhir.storage.interceptor.balp.BalpAuditCaptureInterceptor;
import java.util.ArrayList;
import java.util.List;
import org.fhirfort.fhirserver.security.SmartPrincipal;
import org.fhirfort.fhirserver.security.SmartScope;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

/** HAPI's BALP interceptor with the kit's context services: relative references only, who from the token. */
class BalpIntegrationTest {

	@Test
	void createAuditedWithRelativeReferencesAndTokenIdentity() {
		FhirContext ctx = FhirContext.forR4Cached();
		List<AuditEvent> sink = new ArrayList<>();
		BalpAuditCaptureInterceptor balp = new BalpAuditCaptureInterceptor(sink::add, new AuditContextServices());

		RestfulServer server = new RestfulServer(ctx);
		MockHttpServletRequest servlet = new MockHttpServletRequest("POST", "/fhir/Observation");
		servlet.setRemoteAddr("198.51.100.7");
		ServletRequestDetails rd = new ServletRequestDetails();
		rd.setServer(server);
		rd.setServletRequest(servlet);
		rd.setRestOperationType(RestOperationTypeEnum.CREATE);
		rd.setRequestType(RequestTypeEnum.POST);
		rd.setFhirServerBase("https://fhir.fhirfort.test/fhir");
		rd.getUserData().put(SmartPrincipal.ATTRIBUTE, new SmartPrincipal("sub", "fhirfort-public-app",
				"Practitioner/p1", null, SmartScope.parseAll("user/*.cruds"), "user/*.cruds", false,
				java.time.Instant.now().plusSeconds(60), "j"));

		Observation o = new Observation();
		o.setId("Observation/o1/_history/1");
		o.setSubject(new Reference("Patient/A"));
		balp.hookStoragePrecommitResourceCreated(o, rd);

		assertThat(sink).hasSize(1);
		AuditEvent ev = sink.get(0);
		String json = ctx.newJsonParser().encodeResourceToString(ev);
		assertThat(json).doesNotContain("\"reference\":\"https://");
		assertThat(ev.getEntity()).extracting(e -> e.getWhat().getReference()).contains("Observation/o1", "Patient/A");
		assertThat(AuditPipeline.summary("x", ev)).contains("client=fhirfort-public-app", "user=Practitioner/p1",
				"patient=Patient/A", "src=198.51.100.7");
	}
}
