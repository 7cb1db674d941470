package org.fhirfort.fhirserver.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.api.model.DaoMethodOutcome;
import ca.uhn.fhir.jpa.patch.JsonPatchUtils;
import ca.uhn.fhir.jpa.provider.JpaSystemProvider;
import ca.uhn.fhir.jpa.rp.r4.ObservationResourceProvider;
import ca.uhn.fhir.jpa.rp.r4.PatientResourceProvider;
import ca.uhn.fhir.model.api.StorageResponseCodeEnum;
import ca.uhn.fhir.rest.server.SimpleBundleProvider;
import ca.uhn.fhir.util.OperationOutcomeUtil;
import jakarta.servlet.ServletException;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.fhirfort.fhirserver.config.FhirServerConfig;
import org.hl7.fhir.instance.model.api.IBaseOperationOutcome;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Meta;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.MockServletConfig;

/**
 * HAPI's real RestfulServer request handling (parameter binding, body parsing, exception and outcome hooks) with
 * the JPA server's own generated resource providers and this server's policy interceptors
 * ({@link FhirServerConfig#policyInterceptors()}), but with stand-in DAOs
 * instead of a database: a DAO records what reached it, patches with HAPI's JsonPatchUtils, and answers a delete
 * with the OperationOutcome HAPI's DAO builds.
 */
final class FhirTestServer {

	final FhirContext ctx = FhirContext.forR4();
	final FhirfortRestfulServer server = new FhirfortRestfulServer(ctx);
	/** Names of the DAO methods called, in order. */
	final List<String> daoCalls = new ArrayList<>();
	/** What the system DAO's transaction answers. */
	Function<Bundle, Bundle> transaction = b -> new Bundle().setType(Bundle.BundleType.TRANSACTIONRESPONSE);

	FhirTestServer() throws ServletException {
		PatientResourceProvider patients = new PatientResourceProvider();
		patients.setContext(ctx);
		patients.setDao(dao(Patient.class));
		ObservationResourceProvider observations = new ObservationResourceProvider();
		observations.setContext(ctx);
		observations.setDao(dao(Observation.class));
		JpaSystemProvider<Bundle, Meta> system = new JpaSystemProvider<>();
		system.setContext(ctx);
		system.setDao(systemDao());
		server.registerProviders(patients, observations, system);
		for (Object interceptor : FhirServerConfig.policyInterceptors()) {
			server.registerInterceptor(interceptor);
		}
		server.init(new MockServletConfig());
	}

	MockHttpServletResponse get(String path, String query) throws Exception {
		MockHttpServletRequest request = request("GET", path);
		request.setQueryString(query);
		for (String pair : query.split("&")) {
			String[] kv = pair.split("=", 2);
			request.addParameter(decode(kv[0]), decode(kv[1]));
		}
		return send(request);
	}

	MockHttpServletResponse send(String method, String path, String contentType, String body) throws Exception {
		MockHttpServletRequest request = request(method, path);
		if (body != null) {
			request.setContentType(contentType);
			request.setContent(body.getBytes(StandardCharsets.UTF_8));
		}
		if ("application/x-www-form-urlencoded".equals(contentType)) {
			for (String pair : body.split("&")) {
				String[] kv = pair.split("=", 2);
				request.addParameter(decode(kv[0]), decode(kv[1]));
			}
		}
		return send(request);
	}

	OperationOutcome outcome(MockHttpServletResponse response) throws IOException {
		return ctx.newJsonParser().parseResource(OperationOutcome.class, response.getContentAsString());
	}

	private MockHttpServletResponse send(MockHttpServletRequest request) throws ServletException, IOException {
		MockHttpServletResponse response = new MockHttpServletResponse();
		server.service(request, response);
		return response;
	}

	private static MockHttpServletRequest request(String method, String path) {
		MockHttpServletRequest request = new MockHttpServletRequest(method, "/fhir" + path);
		request.setContextPath("");
		request.setServletPath("/fhir");
		request.setPathInfo(path);
		request.addHeader("Accept", "application/fhir+json");
		return request;
	}

	private static String decode(String s) {
		return java.net.URLDecoder.decode(s, StandardCharsets.UTF_8);
	}

	@SuppressWarnings("unchecked")
	private <T extends org.hl7.fhir.r4.model.Resource> IFhirResourceDao<T> dao(Class<T> type) {
		return (IFhirResourceDao<T>) Proxy.newProxyInstance(getClass().getClassLoader(),
				new Class<?>[] {IFhirResourceDao.class}, (proxy, method, args) -> {
					switch (method.getName()) {
						case "getResourceType":
							return type;
						case "toString":
							return type.getSimpleName() + "Dao";
						case "hashCode":
							return System.identityHashCode(proxy);
						case "equals":
							return proxy == args[0];
						default:
							break;
					}
					if (method.getReturnType() == void.class) {
						return null; // e.g. translateRawParameters, which the search method calls first
					}
					daoCalls.add(method.getName());
					switch (method.getName()) {
						case "search":
							return new SimpleBundleProvider();
						case "patch":
							return patch(args);
						case "delete":
							return deleted((IdType) args[0]);
						default:
							throw new UnsupportedOperationException(method.getName());
					}
				});
	}

	/** HAPI's DAO applies a JSON Patch with JsonPatchUtils to the stored resource. */
	private DaoMethodOutcome patch(Object[] args) {
		String body = null;
		for (Object arg : args) {
			if (arg instanceof String s) {
				body = s; // the last string argument is the patch body (the first, if any, a conditional URL)
			}
		}
		Patient stored = new Patient();
		stored.setId("Patient/p-obrien");
		stored.addName().setFamily("O'Brien");
		Patient patched = JsonPatchUtils.apply(ctx, stored, body);
		DaoMethodOutcome outcome = new DaoMethodOutcome();
		outcome.setResource(patched);
		outcome.setId(patched.getIdElement());
		return outcome;
	}

	/** The outcome HAPI's DAO returns for a delete (BaseStorageDao.createInfoOperationOutcome). */
	private DaoMethodOutcome deleted(IdType id) {
		IBaseOperationOutcome oo = OperationOutcomeUtil.createOperationOutcome("information",
				"Successfully deleted 1 resource(s). Took 4ms.", "informational", ctx,
				StorageResponseCodeEnum.SUCCESSFUL_DELETE);
		DaoMethodOutcome outcome = new DaoMethodOutcome();
		outcome.setOperationOutcome(oo);
		outcome.setId(id);
		return outcome;
	}

	@SuppressWarnings("unchecked")
	private IFhirSystemDao<Bundle, Meta> systemDao() {
		return (IFhirSystemDao<Bundle, Meta>) Proxy.newProxyInstance(getClass().getClassLoader(),
				new Class<?>[] {IFhirSystemDao.class}, (proxy, method, args) -> {
					switch (method.getName()) {
						case "toString":
							return "SystemDao";
						case "hashCode":
							return System.identityHashCode(proxy);
						case "equals":
							return proxy == args[0];
						case "transaction":
							daoCalls.add("transaction");
							return transaction.apply((Bundle) args[1]);
						default:
							throw new UnsupportedOperationException(method.getName());
					}
				});
	}
}
