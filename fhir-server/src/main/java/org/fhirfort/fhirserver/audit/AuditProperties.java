package org.fhirfort.fhirserver.audit;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/** {@code fhirfort.audit.*}: BALP AuditEvents, written off the request path through a durable local spool. */
@ConfigurationProperties(prefix = "fhirfort.audit")
public class AuditProperties {

	public enum Fsync {
		/** One fsync per batch by the writer thread (group commit); a JVM crash loses nothing (page cache). */
		PER_BATCH,
		/** fsync on the request thread for every event: survives power loss too, costs latency. */
		PER_EVENT
	}

	private boolean enabled = true;
	/** Spool directory (must be writable by the service user; systemd ReadWritePaths). */
	private String spoolDir = "/var/lib/fhirfort/fhir-server/audit-spool";

	private int queueCapacity = 10_000;
	private int batchSize = 100;
	private Duration flushInterval = Duration.ofMillis(200);
	private Fsync fsync = Fsync.PER_BATCH;
	private DataSize segmentMaxSize = DataSize.ofMegabytes(16);
	/** How long shutdown waits for the queue to drain (the rest is replayed from the spool at the next start). */
	private Duration shutdownDrain = Duration.ofSeconds(5);

	public boolean isEnabled() {
		return enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public String getSpoolDir() {
		return spoolDir;
	}

	public void setSpoolDir(String spoolDir) {
		this.spoolDir = spoolDir;
	}

	public int getQueueCapacity() {
		return queueCapacity;
	}

	public void setQueueCapacity(int queueCapacity) {
		this.queueCapacity = queueCapacity;
	}

	public int getBatchSize() {
		return batchSize;
	}

	public void setBatchSize(int batchSize) {
		this.batchSize = batchSize;
	}

	public Duration getFlushInterval() {
		return flushInterval;
	}

	public void setFlushInterval(Duration flushInterval) {
		this.flushInterval = flushInterval;
	}

	public Fsync getFsync() {
		return fsync;
	}

	public void setFsync(Fsync fsync) {
		this.fsync = fsync;
	}

	public DataSize getSegmentMaxSize() {
		return segmentMaxSize;
	}

	public void setSegmentMaxSize(DataSize segmentMaxSize) {
		this.segmentMaxSize = segmentMaxSize;
	}

	public Duration getShutdownDrain() {
		return shutdownDrain;
	}

	public void setShutdownDrain(Duration shutdownDrain) {
		this.shutdownDrain = shutdownDrain;
	}
}
