// The webhook's own PKI for `bulwark admission install`: a CA that exists only to sign the serving
// certificate, whose certificate becomes the webhook configuration's caBundle. ECDSA P-256: small,
// fast, accepted by every supported API server.
import 'reflect-metadata'; // @peculiar/x509 resolves its internals through a DI container that needs it
import { randomBytes, type webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

// The global Web Crypto object is node:crypto's `webcrypto`; reading it from the module would make
// every bundled import of node:crypto load Web Crypto (scripts/bundle.ts exports no accessors).
x509.cryptoProvider.set(globalThis.crypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const KEY = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
/** Clock skew between the machine that renders and the cluster. */
const BACKDATE_MS = 5 * 60 * 1000;

export interface WebhookCertificates {
  caCert: string;
  cert: string;
  key: string;
  notAfter: Date;
}

function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] as number) & 0x7f; // positive
  return bytes.toString('hex');
}

async function pkcs8(key: webcrypto.CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await globalThis.crypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

/** A throwaway CA and a serving certificate for `hosts` (DNS names or IP addresses). */
export async function webhookCertificates(hosts: readonly string[], validityDays = 365): Promise<WebhookCertificates> {
  const notBefore = new Date(Date.now() - BACKDATE_MS);
  const notAfter = new Date(Date.now() + validityDays * 86_400_000);
  const caKeys = (await globalThis.crypto.subtle.generateKey(KEY, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: [{ CN: ['bulwark-admission-ca'] }],
    keys: caKeys,
    signingAlgorithm: SIGNING,
    notBefore,
    notAfter,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const keys = (await globalThis.crypto.subtle.generateKey(KEY, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: [{ CN: [hosts[0] ?? 'bulwark-admission'] }],
    issuer: ca.subject,
    publicKey: keys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: SIGNING,
    notBefore,
    notAfter,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      await x509.AuthorityKeyIdentifierExtension.create(ca.publicKey),
      new x509.SubjectAlternativeNameExtension(hosts.map((host) => (isIP(host) === 0 ? { type: 'dns' as const, value: host } : { type: 'ip' as const, value: host }))),
    ],
  });
  return { caCert: ca.toString('pem'), cert: cert.toString('pem'), key: await pkcs8(keys.privateKey), notAfter };
}
