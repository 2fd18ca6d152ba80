import { createHash, X509Certificate as NodeCertificate, type KeyObject } from 'node:crypto';
import { X509Certificate as SigstoreCertificate } from '@sigstore/core';
import { parsePem } from '../encoding/pem.ts';
import { inputError, parseError } from '../errors.ts';
import { limits } from '../limits.ts';

export const OID = {
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  anyExtendedKeyUsage: '2.5.29.37.0',
  /** Fulcio's OIDC issuer, v1 (raw string) and v2 (DER UTF8String). */
  fulcioIssuerV1: '1.3.6.1.4.1.57264.1.1',
  fulcioIssuerV2: '1.3.6.1.4.1.57264.1.8',
  sct: '1.3.6.1.4.1.11129.2.4.2',
} as const;

/** Extensions whose meaning Bulwark enforces or that are informational; any other critical one is refused. */
const UNDERSTOOD = new Set<string>([OID.basicConstraints, OID.keyUsage, OID.extKeyUsage, OID.subjectAltName, OID.subjectKeyId, OID.authorityKeyId]);

export interface Certificate {
  der: Buffer;
  /** SHA-256 of the DER, hex: a stable name for caches and output. */
  fingerprint: string;
  publicKey: KeyObject;
  subject: string;
  issuer: string;
  /** DER of the subject and issuer names: chains are built by comparing these exactly. */
  subjectDer: Buffer;
  issuerDer: Buffer;
  notBefore: Date;
  notAfter: Date;
  isCA: boolean;
  /** `undefined` when the certificate sets no path length constraint. */
  pathLength: number | undefined;
  /** `undefined` when the extension is absent (then every usage is allowed). */
  keyUsage: { digitalSignature: boolean; keyCertSign: boolean } | undefined;
  extKeyUsage: string[] | undefined;
  emails: string[];
  uris: string[];
  dnsNames: string[];
  oidcIssuer: string | undefined;
  /** Critical extensions Bulwark does not understand: such a certificate must not be trusted. */
  unknownCritical: string[];
  node: NodeCertificate;
}

/** Parses one DER certificate. OpenSSL checks the encoding first; extensions are then read from the ASN.1. */
export function parseCertificate(der: Uint8Array, what: string): Certificate {
  const bytes = Buffer.from(der);
  let node: NodeCertificate;
  let parsed: SigstoreCertificate;
  try {
    node = new NodeCertificate(bytes);
    parsed = SigstoreCertificate.parse(bytes);
  } catch (error) {
    throw parseError(what, `not a valid X.509 certificate (${(error as Error).message})`, error);
  }
  try {
    const basic = parsed.extBasicConstraints;
    const usage = parsed.extKeyUsage;
    const pathLength = basic?.pathLenConstraint;
    const names = generalNames(parsed);
    return {
      der: bytes,
      fingerprint: createHash('sha256').update(bytes).digest('hex'),
      publicKey: node.publicKey,
      subject: (node.subject ?? '').replaceAll('\n', ', '),
      issuer: (node.issuer ?? '').replaceAll('\n', ', '),
      subjectDer: parsed.subject,
      issuerDer: parsed.issuer,
      notBefore: parsed.notBefore,
      notAfter: parsed.notAfter,
      isCA: basic?.isCA ?? false,
      pathLength: pathLength === undefined ? undefined : Number(pathLength > 1000n ? 1000n : pathLength),
      keyUsage: usage === undefined ? undefined : { digitalSignature: usage.digitalSignature, keyCertSign: usage.keyCertSign },
      extKeyUsage: extendedKeyUsage(parsed),
      ...names,
      oidcIssuer: oidcIssuer(parsed),
      unknownCritical: parsed.extensions
        .map((extension) => ({ oid: extension.subs[0]!.toOID(), critical: extension.subs.length === 3 && extension.subs[1]!.toBoolean() }))
        .filter((extension) => extension.critical && !UNDERSTOOD.has(extension.oid))
        .map((extension) => extension.oid),
      node,
    };
  } catch (error) {
    throw parseError(what, `malformed certificate extension (${(error as Error).message})`, error);
  }
}

function extendedKeyUsage(cert: SigstoreCertificate): string[] | undefined {
  const extension = cert.extension(OID.extKeyUsage);
  if (extension === undefined) return undefined;
  return (extension.valueObj.subs[0]?.subs ?? []).map((oid) => oid.toOID());
}

function generalNames(cert: SigstoreCertificate): { emails: string[]; uris: string[]; dnsNames: string[] } {
  const result = { emails: [] as string[], uris: [] as string[], dnsNames: [] as string[] };
  const extension = cert.extension(OID.subjectAltName);
  if (extension === undefined) return result;
  for (const name of extension.valueObj.subs[0]?.subs ?? []) {
    if (!name.tag.isContextSpecific()) continue;
    const text = name.value.toString('utf8');
    if (name.tag.number === 1) result.emails.push(text);
    else if (name.tag.number === 2) result.dnsNames.push(text);
    else if (name.tag.number === 6) result.uris.push(text);
  }
  return result;
}

function oidcIssuer(cert: SigstoreCertificate): string | undefined {
  const v2 = cert.extension(OID.fulcioIssuerV2);
  if (v2 !== undefined) return (v2.valueObj.subs[0]?.value ?? v2.value).toString('utf8');
  const v1 = cert.extension(OID.fulcioIssuerV1);
  if (v1 !== undefined) return v1.value.toString('utf8');
  return undefined;
}

/** Every certificate in a PEM text, in order (leaf first in a chain file, by convention). */
export function parseCertificatesPem(pemText: string, source: string): Certificate[] {
  const blocks = parsePem(pemText, source).filter((block) => block.type === 'CERTIFICATE');
  if (blocks.length === 0) throw inputError(source, 'no certificate found (expected a PEM "CERTIFICATE" block)');
  if (blocks.length > limits.certificatesPerChain * 10) throw inputError(source, `${blocks.length} certificates is more than Bulwark reads from one file`);
  return blocks.map((block, index) => parseCertificate(block.bytes, `${source}: certificate ${index + 1}`));
}

/** The identities a certificate vouches for: SAN e-mails and URIs (what Sigstore identities are). */
export function identitiesOf(cert: Certificate): string[] {
  return [...cert.emails, ...cert.uris];
}

export function certificatePem(cert: Certificate): string {
  return cert.node.toString();
}
