package org.fhirfort.fhirserver.security;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/** An SSLSocketFactory that trusts only the CA certificates of one PEM file (the kit CA). */
public final class PemTrust {

	private PemTrust() {}

	public static SSLSocketFactory socketFactory(Path pemFile) throws IOException, GeneralSecurityException {
		KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
		ks.load(null, null);
		Collection<? extends Certificate> certs;
		try (InputStream in = Files.newInputStream(pemFile)) {
			certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
		}
		if (certs.isEmpty()) {
			throw new GeneralSecurityException("no certificate in " + pemFile);
		}
		int i = 0;
		for (Certificate c : certs) {
			ks.setCertificateEntry("ca-" + i++, c);
		}
		TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
		tmf.init(ks);
		SSLContext ctx = SSLContext.getInstance("TLS");
		ctx.init(null, tmf.getTrustManagers(), null);
		return ctx.getSocketFactory();
	}
}
