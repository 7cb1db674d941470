package org.fhirfort.fhirserver.config;

import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/** Every {@code fhirfort.*} property. The README documents each one. */
@ConfigurationProperties(prefix = "fhirfort")
public class FhirfortProperties {

	private final Db db = new Db();
	private final Fhir fhir = new Fhir();
	private final Http http = new Http();

	/** Addresses or CIDR ranges of the edge proxies whose X-Forwarded-* headers are believed. */
	private List<String> trustedProxies = new ArrayList<>();

	public Db getDb() {
		return db;
	}

	public Fhir getFhir() {
		return fhir;
	}

	public Http getHttp() {
		return http;
	}

	public List<String> getTrustedProxies() {
		return trustedProxies;
	}

	public void setTrustedProxies(List<String> trustedProxies) {
		this.trustedProxies = trustedProxies == null ? new ArrayList<>() : trustedProxies;
	}

	public static class Db {
		/** jdbc:postgresql://host:port/database, without ssl parameters (they are enforced). */
		private String url;

		private String username;
		/** Normally provided by the configtree file secrets/fhirfort.db.password. */
		private String password;
		/** CA certificate (PEM) that signed the PostgreSQL server certificate (sslmode=verify-full). */
		private String sslRootCert = "/etc/fhirfort/fhir-server/tls/db-ca.crt";

		private int maxPoolSize = 10;
		private int minIdle = 2;
		private long connectionTimeoutMs = 10_000;
		/** Run HAPI's schema migrator before the entity manager factory starts. */
		private boolean migrateOnStartup = true;

		public String getUrl() {
			return url;
		}

		public void setUrl(String url) {
			this.url = url;
		}

		public String getUsername() {
			return username;
		}

		public void setUsername(String username) {
			this.username = username;
		}

		public String getPassword() {
			return password;
		}

		public void setPassword(String password) {
			this.password = password;
		}

		public String getSslRootCert() {
			return sslRootCert;
		}

		public void setSslRootCert(String sslRootCert) {
			this.sslRootCert = sslRootCert;
		}

		public int getMaxPoolSize() {
			return maxPoolSize;
		}

		public void setMaxPoolSize(int maxPoolSize) {
			this.maxPoolSize = maxPoolSize;
		}

		public int getMinIdle() {
			return minIdle;
		}

		public void setMinIdle(int minIdle) {
			this.minIdle = minIdle;
		}

		public long getConnectionTimeoutMs() {
			return connectionTimeoutMs;
		}

		public void setConnectionTimeoutMs(long connectionTimeoutMs) {
			this.connectionTimeoutMs = connectionTimeoutMs;
		}

		public boolean isMigrateOnStartup() {
			return migrateOnStartup;
		}

		public void setMigrateOnStartup(boolean migrateOnStartup) {
			this.migrateOnStartup = migrateOnStartup;
		}
	}

	public static class Fhir {
		/** Fixed public base URL written into Bundle links (e.g. https://fhir.example.org/fhir); empty = derived. */
		private String publicBaseUrl = "";

		private int defaultPageSize = 20;
		private int maxPageSize = 200;
		/** Server-assigned ids: UUID (not guessable) or SEQUENTIAL_NUMERIC. */
		private String serverIdStrategy = "UUID";

		public String getPublicBaseUrl() {
			return publicBaseUrl;
		}

		public void setPublicBaseUrl(String publicBaseUrl) {
			this.publicBaseUrl = publicBaseUrl == null ? "" : publicBaseUrl;
		}

		public int getDefaultPageSize() {
			return defaultPageSize;
		}

		public void setDefaultPageSize(int defaultPageSize) {
			this.defaultPageSize = defaultPageSize;
		}

		public int getMaxPageSize() {
			return maxPageSize;
		}

		public void setMaxPageSize(int maxPageSize) {
			this.maxPageSize = maxPageSize;
		}

		public String getServerIdStrategy() {
			return serverIdStrategy;
		}

		public void setServerIdStrategy(String serverIdStrategy) {
			this.serverIdStrategy = serverIdStrategy;
		}
	}

	public static class Http {
		/** Largest request body accepted on /fhir (Bundles included). */
		private DataSize maxRequestBody = DataSize.ofMegabytes(10);

		public DataSize getMaxRequestBody() {
			return maxRequestBody;
		}

		public void setMaxRequestBody(DataSize maxRequestBody) {
			this.maxRequestBody = maxRequestBody;
		}
	}
}
