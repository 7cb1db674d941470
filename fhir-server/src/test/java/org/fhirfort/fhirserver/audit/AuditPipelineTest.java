package org.fhirfort.fhirserver.audit;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditPipelineTest {

	private static final FhirContext CTX = FhirContext.forR4Cached();

	@TempDir
	Path dir;

	/** A database that can be "down" and refuses events that reference Patient/deleted. */
	static final class FakeDb implements AuditWriter {
		final List<String> stored = Collections.synchronizedList(new ArrayList<>());
		final AtomicBoolean down = new AtomicBoolean();
		volatile long delayMs;

		@Override
		public void write(List<AuditEvent> batch) throws Exception {
			if (down.get()) {
				throw new IllegalStateException("connection refused");
			}
			for (AuditEvent ev : batch) {
				for (AuditEvent.AuditEventEntityComponent en : ev.getEntity()) {
					if ("Patient/deleted".equals(en.getWhat().getReference())) {
						throw new RejectedException("HAPI-1096: Resource Patient/deleted is deleted", null);
					}
					if ("Patient/poison".equals(en.getWhat().getIdentifier().getValue())
							|| "Patient/poison".equals(en.getWhat().getReference())) {
						throw new RejectedException("refused", null);
					}
				}
			}
			if (delayMs > 0) {
				Thread.sleep(delayMs);
			}
			for (AuditEvent ev : batch) {
				stored.add(ev.getIdElement().getIdPart());
			}
		}
	}

	private static AuditProperties props(int capacity) {
		AuditProperties p = new AuditProperties();
		p.setQueueCapacity(capacity);
		p.setBatchSize(50);
		p.setFlushInterval(Duration.ofMillis(20));
		p.setShutdownDrain(Duration.ofSeconds(2));
		return p;
	}

	private AuditPipeline pipeline(FakeDb db, int capacity) throws Exception {
		return new AuditPipeline(CTX, new AuditSpool(dir, 1 << 20), db, props(capacity), dir);
	}

	static AuditEvent event(String patient) {
		AuditEvent ev = new AuditEvent();
		ev.setAction(AuditEvent.AuditEventAction.R);
		ev.setOutcome(AuditEvent.AuditEventOutcome._0);
		ev.addSubtype().setCode("read");
		ev.setRecorded(new java.util.Date());
		ev.addAgent().setWho(AuditContextServices.clientWho(null)).setRequestor(false).getNetwork().setAddress("10.0.0.9");
		AuditEvent.AuditEventEntityComponent en = ev.addEntity();
		en.getRole().setCode("1");
		en.setWhat(new Reference(patient));
		return ev;
	}

	private static void await(AuditPipeline p, FakeDb db, int n) throws Exception {
		long deadline = System.currentTimeMillis() + 10_000;
		while ((db.stored.size() < n || !p.idle()) && System.currentTimeMillis() < deadline) {
			Thread.sleep(10);
		}
	}

	@Test
	void eventsReachTheDatabaseInBatches() throws Exception {
		FakeDb db = new FakeDb();
		try (AuditPipeline p = pipeline(db, 1000)) {
			p.start();
			List<String> ids = new ArrayList<>();
			for (int i = 0; i < 120; i++) {
				AuditEvent ev = event("Patient/A");
				p.submit(ev);
				ids.add(ev.getIdElement().getIdPart());
			}
			await(p, db, 120);
			assertThat(db.stored).containsExactlyElementsOf(ids);
		}
	}

	@Test
	void nothingLostWhenTheDatabaseIsDownAndTheProcessRestarts() throws Exception {
		FakeDb db = new FakeDb();
		db.down.set(true);
		List<String> ids = new ArrayList<>();
		try (AuditPipeline p = pipeline(db, 1000)) {
			p.start();
			for (int i = 0; i < 30; i++) {
				AuditEvent ev = event("Patient/A");
				p.submit(ev);
				ids.add(ev.getIdElement().getIdPart());
			}
			Thread.sleep(100);
		} // "crash"/stop while the database is down
		assertThat(db.stored).isEmpty();
		db.down.set(false);
		try (AuditPipeline p = pipeline(db, 1000)) {
			p.start(); // replays the spool from the watermark
			await(p, db, 30);
		}
		assertThat(db.stored).containsExactlyElementsOf(ids);
	}

	@Test
	void fullQueueFallsBackToTheSpoolInOrder() throws Exception {
		FakeDb db = new FakeDb();
		db.delayMs = 30;
		try (AuditPipeline p = pipeline(db, 2)) {
			p.start();
			List<String> ids = new ArrayList<>();
			for (int i = 0; i < 200; i++) {
				AuditEvent ev = event("Patient/A");
				p.submit(ev);
				ids.add(ev.getIdElement().getIdPart());
			}
			assertThat(p.spoolOnly.get()).isPositive();
			await(p, db, 200);
			assertThat(db.stored).containsExactlyElementsOf(ids);
		}
	}

	@Test
	void refusedReferenceRepairedOrDeadLettered() throws Exception {
		FakeDb db = new FakeDb();
		try (AuditPipeline p = pipeline(db, 100)) {
			p.start();
			AuditEvent ok = event("Patient/A");
			AuditEvent deleted = event("Patient/deleted");
			AuditEvent poison = event("Patient/poison");
			p.submit(ok);
			p.submit(deleted);
			p.submit(poison);
			await(p, db, 2);
			assertThat(db.stored).contains(ok.getIdElement().getIdPart(), deleted.getIdElement().getIdPart());
			assertThat(p.deadLettered.get()).isEqualTo(1);
			assertThat(Files.readString(dir.resolve("dead-letter.jsonl"))).contains(poison.getIdElement().getIdPart());
		}
	}

	@Test
	void summaryLineHasWhoWhatWhereAndNoContent() {
		AuditEvent ev = event("Patient/A");
		ev.getAgentFirstRep().getWho().setIdentifier(
				new Identifier().setSystem(AuditContextServices.CLIENT_SYSTEM).setValue("fhirfort-backend"));
		String line = AuditPipeline.summary("id-1", ev);
		assertThat(line).contains("id=id-1", "action=R", "outcome=0", "client=fhirfort-backend", "patient=Patient/A",
				"src=10.0.0.9");
		assertThat(line).doesNotContain("\n");
	}
}
