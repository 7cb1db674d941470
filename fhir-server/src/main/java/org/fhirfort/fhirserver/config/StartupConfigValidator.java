package org.fhirfort.fhirserver.config;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.fhirfort.fhirserver.web.TrustedProxies;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Checks the configuration contract before anything starts (no Tomcat, no database connection), so a
 * missing file or property ends the process at once with a message naming the property and the file.
 */
public final class StartupConfigValidator {

	/** JDBC URL parameters that may be given; anything else (ssl*, socketFactory, ...) is refused. */
	static final Set<String> ALLOWED_JDBC_PARAMETERS = Set.of(
			"applicationname",
			"connecttimeout",
			"sockettimeout",
			"logintimeout",
			"tcpkeepalive",
			"currentschema",
			"targetservertype",
			"preparethreshold",
			"reWriteBatchedInserts".toLowerCase(Locale.ROOT));

	private StartupConfigValidator() {}

	/** Binds the relevant properties exactly as Spring will at run time, then validates them. */
	public static List<String> validate(ConfigurableEnvironment env) {
		Binder binder = Binder.get(env);
		FhirfortProperties props =
				binder.bind("fhirfort", FhirfortProperties.class).orElseGet(FhirfortProperties::new);
		boolean sslEnabled = binder.bind("server.ssl.enabled", Boolean.class).orElse(Boolean.TRUE);
		String bundle = binder.bind("server.ssl.bundle", String.class).orElse(null);
		String cert = null;
		String key = null;
		if (bundle != null && !bundle.isBlank()) {
			String prefix = "spring.ssl.bundle.pem." + bundle + ".keystore.";
			cert = binder.bind(prefix + "certificate", String.class).orElse(null);
			key = binder.bind(prefix + "private-key", String.class).orElse(null);
		}
		return validate(props, sslEnabled, bundle, cert, key);
	}

	/** Pure validation, unit-testable. Returns human readable problems; empty when the config is usable. */
	public static List<String> validate(
			FhirfortProperties props, boolean sslEnabled, String sslBundle, String certLocation, String keyLocation) {
		List<String> errors = new ArrayList<>();
		FhirfortProperties.Db db = props.getDb();

		if (isBlank(db.getUrl())) {
			errors.add("fhirfort.db.url is not set (expected jdbc:postgresql://<host>:<port>/<database>)");
		} else {
			validateJdbcUrl(db.getUrl(), errors);
		}
		if (isBlank(db.getUsername())) {
			errors.add("fhirfort.db.username is not set");
		}
		if (isBlank(db.getPassword())) {
			errors.add("fhirfort.db.password is not set: put it in the file <secrets-dir>/fhirfort.db.password"
					+ " (default /etc/fhirfort/fhir-server/secrets/fhirfort.db.password, mode 0400/0440)");
		}
		requireReadableFile("fhirfort.db.ssl-root-cert", db.getSslRootCert(), false, errors);
		if (db.getMaxPoolSize() < 1 || db.getMinIdle() < 0 || db.getMinIdle() > db.getMaxPoolSize()) {
			errors.add("fhirfort.db.max-pool-size must be >= 1 and fhirfort.db.min-idle between 0 and it");
		}

		if (!sslEnabled) {
			errors.add("server.ssl.enabled=false: this server only serves HTTPS; plain HTTP is not supported");
		} else if (isBlank(sslBundle)) {
			errors.add("server.ssl.bundle is not set (expected 'server', with spring.ssl.bundle.pem.server.keystore.*)");
		} else {
			String prefix = "spring.ssl.bundle.pem." + sslBundle + ".keystore.";
			requireReadableFile(prefix + "certificate", stripFilePrefix(certLocation), false, errors);
			requireReadableFile(prefix + "private-key", stripFilePrefix(keyLocation), true, errors);
		}

		FhirfortProperties.Fhir fhir = props.getFhir();
		if (fhir.getDefaultPageSize() < 1
				|| fhir.getMaxPageSize() < fhir.getDefaultPageSize()
				|| fhir.getMaxPageSize() > 1000) {
			errors.add("fhirfort.fhir.default-page-size must be >= 1 and <= fhirfort.fhir.max-page-size <= 1000");
		}
		String strategy = fhir.getServerIdStrategy();
		if (!"UUID".equals(strategy) && !"SEQUENTIAL_NUMERIC".equals(strategy)) {
			errors.add("fhirfort.fhir.server-id-strategy must be UUID or SEQUENTIAL_NUMERIC");
		}
		String base = fhir.getPublicBaseUrl();
		if (!isBlank(base) && !base.startsWith("https://")) {
			errors.add("fhirfort.fhir.public-base-url must start with https:// (or be empty)");
		}
		if (props.getHttp().getMaxRequestBody() == null
				|| props.getHttp().getMaxRequestBody().toBytes() < 1024) {
			errors.add("fhirfort.http.max-request-body must be at least 1KB");
		}
		try {
			TrustedProxies.parse(props.getTrustedProxies());
		} catch (IllegalArgumentException e) {
			errors.add("fhirfort.trusted-proxies: " + e.getMessage());
		}
		return errors;
	}

	static void validateJdbcUrl(String url, List<String> errors) {
		if (!url.startsWith("jdbc:postgresql://")) {
			errors.add("fhirfort.db.url must start with jdbc:postgresql:// (got '" + redact(url) + "')");
			return;
		}
		int q = url.indexOf('?');
		if (q < 0) {
			return;
		}
		for (String pair : url.substring(q + 1).split("&")) {
			if (pair.isEmpty()) {
				continue;
			}
			String name = pair.split("=", 2)[0].toLowerCase(Locale.ROOT);
			if (!ALLOWED_JDBC_PARAMETERS.contains(name)) {
				errors.add("fhirfort.db.url parameter '" + name + "' is not allowed: TLS (sslmode=verify-full,"
						+ " sslrootcert) is set by the server; allowed: " + ALLOWED_JDBC_PARAMETERS);
			}
		}
	}

	private static void requireReadableFile(String property, String location, boolean secret, List<String> errors) {
		if (isBlank(location)) {
			errors.add(property + " is not set");
			return;
		}
		Path path = Path.of(location);
		if (!Files.isRegularFile(path)) {
			errors.add(property + ": file " + location + " does not exist");
			return;
		}
		if (!Files.isReadable(path)) {
			errors.add(property + ": file " + location + " is not readable by this user");
			return;
		}
		if (secret) {
			try {
				Set<PosixFilePermission> perms = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
				if (perms.contains(PosixFilePermission.OTHERS_READ)) {
					errors.add(property + ": file " + location + " is world-readable (use mode 0400 or 0440)");
				}
			} catch (UnsupportedOperationException | java.io.IOException e) {
				// Not a POSIX file system: nothing to check.
			}
		}
	}

	static String stripFilePrefix(String location) {
		if (location != null && location.startsWith("file:")) {
			return location.substring("file:".length());
		}
		return location;
	}

	private static String redact(String url) {
		int q = url.indexOf('?');
		return q < 0 ? url : url.substring(0, q) + "?...";
	}

	private static boolean isBlank(String s) {
		return s == null || s.isBlank();
	}

	/** Registered in main(): runs once the environment (files, configtree secrets) is assembled. */
	public static final class Listener implements ApplicationListener<ApplicationEnvironmentPreparedEvent> {
		@Override
		public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
			List<String> errors = validate(event.getEnvironment());
			if (!errors.isEmpty()) {
				String message = "fhirfort fhir-server configuration is invalid:\n  - " + String.join("\n  - ", errors);
				System.err.println(message);
				throw new IllegalStateException(message);
			}
		}
	}
}
