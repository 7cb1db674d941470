package org.fhirfort.fhirserver.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Append-only local spool of AuditEvents: segment files {@code audit-<n>.jsonl} with one line per event
 * ({@code <id> TAB <AuditEvent JSON>}), and a watermark file {@code delivered} ({@code <segment> <offset>}) that
 * says how far the events are stored in the database. Lines before the watermark are delivered; a restart
 * replays the rest. Segments wholly below the watermark are deleted. Not thread-safe: the pipeline serialises
 * appends under its lock, and only its writer thread reads and moves the watermark.
 */
public final class AuditSpool implements AutoCloseable {

	/** A place in the spool: segment number and byte offset (just after a line). */
	public record Position(long segment, long offset) implements Comparable<Position> {
		@Override
		public int compareTo(Position o) {
			int c = Long.compare(segment, o.segment);
			return c != 0 ? c : Long.compare(offset, o.offset);
		}
	}

	/** One spooled event and the position just after it. */
	public record Line(String id, String json, Position end) {}

	private static final Pattern SEGMENT = Pattern.compile("^audit-(\\d{12})\\.jsonl$");

	private final Path dir;
	private final long segmentMaxBytes;
	private FileChannel current;
	private long currentSegment;
	private long currentSize;

	public AuditSpool(Path dir, long segmentMaxBytes) throws IOException {
		this.dir = dir;
		this.segmentMaxBytes = segmentMaxBytes;
		Files.createDirectories(dir);
		try {
			Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
		} catch (UnsupportedOperationException | IOException e) {
			// not a POSIX file system, or owned by someone else: the unit's UMask/ownership apply
		}
		List<Long> segs = segments();
		// Always start a fresh segment: a half-written last line of a crashed run stays where it is (skipped).
		currentSegment = segs.isEmpty() ? 1 : segs.get(segs.size() - 1) + 1;
		open(currentSegment);
	}

	private void open(long segment) throws IOException {
		current = FileChannel.open(segmentPath(segment), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
				StandardOpenOption.APPEND);
		currentSize = current.size();
		currentSegment = segment;
	}

	Path segmentPath(long segment) {
		return dir.resolve(String.format("audit-%012d.jsonl", segment));
	}

	public List<Long> segments() throws IOException {
		List<Long> out = new ArrayList<>();
		try (Stream<Path> s = Files.list(dir)) {
			s.forEach(p -> {
				Matcher m = SEGMENT.matcher(p.getFileName().toString());
				if (m.matches()) {
					out.add(Long.parseLong(m.group(1)));
				}
			});
		}
		out.sort(Long::compare);
		return out;
	}

	/** Appends one event (no fsync); returns the position after it. */
	public Position append(String id, String json) throws IOException {
		if (id.indexOf('\t') >= 0 || id.indexOf('\n') >= 0 || json.indexOf('\n') >= 0) {
			throw new IllegalArgumentException("spool lines must not contain tabs in the id or newlines");
		}
		if (currentSize >= segmentMaxBytes) {
			current.force(true);
			current.close();
			open(currentSegment + 1);
		}
		byte[] line = (id + "\t" + json + "\n").getBytes(StandardCharsets.UTF_8);
		ByteBuffer buf = ByteBuffer.wrap(line);
		while (buf.hasRemaining()) {
			current.write(buf);
		}
		currentSize += line.length;
		return new Position(currentSegment, currentSize);
	}

	/** fsync of the current segment (data and size). */
	public void force() throws IOException {
		current.force(false);
	}

	public Position end() {
		return new Position(currentSegment, currentSize);
	}

	/** The last delivered position (start of the spool when nothing was delivered yet). */
	public Position watermark() throws IOException {
		Path w = dir.resolve("delivered");
		if (!Files.exists(w)) {
			return new Position(0, 0);
		}
		String[] parts = Files.readString(w, StandardCharsets.US_ASCII).trim().split(" ");
		return new Position(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
	}

	/** Records that everything up to {@code p} is in the database (atomic replace, fsync'd), then compacts. */
	public void markDelivered(Position p) throws IOException {
		Path tmp = dir.resolve("delivered.tmp");
		try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
				StandardOpenOption.TRUNCATE_EXISTING)) {
			ch.write(ByteBuffer.wrap((p.segment() + " " + p.offset() + "\n").getBytes(StandardCharsets.US_ASCII)));
			ch.force(true);
		}
		try {
			Files.move(tmp, dir.resolve("delivered"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
		} catch (AtomicMoveNotSupportedException e) {
			Files.move(tmp, dir.resolve("delivered"), StandardCopyOption.REPLACE_EXISTING);
		}
		for (long s : segments()) {
			if (s < p.segment() || (s == p.segment() && s != currentSegment && p.offset() >= Files.size(segmentPath(s)))) {
				if (s != currentSegment) {
					Files.deleteIfExists(segmentPath(s));
				}
			}
		}
	}

	/**
	 * Up to {@code max} complete lines after {@code from} (up to the current end). Lines that cannot be split
	 * into id and JSON (a torn write of a crashed run) are returned with a null json so the caller can skip them.
	 */
	public List<Line> read(Position from, int max) throws IOException {
		List<Line> out = new ArrayList<>();
		for (long s : segments()) {
			if (s < from.segment() || out.size() >= max) {
				continue;
			}
			long start = s == from.segment() ? from.offset() : 0;
			long limit = s == currentSegment ? currentSize : Files.size(segmentPath(s));
			if (start >= limit) {
				continue;
			}
			try (FileChannel ch = FileChannel.open(segmentPath(s), StandardOpenOption.READ)) {
				ch.position(start);
				ByteBuffer buf = ByteBuffer.allocate((int) Math.min(limit - start, 64L * 1024 * 1024));
				while (buf.hasRemaining() && ch.read(buf) > 0) {
					// fill
				}
				byte[] data = new byte[buf.position()];
				buf.flip();
				buf.get(data);
				int lineStart = 0;
				for (int i = 0; i < data.length && out.size() < max; i++) {
					if (data[i] == '\n') {
						String text = new String(data, lineStart, i - lineStart, StandardCharsets.UTF_8);
						Position end = new Position(s, start + i + 1);
						int tab = text.indexOf('\t');
						out.add(tab > 0 && text.endsWith("}")
								? new Line(text.substring(0, tab), text.substring(tab + 1), end)
								: new Line(null, null, end));
						lineStart = i + 1;
					}
				}
			}
		}
		return out;
	}

	@Override
	public void close() throws IOException {
		if (current != null && current.isOpen()) {
			current.force(true);
			current.close();
		}
	}
}
