package org.fhirfort.fhirserver;

import org.fhirfort.fhirserver.config.StartupConfigValidator;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.data.jpa.JpaRepositoriesAutoConfiguration;
import org.springframework.boot.autoconfigure.elasticsearch.ElasticsearchClientAutoConfiguration;
import org.springframework.boot.autoconfigure.elasticsearch.ElasticsearchRestClientAutoConfiguration;
import org.springframework.boot.autoconfigure.flyway.FlywayAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.autoconfigure.orm.jpa.HibernateJpaAutoConfiguration;
import org.springframework.boot.autoconfigure.quartz.QuartzAutoConfiguration;
import org.springframework.boot.autoconfigure.thymeleaf.ThymeleafAutoConfiguration;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * fhirfort's FHIR server: HAPI FHIR JPA (R4) on PostgreSQL, TLS only.
 *
 * <p>Spring Boot's own DataSource/JPA/Flyway/Quartz/Thymeleaf/Elasticsearch auto-configuration is switched off: the
 * DataSource, the entity manager factory and the schema migrator are wired explicitly in
 * {@code org.fhirfort.fhirserver.config}, and HAPI brings its own scheduler.
 */
@SpringBootApplication(
		exclude = {
			DataSourceAutoConfiguration.class,
			HibernateJpaAutoConfiguration.class,
			JpaRepositoriesAutoConfiguration.class,
			FlywayAutoConfiguration.class,
			QuartzAutoConfiguration.class,
			ThymeleafAutoConfiguration.class,
			ElasticsearchRestClientAutoConfiguration.class,
			ElasticsearchClientAutoConfiguration.class
		})
@ConfigurationPropertiesScan
public class FhirServerApplication {

	public static void main(String[] args) {
		SpringApplication app = new SpringApplication(FhirServerApplication.class);
		// Fails fast, before Tomcat or the database are touched, with a message naming the property.
		app.addListeners(new StartupConfigValidator.Listener());
		app.run(args);
	}
}
