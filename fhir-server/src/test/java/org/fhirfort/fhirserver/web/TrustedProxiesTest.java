package org.fhirfort.fhirserver.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TrustedProxiesTest {

	@Test
	void matchesAddressesAndRanges() {
		TrustedProxies t = TrustedProxies.parse(List.of("198.18.1.10", "198.18.2.0/24", "fd00::/8"));
		assertThat(t.contains("198.18.1.10")).isTrue();
		assertThat(t.contains("198.18.1.11")).isFalse();
		assertThat(t.contains("198.18.2.200")).isTrue();
		assertThat(t.contains("198.18.3.1")).isFalse();
		assertThat(t.contains("fd12::1")).isTrue();
		assertThat(t.contains("[fd12::1]")).isTrue();
		assertThat(t.contains("::ffff:198.18.1.10")).isTrue();
		assertThat(t.contains("2001:db8::1")).isFalse();
	}

	@Test
	void neverResolvesNamesAndRejectsGarbage() {
		TrustedProxies t = TrustedProxies.parse(List.of("127.0.0.1"));
		assertThat(t.contains("localhost")).isFalse();
		assertThat(t.contains(null)).isFalse();
		assertThat(t.contains("")).isFalse();
		assertThatThrownBy(() -> TrustedProxies.parse(List.of("edge.example.org")))
				.isInstanceOf(IllegalArgumentException.class)
				.hasMessageContaining("edge.example.org");
		assertThatThrownBy(() -> TrustedProxies.parse(List.of("10.0.0.0/33")))
				.isInstanceOf(IllegalArgumentException.class);
	}

	@Test
	void emptyByDefault() {
		assertThat(TrustedProxies.parse(List.of()).isEmpty()).isTrue();
		assertThat(TrustedProxies.none().contains("127.0.0.1")).isFalse();
	}
}
