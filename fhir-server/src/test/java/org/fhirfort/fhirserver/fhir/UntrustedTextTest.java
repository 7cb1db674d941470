package org.fhirfort.fhirserver.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UntrustedTextTest {

	@Test
	void namesKeepOnlyNameCharacters() {
		assertThat(UntrustedText.name("birthDate")).isEqualTo("birthDate");
		assertThat(UntrustedText.name("_lastUpdated")).isEqualTo("_lastUpdated");
		assertThat(UntrustedText.name("${jndi:ldap://198.51.100.7/a}"))
				.isEqualTo("\\u0024\\u007bjndi:ldap://198.51.100.7/a\\u007d");
		assertThat(UntrustedText.name("a\r\nb c\u2028'\"é")).isEqualTo("a\\u000d\\u000ab\\u0020c\\u2028\\u0027\\u0022\\u00e9");
		assertThat(UntrustedText.name(null)).isEmpty();
	}

	@Test
	void namesAreCappedWithoutSplittingAnEscape() {
		assertThat(UntrustedText.name("a".repeat(64))).isEqualTo("a".repeat(64));
		assertThat(UntrustedText.name("a".repeat(65))).isEqualTo("a".repeat(61) + "...");
		String cut = UntrustedText.name("a".repeat(59) + "\n\n\n");
		assertThat(cut).isEqualTo("a".repeat(59) + "...").hasSizeLessThanOrEqualTo(UntrustedText.MAX_NAME);
	}

	@Test
	void messagesLoseLineBreaksAndLookups() {
		assertThat(UntrustedText.message("Unknown search parameter \"foo\" (known: a, b)"))
				.isEqualTo("Unknown search parameter \"foo\" (known: a, b)");
		assertThat(UntrustedText.message("x\n2026-01-01 INFO forged")).isEqualTo("x\\u000a2026-01-01 INFO forged");
		assertThat(UntrustedText.message("a\u2029b\u202ec\u0085d\te")).isEqualTo("a\\u2029b\\u202ec\\u0085d\\u0009e");
		assertThat(UntrustedText.message("${jndi:x} costs $5 {ok}")).isEqualTo("\\u0024{jndi:x} costs $5 {ok}");
		assertThat(UntrustedText.message("Müller – 😀")).isEqualTo("Müller – \\ud83d\\ude00");
		assertThat(UntrustedText.message(null)).isNull();
	}

	@Test
	void messagesAreCappedAndIdempotent() {
		String longText = "x".repeat(5000) + "\n";
		String once = UntrustedText.message(longText);
		assertThat(once).hasSize(UntrustedText.MAX_MESSAGE).endsWith("...");
		assertThat(UntrustedText.message(once)).isEqualTo(once);
		String exact = "y".repeat(UntrustedText.MAX_MESSAGE);
		assertThat(UntrustedText.message(exact)).isEqualTo(exact);
		String escaped = UntrustedText.message("a\nb${c}");
		assertThat(UntrustedText.message(escaped)).isEqualTo(escaped);
	}

	@Test
	void valuesAreShortMessages() {
		assertThat(UntrustedText.value("gt9999-99-99")).isEqualTo("gt9999-99-99");
		assertThat(UntrustedText.value("a b\nc")).isEqualTo("a b\\u000ac");
		assertThat(UntrustedText.value("v".repeat(100))).hasSize(UntrustedText.MAX_NAME).endsWith("...");
	}
}
