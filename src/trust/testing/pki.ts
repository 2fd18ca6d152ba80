// Test-only: builds certificate hierarchies with chosen defects, to check that chain validation
// rejects each one for the right reason.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import type { KeyObject } from 'node:crypto';
import { generateKeyPair, type KeyPair } from '../keys/generate.ts';
import { OID, parseCertificate, type Certificate } from '../x509/certificate.ts';
import { createCertificate, nameOf } from '../x509/ca.ts';

export interface CertSpec {
  name?: string;
  ca?: boolean;
  pathLength?: number;
  keyUsage?: number;
  eku?: string[];
  email?: string;
  uri?: string;
  oidcIssuer?: string;
  notBefore?: Date;
  notAfter?: Date;
  criticalUnknown?: boolean;
  /** Leave the basic constraints extension out entirely. */
  noBasicConstraints?: boolean;
}

export interface Issued {
  cert: Certificate;
  keys: KeyPair;
  name: x509.JsonName;
}

const HOUR = 3_600_000;

export const KeyUsage = x509.KeyUsageFlags;

export async function makeCert(spec: CertSpec, issuer?: Issued, keys?: KeyPair): Promise<Issued> {
  const pair = keys ?? (await generateKeyPair('ecdsa-p256'));
  const name: x509.JsonName = spec.name === undefined ? [] : nameOf(spec.name, undefined);
  const extensions: x509.Extension[] = [];
  if (spec.noBasicConstraints !== true) extensions.push(new x509.BasicConstraintsExtension(spec.ca ?? false, spec.pathLength, true));
  extensions.push(new x509.KeyUsagesExtension(spec.keyUsage ?? (spec.ca ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign : x509.KeyUsageFlags.digitalSignature), true));
  if (spec.eku !== undefined) extensions.push(new x509.ExtendedKeyUsageExtension(spec.eku, false));
  const names: x509.JsonGeneralNames = [];
  if (spec.email !== undefined) names.push({ type: 'email', value: spec.email });
  if (spec.uri !== undefined) names.push({ type: 'url', value: spec.uri });
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names, name.length === 0));
  if (spec.oidcIssuer !== undefined) extensions.push(new x509.Extension(OID.fulcioIssuerV1, false, Buffer.from(spec.oidcIssuer)));
  if (spec.criticalUnknown === true) extensions.push(new x509.Extension('1.3.6.1.4.1.99999.1', true, Buffer.from([0x05, 0x00])));
  const now = Date.now();
  const cert = await createCertificate({
    subject: name,
    issuer: issuer?.name ?? name,
    publicKey: pair.publicKey,
    signingKey: (issuer?.keys ?? pair).privateKey,
    issuerPublicKey: (issuer?.keys ?? pair).publicKey as KeyObject,
    notBefore: spec.notBefore ?? new Date(now - HOUR),
    notAfter: spec.notAfter ?? new Date(now + 24 * HOUR),
    extensions,
  });
  return { cert: parseCertificate(Buffer.from(cert.rawData), spec.name ?? 'test certificate'), keys: pair, name };
}

/** root → intermediate → leaf (code signing, alice@example.com), all valid now. */
export async function makeHierarchy(): Promise<{ root: Issued; intermediate: Issued; leaf: Issued }> {
  const root = await makeCert({ name: 'Test Root', ca: true, pathLength: 1 });
  const intermediate = await makeCert({ name: 'Test Intermediate', ca: true, pathLength: 0 }, root);
  const leaf = await makeCert({ email: 'alice@example.com', eku: [OID.codeSigning], oidcIssuer: 'https://issuer.example' }, intermediate);
  return { root, intermediate, leaf };
}
