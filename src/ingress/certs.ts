/**
 * @module Certificates of the proxy: the self-signed default certificate
 * served when no Secret covers the requested name (ingress-nginx's
 * "Kubernetes Ingress Controller Fake Certificate"), and SNI selection of
 * the certificate of a TLS host (exact name, then `*.` wildcard host).
 */
import { randomBytes, webcrypto } from 'node:crypto';
import type { TlsCert } from './types.ts';

export const FAKE_CERT_CN = 'Kubernetes Ingress Controller Fake Certificate';

function pem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ${label}-----\n${b64.trimEnd()}\n-----END ${label}-----\n`;
}

/**
 * A self-signed serving certificate. The default one mirrors ingress-nginx's
 * (`O=Acme Co, CN=Kubernetes Ingress Controller Fake Certificate`, SAN
 * `ingress.local`, one year); tests make theirs for their own names.
 */
export async function selfSignedCert(opts: { cn?: string; org?: string; dns?: string[]; ips?: string[]; days?: number } = {}): Promise<TlsCert> {
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  // ECDSA P-256: generated in milliseconds (RSA-2048 takes a noticeable part of a start-up).
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const cn = opts.cn ?? FAKE_CERT_CN;
  const names = [...(opts.dns ?? ['ingress.local']).map((value) => ({ type: 'dns' as const, value })), ...(opts.ips ?? []).map((value) => ({ type: 'ip' as const, value }))];
  const notBefore = new Date(Date.now() - 60_000);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01' + randomBytes(8).toString('hex'),
    name: `O=${opts.org ?? 'Acme Co'}, CN=${cn}`,
    notBefore,
    notAfter: new Date(notBefore.getTime() + (opts.days ?? 365) * 86400_000),
    keys,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
      new x509.SubjectAlternativeNameExtension(names, false),
    ],
  });
  return { cert: cert.toString('pem') + '\n', key: pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)) };
}
