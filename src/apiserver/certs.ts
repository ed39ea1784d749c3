/**
 * @module The cluster's PKI: a self-signed CA and an apiserver serving
 * certificate signed by it, created in the data dir at first start and
 * reused afterwards (as k3s does under server/tls/). ECDSA P-256 keeps
 * generation fast enough for a one-second start.
 */
import { webcrypto, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface ClusterPki {
  caCert: string;
  cert: string;
  key: string;
}

const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

function pem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ${label}-----\n${b64.trimEnd()}\n-----END ${label}-----\n`;
}

/** Loads the PKI from dir/tls, creating it on first use. `sans` are added to a new serving certificate. */
export async function loadOrCreatePki(dir: string, sans: { dns: string[]; ips: string[] }): Promise<ClusterPki> {
  const tls = join(dir, 'tls');
  const files = { caCert: join(tls, 'ca.crt'), caKey: join(tls, 'ca.key'), cert: join(tls, 'apiserver.crt'), key: join(tls, 'apiserver.key') };
  if (existsSync(files.caCert) && existsSync(files.cert) && existsSync(files.key)) {
    const [caCert, cert, key] = await Promise.all([readFile(files.caCert, 'utf8'), readFile(files.cert, 'utf8'), readFile(files.key, 'utf8')]);
    return { caCert, cert, key };
  }
  // Loaded only on first start: the library is the slow part of a cold start.
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const now = new Date(Date.now() - 60_000);
  const caKeys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomBytes(8).toString('hex'),
    name: `CN=nanokube-ca@${Math.floor(Date.now() / 1000)}`,
    notBefore: now,
    notAfter: new Date(now.getTime() + 10 * 365 * 86400_000),
    keys: caKeys,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const names = [...sans.dns.map((value) => ({ type: 'dns' as const, value })), ...sans.ips.map((value) => ({ type: 'ip' as const, value }))];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomBytes(8).toString('hex'),
    subject: 'CN=kube-apiserver',
    issuer: ca.subject,
    notBefore: now,
    notAfter: new Date(now.getTime() + 365 * 86400_000),
    publicKey: keys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
      new x509.SubjectAlternativeNameExtension(names, false),
      await x509.AuthorityKeyIdentifierExtension.create(ca, false),
    ],
  });
  const pki: ClusterPki = {
    caCert: ca.toString('pem') + '\n',
    cert: cert.toString('pem') + '\n',
    key: pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)),
  };
  await mkdir(tls, { recursive: true, mode: 0o700 });
  await writeFile(files.caKey, pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', caKeys.privateKey)), { mode: 0o600 });
  await writeFile(files.caCert, pki.caCert);
  await writeFile(files.key, pki.key, { mode: 0o600 });
  await writeFile(files.cert, pki.cert);
  return pki;
}

/** The admin bearer token, created once per data dir. */
export async function loadOrCreateToken(dir: string, given?: string): Promise<string> {
  const file = join(dir, 'token');
  if (given) {
    await writeFile(file, given, { mode: 0o600 });
    return given;
  }
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const token = randomBytes(24).toString('hex');
  await mkdir(dir, { recursive: true });
  await writeFile(file, token, { mode: 0o600 });
  return token;
}
