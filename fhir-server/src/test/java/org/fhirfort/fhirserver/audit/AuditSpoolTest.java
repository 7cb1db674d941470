package org.fhirfort.fhirserver.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditSpoolTest {

	@TempDir
	Path dir;

	@Test
	void appendReadWatermarkAndReplayAfterRestart() throws Exception {
		AuditSpool.Position second;
		try (AuditSpool s = new AuditSpool(dir, 1 << 20)) {
			s.append("a", "{\"n\":1}");
			second = s.append("b", "{\"n\":2}");
			s.append("c", "{\"n\":3}");
			assertThat(s.read(s.watermark(), 10)).extracting(AuditSpool.Line::id).containsExactly("a", "b", "c");
			s.markDelivered(second);
			assertThat(s.read(s.watermark(), 10)).extracting(AuditSpool.Line::id).containsExactly("c");
		}
		// "Crash": a torn line at the end of the old segment, then a restart.
		Path seg = dir.resolve("audit-000000000001.jsonl");
		Files.writeString(seg, "d\t{\"n\":", StandardOpenOption.APPEND);
		try (AuditSpool s = new AuditSpool(dir, 1 << 20)) {
			assertThat(s.watermark()).isEqualTo(second);
			s.append("e", "{\"n\":5}");
			List<AuditSpool.Line> pending = s.read(s.watermark(), 10);
			assertThat(pending).extracting(AuditSpool.Line::id).containsExactly("c", "e");
			s.markDelivered(pending.get(pending.size() - 1).end());
			assertThat(s.segments()).containsExactly(2L); // the delivered old segment is gone
		}
	}

	@Test
	void rotatesSegments() throws Exception {
		try (AuditSpool s = new AuditSpool(dir, 64)) {
			AuditSpool.Position last = null;
			for (int i = 0; i < 10; i++) {
				last = s.append("id-" + i, "{\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}");
			}
			assertThat(s.segments().size()).isGreaterThan(3);
			assertThat(s.read(new AuditSpool.Position(0, 0), 100)).hasSize(10);
			s.markDelivered(last);
			assertThat(s.segments()).hasSize(1);
		}
	}

	@Test
	void microBenchmarkFsyncPerEventVersusPerBatch() throws Exception {
		String json = "{\"resourceType\":\"AuditEvent\",\"pad\":\"" + "x".repeat(1800) + "\"}";
		int n = 200;
		try (AuditSpool s = new AuditSpool(dir.resolve("perevent"), 1 << 26)) {
			long t0 = System.nanoTime();
			for (int i = 0; i < n; i++) {
				s.append("e" + i, json);
				s.force();
			}
			long perEvent = (System.nanoTime() - t0) / n;
			try (AuditSpool b = new AuditSpool(dir.resolve("perbatch"), 1 << 26)) {
				t0 = System.nanoTime();
				for (int i = 0; i < n; i++) {
					b.append("e" + i, json);
					if (i % 100 == 99) {
						b.force();
					}
				}
				long perBatch = (System.nanoTime() - t0) / n;
				System.out.printf("audit spool, 2 kB events: append+fsync per event %.1f us/event;"
						+ " append (request thread) + fsync per 100 %.1f us/event%n", perEvent / 1000.0, perBatch / 1000.0);
			}
		}
	}
}
