package org.fhirfort.fhirserver.config;

import ca.uhn.fhir.batch2.jobs.config.Batch2JobsConfig;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.api.config.ThreadPoolFactoryConfig;
import ca.uhn.fhir.jpa.batch2.JpaBatch2Config;
import ca.uhn.fhir.jpa.config.HapiJpaConfig;
import ca.uhn.fhir.jpa.config.r4.JpaR4Config;
import ca.uhn.fhir.jpa.config.util.HapiEntityManagerFactoryUtil;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.model.config.SubscriptionSettings;
import ca.uhn.fhir.jpa.subscription.channel.config.SubscriptionChannelConfig;
import jakarta.persistence.EntityManagerFactory;
import java.util.Properties;
import javax.sql.DataSource;
import org.fhirfort.fhirserver.db.HapiSchemaMigrator;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.orm.jpa.LocalContainerEntityManagerFactoryBean;

/**
 * HAPI FHIR JPA (R4) wiring: HAPI's own configuration classes plus the beans they expect the application
 * to provide (storage/partition/subscription settings, entity manager factory, transaction manager).
 */
@Configuration
@Import({
	JpaR4Config.class,
	HapiJpaConfig.class,
	JpaBatch2Config.class,
	Batch2JobsConfig.class,
	ThreadPoolFactoryConfig.class,
	// In-process message channels (batch2 work notifications). No subscription matching or delivery
	// configs are imported: this server never calls out to subscription endpoints.
	SubscriptionChannelConfig.class
})
public class HapiJpaServerConfig {

	/** Hardened storage settings; each deviation from HAPI's defaults is deliberate. */
	@Bean
	public JpaStorageSettings jpaStorageSettings(FhirfortProperties props) {
		JpaStorageSettings s = new JpaStorageSettings();
		// No physical deletion of history through the API.
		s.setExpungeEnabled(false);
		s.setDeleteExpungeEnabled(false);
		s.setAllowMultipleDelete(false);
		// References must be local: no absolute URLs stored, nothing fetched from elsewhere.
		s.setAllowExternalReferences(false);
		s.setAutoCreatePlaceholderReferenceTargets(false);
		s.setEnforceReferentialIntegrityOnDelete(true);
		s.setEnforceReferentialIntegrityOnWrite(true);
		// Expensive/unbounded search features off. (:contains stays off: with it on, HAPI 8.8 answered a string search
		// combined with any other parameter, e.g. family=Smith-Jones&gender=female, with zero matches.)
		s.setAllowContainsSearches(false);
		s.setIndexMissingFields(JpaStorageSettings.IndexEnabledEnum.DISABLED);
		s.setHibernateSearchIndexFullText(false);
		s.setHibernateSearchIndexSearchParams(false);
		s.setStoreResourceInHSearchIndex(false);
		// Server-assigned ids that cannot be enumerated.
		s.setResourceServerIdStrategy(JpaStorageSettings.IdStrategyEnum.valueOf(props.getFhir().getServerIdStrategy()));
		s.setDefaultSearchParamsCanBeOverridden(false);
		return s;
	}

	@Bean
	public PartitionSettings partitionSettings() {
		PartitionSettings p = new PartitionSettings();
		p.setPartitioningEnabled(false);
		return p;
	}

	/** No supported channel types (HAPI's default): no subscription ever makes the server call out. */
	@Bean
	public SubscriptionSettings subscriptionSettings() {
		return new SubscriptionSettings();
	}

	/** Hibernate settings; the schema is HAPI migrator's (hbm2ddl none) and full-text search is off. */
	public static Properties hibernateProperties() {
		Properties p = new Properties();
		p.setProperty("hibernate.dialect", "ca.uhn.fhir.jpa.model.dialect.HapiFhirPostgresDialect");
		p.setProperty("hibernate.hbm2ddl.auto", "none");
		p.setProperty("hibernate.search.enabled", "false");
		p.setProperty("hibernate.format_sql", "false");
		p.setProperty("hibernate.show_sql", "false");
		p.setProperty("hibernate.jdbc.batch_size", "20");
		p.setProperty("hibernate.order_inserts", "true");
		p.setProperty("hibernate.order_updates", "true");
		p.setProperty("hibernate.cache.use_query_cache", "false");
		p.setProperty("hibernate.cache.use_second_level_cache", "false");
		p.setProperty("hibernate.cache.use_structured_entries", "false");
		p.setProperty("hibernate.cache.use_minimal_puts", "false");
		p.setProperty("hibernate.integration.envers.enabled", "false");
		return p;
	}

	@Primary
	@Bean
	public LocalContainerEntityManagerFactoryBean entityManagerFactory(
			ConfigurableListableBeanFactory beanFactory,
			FhirContext fhirContext,
			JpaStorageSettings storageSettings,
			DataSource dataSource,
			HapiSchemaMigrator schemaMigrator) {
		// schemaMigrator is a parameter so that the schema is current before Hibernate starts.
		LocalContainerEntityManagerFactoryBean emf =
				HapiEntityManagerFactoryUtil.newEntityManagerFactory(beanFactory, fhirContext, storageSettings);
		emf.setPersistenceUnitName("HAPI_PU");
		emf.setDataSource(dataSource);
		emf.setJpaProperties(hibernateProperties());
		return emf;
	}

	@Primary
	@Bean
	public JpaTransactionManager transactionManager(EntityManagerFactory entityManagerFactory) {
		JpaTransactionManager tm = new JpaTransactionManager();
		tm.setEntityManagerFactory(entityManagerFactory);
		return tm;
	}
}
