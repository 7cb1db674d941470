package org.fhirfort.fhirserver.config;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.util.Properties;
import org.fhirfort.fhirserver.db.HapiSchemaMigrator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The PostgreSQL connection pool (TLS verify-full, enforced here) and the schema migrator. */
@Configuration(proxyBeanMethods = false)
public class DatabaseConfig {

	/** Driver properties that enforce TLS with certificate and host name verification. */
	public static Properties tlsProperties(FhirfortProperties.Db db) {
		Properties p = new Properties();
		p.setProperty("ssl", "true");
		p.setProperty("sslmode", "verify-full");
		p.setProperty("sslrootcert", db.getSslRootCert());
		p.setProperty("ApplicationName", "fhirfort-fhir-server");
		return p;
	}

	@Bean(destroyMethod = "close")
	public HikariDataSource dataSource(FhirfortProperties props) {
		FhirfortProperties.Db db = props.getDb();
		HikariConfig cfg = new HikariConfig();
		cfg.setPoolName("fhirfort-db");
		cfg.setDriverClassName("org.postgresql.Driver");
		cfg.setJdbcUrl(db.getUrl());
		cfg.setUsername(db.getUsername());
		cfg.setPassword(db.getPassword() == null ? null : db.getPassword().strip());
		cfg.setDataSourceProperties(tlsProperties(db));
		cfg.setMaximumPoolSize(db.getMaxPoolSize());
		cfg.setMinimumIdle(db.getMinIdle());
		cfg.setConnectionTimeout(db.getConnectionTimeoutMs());
		cfg.setAutoCommit(true);
		return new HikariDataSource(cfg);
	}

	@Bean
	public HapiSchemaMigrator hapiSchemaMigrator(HikariDataSource dataSource, FhirfortProperties props) {
		return new HapiSchemaMigrator(dataSource, props.getDb().isMigrateOnStartup());
	}
}
