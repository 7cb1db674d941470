package org.fhirfort.fhirserver.web;

import com.google.common.net.InetAddresses;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A set of proxy addresses and CIDR ranges (IPv4 and IPv6). Only IP literals are accepted: nothing here
 * ever resolves a host name.
 */
public final class TrustedProxies {

	private final List<Range> ranges;

	private TrustedProxies(List<Range> ranges) {
		this.ranges = ranges;
	}

	public static TrustedProxies none() {
		return new TrustedProxies(List.of());
	}

	/** @throws IllegalArgumentException naming the first entry that is not an IP literal or CIDR range */
	public static TrustedProxies parse(Collection<String> entries) {
		List<Range> ranges = new ArrayList<>();
		if (entries != null) {
			for (String raw : entries) {
				if (raw == null || raw.isBlank()) {
					continue;
				}
				ranges.add(Range.parse(raw.trim()));
			}
		}
		return new TrustedProxies(List.copyOf(ranges));
	}

	public boolean isEmpty() {
		return ranges.isEmpty();
	}

	/** True when the address is an IP literal inside one of the ranges. */
	public boolean contains(String address) {
		InetAddress addr = literal(address);
		if (addr == null) {
			return false;
		}
		for (Range r : ranges) {
			if (r.contains(addr)) {
				return true;
			}
		}
		return false;
	}

	/** Parses an IP literal (IPv6 may be bracketed); null when the text is not one. */
	public static InetAddress literal(String address) {
		if (address == null) {
			return null;
		}
		String a = address.trim();
		if (a.startsWith("[") && a.endsWith("]")) {
			a = a.substring(1, a.length() - 1);
		}
		if (a.isEmpty() || !InetAddresses.isInetAddress(a)) {
			return null;
		}
		InetAddress parsed = InetAddresses.forString(a);
		// Treat IPv4-mapped IPv6 (::ffff:a.b.c.d) as IPv4, as Tomcat may report either form.
		if (parsed instanceof java.net.Inet6Address && InetAddresses.isMappedIPv4Address(a)) {
			return InetAddresses.getEmbeddedIPv4ClientAddress((java.net.Inet6Address) parsed);
		}
		return parsed;
	}

	private record Range(byte[] network, int prefix) {

		static Range parse(String entry) {
			String addrPart = entry;
			int prefix = -1;
			int slash = entry.indexOf('/');
			if (slash >= 0) {
				addrPart = entry.substring(0, slash);
				try {
					prefix = Integer.parseInt(entry.substring(slash + 1));
				} catch (NumberFormatException e) {
					throw new IllegalArgumentException("'" + entry + "' has an invalid prefix length");
				}
			}
			InetAddress addr = literal(addrPart);
			if (addr == null) {
				throw new IllegalArgumentException("'" + entry + "' is not an IP address or CIDR range");
			}
			byte[] bytes = addr.getAddress();
			int max = bytes.length * 8;
			if (prefix == -1) {
				prefix = max;
			}
			if (prefix < 0 || prefix > max) {
				throw new IllegalArgumentException("'" + entry + "' has a prefix length outside 0.." + max);
			}
			return new Range(mask(bytes, prefix), prefix);
		}

		boolean contains(InetAddress addr) {
			byte[] bytes = addr.getAddress();
			if (bytes.length != network.length) {
				return false;
			}
			return java.util.Arrays.equals(mask(bytes, prefix), network);
		}

		private static byte[] mask(byte[] bytes, int prefix) {
			int bits = bytes.length * 8;
			BigInteger value = new BigInteger(1, bytes);
			BigInteger m = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)
					.shiftRight(prefix).not().and(BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE));
			byte[] raw = value.and(m).toByteArray();
			byte[] out = new byte[bytes.length];
			int copy = Math.min(raw.length, out.length);
			System.arraycopy(raw, raw.length - copy, out, out.length - copy, copy);
			return out;
		}
	}
}
