package org.fhirfort.fhirserver.audit;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.storage.interceptor.balp.BalpAuditCaptureInterceptor;
import java.nio.file.Path;
import org.fhirfort.fhirserver.config.FhirfortProperties;
import org.fhirfort.fhirserver.security.FhirSecurityInterceptor;
import org.fhirfort.fhirserver.security.SecurityOrder;
import org.hl7.fhir.r4.model.Bundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

/**
 * Audit (BALP) as the last member of the security chain (500, after authorization): HAPI's
 * BalpAuditCaptureInterceptor with the spool-backed pipeline as sink, plus the refusal auditor. On unless
 * {@code fhirfort.audit.enabled=false}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(prefix = "fhirfort.audit", name = "enabled", havingValue = "true", matchIfMissing = true)
public class AuditConfig {

	private static final Logger LOG = LoggerFactory.getLogger(AuditConfig.class);

	/** The BALP interceptor as a chain member. */
	public record BalpMember(BalpAuditCaptureInterceptor interceptor) implements FhirSecurityInterceptor {
		@Override
		public int securityOrder() {
			return SecurityOrder.AUDIT;
		}
	}

	@Bean(destroyMethod = "close")
	@SuppressWarnings("unchecked")
	public AuditPipeline auditPipeline(FhirContext fhirContext, AuditProperties props, IFhirSystemDao<?, ?> systemDao)
			throws Exception {
		Path dir = Path.of(props.getSpoolDir());
		AuditSpool spool = new AuditSpool(dir, props.getSegmentMaxSize().toBytes());
		LOG.info("Audit: spool {} (fsync {}), queue {}, batches of {}", dir, props.getFsync(),
				props.getQueueCapacity(), props.getBatchSize());
		return new AuditPipeline(
				fhirContext, spool, new DaoAuditWriter((IFhirSystemDao<Bundle, ?>) systemDao), props, dir);
	}

	@EventListener(ApplicationReadyEvent.class)
	public void startAuditWriter(ApplicationReadyEvent event) {
		event.getApplicationContext().getBean(AuditPipeline.class).start();
	}

	@Bean
	public BalpMember balpAuditCaptureInterceptor(AuditPipeline auditPipeline) {
		return new BalpMember(new BalpAuditCaptureInterceptor(auditPipeline::submit, new AuditContextServices()));
	}

	@Bean
	public RefusalAuditor refusalAuditor(AuditPipeline auditPipeline, FhirfortProperties props) {
		return new RefusalAuditor(auditPipeline, props.getFhir().getPublicBaseUrl());
	}
}
