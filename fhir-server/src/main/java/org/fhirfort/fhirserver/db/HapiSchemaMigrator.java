package org.fhirfort.fhirserver.db;

import ca.uhn.fhir.jpa.migrate.DriverTypeEnum;
import ca.uhn.fhir.jpa.migrate.HapiMigrator;
import ca.uhn.fhir.jpa.migrate.MigrationResult;
import ca.uhn.fhir.jpa.migrate.SchemaMigrator;
import ca.uhn.fhir.jpa.migrate.tasks.HapiFhirJpaMigrationTasks;
import ca.uhn.fhir.util.VersionEnum;
import java.util.Collections;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;

/**
 * Brings the PostgreSQL schema to the version this HAPI release needs, in process, before the entity
 * manager factory starts (hbm2ddl stays "none"). HAPI's migration table (FLY_HFJ_MIGRATION) carries a lock
 * row, so two servers starting together do not migrate at once. On an empty database HAPI initialises the
 * schema in one pass.
 */
public class HapiSchemaMigrator implements InitializingBean {

	private static final Logger LOG = LoggerFactory.getLogger(HapiSchemaMigrator.class);

	private final DataSource dataSource;
	private final boolean enabled;

	public HapiSchemaMigrator(DataSource dataSource, boolean enabled) {
		this.dataSource = dataSource;
		this.enabled = enabled;
	}

	@Override
	public void afterPropertiesSet() {
		if (!enabled) {
			LOG.warn("fhirfort.db.migrate-on-startup=false: the schema is assumed to be current");
			return;
		}
		long start = System.nanoTime();
		HapiMigrator migrator =
				new HapiMigrator(SchemaMigrator.HAPI_FHIR_MIGRATION_TABLENAME, dataSource, DriverTypeEnum.POSTGRES_9_4);
		migrator.createMigrationTableIfRequired();
		migrator.addTasks(new HapiFhirJpaMigrationTasks(Collections.emptySet()).getAllTasks(VersionEnum.values()));
		MigrationResult result = migrator.migrate();
		LOG.info("HAPI schema migration done in {} ms: {}", (System.nanoTime() - start) / 1_000_000, result.summary());
	}
}
