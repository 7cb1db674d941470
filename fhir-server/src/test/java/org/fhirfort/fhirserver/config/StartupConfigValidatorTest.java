package org.fhirfort.fhirserver.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.mock.env.MockEnvironment;

class StartupConfigValidatorTest {

	@TempDir
	Path dir;

	Path cert;
	Path key;
	Path dbCa;

	@BeforeEach
	void files() throws Exception {
		cert = Files.writeString(dir.resolve("server.crt"), "x");
		key = Files.writeString(dir.resolve("server.key"), "x");
		Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
		dbCa = Files.writeString(dir.resolve("db-ca.crt"), "x");
	}

	private MockEnvironment validEnv() {
		return new MockEnvironment()
				.withProperty("fhirfort.db.url", "jdbc:postgresql://db.internal:5432/fhirfort")
				.withProperty("fhirfort.db.username", "fhirfort")
				.withProperty("fhirfort.db.password", "s3cret")
				.withProperty("fhirfort.db.ssl-root-cert", dbCa.toString())
				.withProperty("server.ssl.bundle", "server")
				.withProperty("spring.ssl.bundle.pem.server.keystore.certificate", "file:" + cert)
				.withProperty("spring.ssl.bundle.pem.server.keystore.private-key", "file:" + key);
	}

	@Test
	void validConfigurationPasses() {
		assertThat(StartupConfigValidator.validate(validEnv())).isEmpty();
	}

	@Test
	void missingDatabaseUrlIsNamed() {
		MockEnvironment e = new MockEnvironment()
				.withProperty("fhirfort.db.username", "fhirfort")
				.withProperty("fhirfort.db.password", "s3cret")
				.withProperty("fhirfort.db.ssl-root-cert", dbCa.toString())
				.withProperty("server.ssl.bundle", "server")
				.withProperty("spring.ssl.bundle.pem.server.keystore.certificate", cert.toString())
				.withProperty("spring.ssl.bundle.pem.server.keystore.private-key", key.toString());
		List<String> errors = StartupConfigValidator.validate(e);
		assertThat(errors).singleElement().asString().contains("fhirfort.db.url is not set");
	}

	@Test
	void missingPasswordPointsToTheSecretFile() {
		MockEnvironment env = validEnv().withProperty("fhirfort.db.password", "");
		assertThat(StartupConfigValidator.validate(env))
				.anySatisfy(e -> assertThat(e).contains("fhirfort.db.password").contains("secrets"));
	}

	@Test
	void missingTlsFilesAreNamed() throws Exception {
		Files.delete(cert);
		Files.delete(dbCa);
		List<String> errors = StartupConfigValidator.validate(validEnv());
		assertThat(errors).anySatisfy(e -> assertThat(e)
				.contains("spring.ssl.bundle.pem.server.keystore.certificate").contains("does not exist"));
		assertThat(errors).anySatisfy(e -> assertThat(e).contains("fhirfort.db.ssl-root-cert"));
	}

	@Test
	void worldReadablePrivateKeyIsRefused() throws Exception {
		Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
		assertThat(StartupConfigValidator.validate(validEnv()))
				.anySatisfy(e -> assertThat(e).contains("private-key").contains("world-readable"));
	}

	@Test
	void plainHttpIsRefused() {
		assertThat(StartupConfigValidator.validate(validEnv().withProperty("server.ssl.enabled", "false")))
				.anySatisfy(e -> assertThat(e).contains("plain HTTP"));
	}

	@Test
	void jdbcUrlCannotWeakenTls() {
		MockEnvironment env = validEnv()
				.withProperty("fhirfort.db.url", "jdbc:postgresql://db:5432/fhir?sslmode=disable&ApplicationName=x");
		assertThat(StartupConfigValidator.validate(env)).singleElement().asString().contains("sslmode");
		MockEnvironment rce = validEnv()
				.withProperty("fhirfort.db.url", "jdbc:postgresql://db/fhir?socketFactory=org.springframework.X");
		assertThat(StartupConfigValidator.validate(rce)).singleElement().asString().contains("socketfactory");
		MockEnvironment mysql = validEnv().withProperty("fhirfort.db.url", "jdbc:mysql://db/fhir");
		assertThat(StartupConfigValidator.validate(mysql)).singleElement().asString().contains("jdbc:postgresql://");
	}

	@Test
	void badTrustedProxyAndPageSizesAreReported() {
		MockEnvironment env = validEnv()
				.withProperty("fhirfort.trusted-proxies[0]", "edge.example.org")
				.withProperty("fhirfort.fhir.default-page-size", "500")
				.withProperty("fhirfort.fhir.max-page-size", "200");
		List<String> errors = StartupConfigValidator.validate(env);
		assertThat(errors).anySatisfy(e -> assertThat(e).contains("fhirfort.trusted-proxies"));
		assertThat(errors).anySatisfy(e -> assertThat(e).contains("page-size"));
	}

	@Test
	void tlsPropertiesAreEnforcedOnTheDriver() {
		FhirfortProperties.Db db = new FhirfortProperties.Db();
		db.setSslRootCert("/etc/x/ca.crt");
		var p = DatabaseConfig.tlsProperties(db);
		assertThat(p.getProperty("sslmode")).isEqualTo("verify-full");
		assertThat(p.getProperty("sslrootcert")).isEqualTo("/etc/x/ca.crt");
	}
}
