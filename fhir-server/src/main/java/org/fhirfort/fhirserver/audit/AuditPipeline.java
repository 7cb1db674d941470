package org.fhirfort.fhirserver.audit;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AuditEvents off the request path, without losing any:
 *
 * <ol>
 *   <li>the request thread gives the event an id, logs a one-line summary (logger {@code fhirfort.audit}, shipped
 *       by the log client), appends it to the {@link AuditSpool} (a write into the page cache, plus an fsync when
 *       {@code fsync=PER_EVENT}) and offers it to a bounded in-memory queue;
 *   <li>one writer thread drains the queue in batches: fsync of the spool (group commit), one transaction Bundle
 *       through the DAO ({@code PUT AuditEvent/<id>}, so a replay after a crash is idempotent), then the watermark;
 *   <li>when the queue is full, events stay on disk only and the writer catches up from the spool, in order;
 *       at start it replays everything after the watermark.
 * </ol>
 *
 * A batch refused for its content is retried event by event; an event that still fails after its references
 * were turned into identifiers (e.g. a deleted target) goes to {@code dead-letter.jsonl} with an ERROR log.
 * Transient failures (database down) are retried with back-off and never advance the watermark.
 */
public class AuditPipeline implements AutoCloseable {

	private static final Logger LOG = LoggerFactory.getLogger(AuditPipeline.class);
	public static final Logger AUDIT_LOG = LoggerFactory.getLogger("fhirfort.audit");

	private record Entry(AuditEvent event, AuditSpool.Position end) {}

	private final FhirContext ctx;
	private final AuditSpool spool;
	private final AuditWriter writer;
	private final AuditProperties props;
	private final BlockingQueue<Entry> queue;
	private final Object lock = new Object();
	private final Path deadLetter;
	private volatile boolean diskMode = true; // replay first
	private volatile boolean running;
	private volatile boolean started;
	private Thread thread;

	final AtomicLong submitted = new AtomicLong();
	final AtomicLong delivered = new AtomicLong();
	final AtomicLong deadLettered = new AtomicLong();
	final AtomicLong spoolOnly = new AtomicLong();

	public AuditPipeline(FhirContext ctx, AuditSpool spool, AuditWriter writer, AuditProperties props, Path dir) {
		this.ctx = ctx;
		this.spool = spool;
		this.writer = writer;
		this.props = props;
		this.queue = new ArrayBlockingQueue<>(Math.max(1, props.getQueueCapacity()));
		this.deadLetter = dir.resolve("dead-letter.jsonl");
	}

	/** Records one event (request thread). Never throws to the caller: audit failures are logged. */
	public void submit(AuditEvent event) {
		String id = UUID.randomUUID().toString();
		event.setId(id);
		String json = ctx.newJsonParser().setPrettyPrint(false).encodeResourceToString(event);
		AUDIT_LOG.info(summary(id, event));
		submitted.incrementAndGet();
		synchronized (lock) {
			try {
				AuditSpool.Position end = spool.append(id, json);
				if (props.getFsync() == AuditProperties.Fsync.PER_EVENT) {
					spool.force();
				}
				if (diskMode || !queue.offer(new Entry(event, end))) {
					if (!diskMode) {
						LOG.warn("Audit queue full ({}): events continue through the spool only", queue.size());
					}
					diskMode = true;
					spoolOnly.incrementAndGet();
				}
			} catch (IOException e) {
				// The log line above is still the record; the database copy is lost for this event.
				LOG.error("AUDIT SPOOL WRITE FAILED for event {}: {}", id, e.toString());
			}
		}
	}

	/** Starts the writer thread (after the DAO layer is ready). */
	public synchronized void start() {
		if (started) {
			return;
		}
		started = true;
		running = true;
		thread = new Thread(this::run, "fhirfort-audit-writer");
		thread.setDaemon(true);
		thread.start();
	}

	private void run() {
		long backoff = 500;
		while (running || !queue.isEmpty()) {
			try {
				if (diskMode && queue.isEmpty()) {
					catchUpFromSpool();
					continue;
				}
				List<Entry> batch = new ArrayList<>();
				Entry first = queue.poll(props.getFlushInterval().toMillis(), TimeUnit.MILLISECONDS);
				if (first == null) {
					continue;
				}
				batch.add(first);
				queue.drainTo(batch, Math.max(0, props.getBatchSize() - 1));
				List<AuditEvent> events = new ArrayList<>(batch.size());
				for (Entry e : batch) {
					events.add(e.event());
				}
				synchronized (lock) {
					if (props.getFsync() == AuditProperties.Fsync.PER_BATCH) {
						spool.force(); // group commit of everything appended so far
					}
				}
				deliverWithRetry(events);
				spool.markDelivered(batch.get(batch.size() - 1).end());
				backoff = 500;
			} catch (InterruptedException e) {
				if (!running) {
					break;
				}
			} catch (Exception e) {
				// Whatever was taken from the queue is still in the spool after the watermark: re-read from there.
				synchronized (lock) {
					diskMode = true;
					queue.clear();
				}
				LOG.warn("Audit writer: {} (retrying in {} ms)", e.toString(), backoff);
				sleep(backoff);
				backoff = Math.min(backoff * 2, 30_000);
			}
		}
	}

	/** Reads and delivers spooled events after the watermark; leaves disk mode when caught up. */
	private void catchUpFromSpool() throws Exception {
		AuditSpool.Position from = spool.watermark();
		List<AuditSpool.Line> lines;
		synchronized (lock) {
			spool.force();
			lines = spool.read(from, Math.max(1, props.getBatchSize()));
			if (lines.isEmpty()) {
				diskMode = false; // caught up: new events go through the queue again
				return;
			}
		}
		List<AuditEvent> events = new ArrayList<>();
		for (AuditSpool.Line l : lines) {
			if (l.json() == null) {
				LOG.warn("Audit spool: skipping a torn line before {}", l.end());
				continue;
			}
			AuditEvent ev = ctx.newJsonParser().parseResource(AuditEvent.class, l.json());
			ev.setId(l.id());
			events.add(ev);
		}
		if (!events.isEmpty()) {
			deliverWithRetry(events);
		}
		spool.markDelivered(lines.get(lines.size() - 1).end());
	}

	/** Transaction of the whole batch; on a content refusal, event by event with repair and dead letter. */
	private void deliverWithRetry(List<AuditEvent> events) throws Exception {
		try {
			writer.write(events);
			delivered.addAndGet(events.size());
			return;
		} catch (AuditWriter.RejectedException e) {
			if (events.size() == 1) {
				deliverOne(events.get(0), e);
				return;
			}
		}
		for (AuditEvent ev : events) {
			try {
				writer.write(List.of(ev));
				delivered.incrementAndGet();
			} catch (AuditWriter.RejectedException e) {
				deliverOne(ev, e);
			}
		}
	}

	private void deliverOne(AuditEvent ev, AuditWriter.RejectedException first) throws Exception {
		if (referencesToIdentifiers(ev)) {
			try {
				writer.write(List.of(ev));
				delivered.incrementAndGet();
				return;
			} catch (AuditWriter.RejectedException again) {
				first = again;
			}
		}
		deadLettered.incrementAndGet();
		LOG.error("AuditEvent {} refused by the database ({}); kept in {}", ev.getIdElement().getIdPart(),
				first.getMessage(), deadLetter);
		String line = ev.getIdElement().getIdPart() + "\t"
				+ ctx.newJsonParser().setPrettyPrint(false).encodeResourceToString(ev) + "\n";
		Files.writeString(deadLetter, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
	}

	/**
	 * Replaces resolvable references (entity.what, agent.who) by identifiers {@code urn:fhirfort:resource|Type/id}:
	 * the target may be deleted or never have existed (a refused request). Returns true if anything changed.
	 */
	static boolean referencesToIdentifiers(AuditEvent ev) {
		boolean changed = false;
		for (AuditEvent.AuditEventEntityComponent en : ev.getEntity()) {
			changed |= toIdentifier(en.getWhat());
		}
		for (AuditEvent.AuditEventAgentComponent ag : ev.getAgent()) {
			changed |= toIdentifier(ag.getWho());
		}
		return changed;
	}

	private static boolean toIdentifier(Reference r) {
		if (r == null || !r.hasReference()) {
			return false;
		}
		String ref = r.getReference();
		r.setReference(null);
		if (!r.hasIdentifier()) {
			r.setIdentifier(new Identifier().setSystem(AuditContextServices.RESOURCE_ID_SYSTEM).setValue(ref));
		}
		if (!r.hasDisplay()) {
			r.setDisplay(ref);
		}
		return true;
	}

	/** One log line, no resource content: ids, client, user, patients, address, outcome. */
	static String summary(String id, AuditEvent ev) {
		StringBuilder sb = new StringBuilder("audit id=").append(id);
		sb.append(" recorded=").append(ev.hasRecorded() ? ev.getRecordedElement().getValueAsString() : "-");
		sb.append(" action=").append(ev.hasAction() ? ev.getAction().toCode() : "-");
		sb.append(" subtype=").append(ev.hasSubtype() ? ev.getSubtypeFirstRep().getCode() : "-");
		sb.append(" outcome=").append(ev.hasOutcome() ? ev.getOutcome().toCode() : "-");
		String client = "-";
		String user = "-";
		String address = "-";
		for (AuditEvent.AuditEventAgentComponent ag : ev.getAgent()) {
			String who = ag.getWho().hasIdentifier() ? ag.getWho().getIdentifier().getValue() : ag.getWho().getDisplay();
			if (AuditContextServices.CLIENT_SYSTEM.equals(ag.getWho().getIdentifier().getSystem())) {
				client = who;
				if (ag.getNetwork().hasAddress()) {
					address = ag.getNetwork().getAddress();
				}
			} else if (ag.getRequestor()) {
				user = who;
			}
		}
		List<String> patients = new ArrayList<>();
		List<String> data = new ArrayList<>();
		for (AuditEvent.AuditEventEntityComponent en : ev.getEntity()) {
			String what = en.getWhat().hasReference()
					? en.getWhat().getReference()
					: en.getWhat().getIdentifier().getValue();
			if (what == null) {
				continue;
			}
			if ("1".equals(en.getRole().getCode())) {
				patients.add(what);
			} else if ("4".equals(en.getRole().getCode()) || "2".equals(en.getType().getCode())
					&& !"24".equals(en.getRole().getCode())) {
				data.add(what);
			}
		}
		sb.append(" client=").append(clean(client));
		sb.append(" user=").append(clean(user));
		sb.append(" patient=").append(patients.isEmpty() ? "-" : clean(String.join(",", patients)));
		sb.append(" entity=").append(data.isEmpty() ? "-" : clean(String.join(",", data)));
		sb.append(" src=").append(clean(address));
		if (ev.hasOutcomeDesc()) {
			sb.append(" reason=\"").append(ev.getOutcomeDesc().replaceAll("[\"\\p{Cntrl}]", "'")).append('"');
		}
		return sb.toString();
	}

	private static String clean(String s) {
		if (s == null || s.isBlank()) {
			return "-";
		}
		return s.replaceAll("[\\s\\p{Cntrl}\"]", "_");
	}

	private static void sleep(long ms) {
		try {
			Thread.sleep(ms);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}

	/** For tests and health: true when nothing is waiting in memory and the spool is delivered to its end. */
	public boolean idle() throws IOException {
		synchronized (lock) {
			return queue.isEmpty() && !diskMode && spool.watermark().compareTo(spool.end()) >= 0;
		}
	}

	@Override
	public void close() throws IOException {
		long deadline = System.nanoTime() + props.getShutdownDrain().toNanos();
		while (started && !queue.isEmpty() && System.nanoTime() < deadline) {
			sleep(20);
		}
		running = false;
		if (thread != null) {
			thread.interrupt();
			try {
				thread.join(2_000);
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
			}
		}
		synchronized (lock) {
			spool.close();
		}
	}
}
