// Test-only: a stand-in for a Fulcio CA on 127.0.0.1 that answers `POST /api/v2/signingCert` as
// Fulcio's v2 API does, so the Sigstore signing library can be exercised without a network:
//  - an OIDC identity provider of its own (ES256 ID tokens, `issueToken`), whose tokens it checks;
//  - the proof of possession (the token's subject signed by the requested key) is verified;
//  - short-lived code-signing certificates from a root → intermediate chain, with Fulcio's issuer
//    extensions and an embedded SCT from a test CT log (RFC 6962 precertificate signature);
//  - `trustedRoot(tlogs)`: a trusted_root.json with the CA and the CT log (and a log's entries).
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createHash, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { X509Certificate as SigstoreCertificate } from '@sigstore/core';
import { spkiDer } from '../keys/algorithm.ts';
import { generateKeyPair } from '../keys/generate.ts';
import { OID } from '../x509/certificate.ts';
import { createCertificate, nameOf, serialNumber, utf8String } from '../x509/ca.ts';

export interface StandInFulcio {
  url: string;
  /** The identity provider's issuer URL, recorded in certificates. */
  issuer: string;
  /** An ID token for `email` (or, without one, the subject `sub`), valid for `lifetimeS` seconds. */
  issueToken(claims: { email?: string; sub?: string; emailVerified?: boolean; lifetimeS?: number; audience?: string }): string;
  /** PEM: intermediate then root. */
  chainPem: string;
  rootPem: string;
  /** A trusted_root.json trusting this CA and its CT log, plus the tlogs given (e.g. a stand-in Rekor's). */
  trustedRoot(tlogs?: unknown[]): string;
  issued: number;
  stop(): Promise<void>;
}

const CERT_LIFETIME_MS = 10 * 60_000;
const MAX_REQUEST_BYTES = 64 * 1024;

const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

/** RFC 6962 §3.2: the SCT's signature covers the precertificate's TBS without the SCT extension. */
function precertSignedData(timestamp: bigint, issuerKeyHash: Buffer, tbs: Buffer): Buffer {
  const head = Buffer.alloc(12);
  head.writeUInt8(0, 0); // v1
  head.writeUInt8(0, 1); // certificate_timestamp
  head.writeBigUInt64BE(timestamp, 2);
  head.writeUInt16BE(1, 10); // precert_entry
  const length = Buffer.from([(tbs.length >> 16) & 0xff, (tbs.length >> 8) & 0xff, tbs.length & 0xff]);
  return Buffer.concat([head, issuerKeyHash, length, tbs, Buffer.from([0, 0])]);
}

function sctListExtension(logId: Buffer, timestamp: bigint, signature: Buffer): x509.Extension {
  const sct = Buffer.alloc(1 + 32 + 8 + 2 + 2 + 2 + signature.length);
  let at = sct.writeUInt8(0, 0);
  at += logId.copy(sct, at);
  at = sct.writeBigUInt64BE(timestamp, at);
  at = sct.writeUInt16BE(0, at); // no extensions
  at = sct.writeUInt8(4, at); // sha256
  at = sct.writeUInt8(3, at); // ecdsa
  at = sct.writeUInt16BE(signature.length, at);
  signature.copy(sct, at);
  const list = Buffer.alloc(4 + sct.length);
  list.writeUInt16BE(sct.length + 2, 0);
  list.writeUInt16BE(sct.length, 2);
  sct.copy(list, 4);
  // The extension's value is an OCTET STRING holding the TLS-encoded list.
  const inner = list.length < 0x80 ? Buffer.from([0x04, list.length]) : Buffer.from([0x04, 0x82, list.length >> 8, list.length & 0xff]);
  return new x509.Extension(OID.sct, false, Buffer.concat([inner, list]));
}

export async function startStandInFulcio(options: { issuer?: string } = {}): Promise<StandInFulcio> {
  const idp = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ct = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ctSpki = ct.publicKey.export({ type: 'spki', format: 'der' });
  const ctLogId = createHash('sha256').update(ctSpki).digest();
  const root = await generateKeyPair('ecdsa-p256');
  const intermediate = await generateKeyPair('ecdsa-p256');
  const now = Date.now();
  const rootName = nameOf('Stand-in Fulcio Root', 'bulwark-test');
  const intermediateName = nameOf('Stand-in Fulcio Intermediate', 'bulwark-test');
  const caUsage = x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign;
  const rootCert = await createCertificate({
    subject: rootName, issuer: rootName, publicKey: root.publicKey, signingKey: root.privateKey, issuerPublicKey: root.publicKey,
    notBefore: new Date(now - 3_600_000), notAfter: new Date(now + 30 * 86_400_000),
    extensions: [new x509.BasicConstraintsExtension(true, 1, true), new x509.KeyUsagesExtension(caUsage, true)],
  });
  const intermediateCert = await createCertificate({
    subject: intermediateName, issuer: rootName, publicKey: intermediate.publicKey, signingKey: root.privateKey, issuerPublicKey: root.publicKey,
    notBefore: new Date(now - 3_600_000), notAfter: new Date(now + 30 * 86_400_000),
    extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(caUsage, true), new x509.ExtendedKeyUsageExtension([OID.codeSigning], false)],
  });
  const issuerKeyHash = createHash('sha256').update(spkiDer(intermediate.publicKey)).digest();
  let issued = 0;
  let issuerUrl = options.issuer ?? '';

  const issueToken: StandInFulcio['issueToken'] = (claims) => {
    const header = { alg: 'ES256', typ: 'JWT', kid: 'stand-in' };
    const seconds = Math.floor(Date.now() / 1000);
    const payload: Record<string, unknown> = { iss: issuerUrl, aud: claims.audience ?? 'sigstore', iat: seconds, exp: seconds + (claims.lifetimeS ?? 300), sub: claims.sub ?? claims.email ?? 'subject' };
    if (claims.email !== undefined) {
      payload.email = claims.email;
      payload.email_verified = claims.emailVerified ?? true;
    }
    const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
    const signature = sign('sha256', Buffer.from(signingInput), { key: idp.privateKey, dsaEncoding: 'ieee-p1363' });
    return `${signingInput}.${b64url(signature)}`;
  };

  /** Checks the ID token as Fulcio does (signature, issuer, audience, expiry); returns its claims. */
  const checkToken = (token: string): Record<string, unknown> => {
    const parts = token.split('.');
    if (parts.length !== 3) throw new Error('the identity token is not a JWT');
    const ok = verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), { key: idp.publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(parts[2]!, 'base64url'));
    if (!ok) throw new Error('the identity token signature does not verify');
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (claims.iss !== issuerUrl) throw new Error('unknown issuer');
    if (claims.aud !== 'sigstore') throw new Error('the token is not for sigstore');
    if (typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now()) throw new Error('the identity token has expired');
    if (claims.email !== undefined && claims.email_verified !== true) throw new Error('the e-mail address is not verified');
    return claims;
  };

  const issue = async (claims: Record<string, unknown>, publicKey: KeyObject): Promise<string[]> => {
    const email = typeof claims.email === 'string' ? claims.email : undefined;
    const san: x509.JsonGeneralNames = email !== undefined ? [{ type: 'email', value: email }] : [{ type: 'url', value: String(claims.sub) }];
    const base = [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([OID.codeSigning], false),
      new x509.SubjectAlternativeNameExtension(san, true),
      new x509.Extension(OID.fulcioIssuerV1, false, Buffer.from(issuerUrl, 'utf8')),
      new x509.Extension(OID.fulcioIssuerV2, false, utf8String(issuerUrl)),
    ];
    const common = {
      subject: [], issuer: intermediateName, publicKey, signingKey: intermediate.privateKey, issuerPublicKey: intermediate.publicKey,
      notBefore: new Date(Date.now() - 1000), notAfter: new Date(Date.now() + CERT_LIFETIME_MS), serialNumber: serialNumber(),
    };
    // The precertificate: the final certificate without its SCT. Same serial, names, times and extensions.
    const precert = await createCertificate({ ...common, extensions: base });
    const tbs = Buffer.from(SigstoreCertificate.parse(Buffer.from(precert.rawData)).tbsCertificate.toDER());
    const timestamp = BigInt(Date.now());
    const sctSignature = sign('sha256', precertSignedData(timestamp, issuerKeyHash, tbs), ct.privateKey);
    const leaf = await createCertificate({ ...common, extensions: [...base, sctListExtension(ctLogId, timestamp, sctSignature)] });
    issued++;
    return [leaf.toString('pem'), intermediateCert.toString('pem'), rootCert.toString('pem')];
  };

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) request.destroy();
      else chunks.push(chunk);
    });
    request.on('end', () => {
      const fail = (status: number, message: string) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ code: status, message }));
      if (request.method !== 'POST' || request.url !== '/api/v2/signingCert') return fail(404, 'not found');
      void (async () => {
        let body: { credentials?: { oidcIdentityToken?: string }; publicKeyRequest?: { publicKey?: { content?: string }; proofOfPossession?: string } };
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          return fail(400, 'the request is not JSON');
        }
        // The token comes in the body (`credentials`) or, as gRPC-gateway clients send it, as a bearer token.
        const bearer = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
        let claims: Record<string, unknown>;
        try {
          claims = checkToken(body.credentials?.oidcIdentityToken ?? bearer ?? '');
        } catch (error) {
          return fail(401, (error as Error).message);
        }
        let publicKey: KeyObject;
        try {
          publicKey = createPublicKey(body.publicKeyRequest?.publicKey?.content ?? '');
        } catch {
          return fail(400, 'the public key is not a PEM key');
        }
        const subject = typeof claims.email === 'string' ? claims.email : String(claims.sub);
        const proof = Buffer.from(body.publicKeyRequest?.proofOfPossession ?? '', 'base64');
        if (!verify('sha256', Buffer.from(subject), publicKey, proof)) return fail(400, 'the proof of possession does not verify');
        const certificates = await issue(claims, publicKey);
        // Fulcio's gRPC gateway answers 200 (sigstore-go accepts nothing else).
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ signedCertificateEmbeddedSct: { chain: { certificates } } }));
      })().catch((error: Error) => fail(500, error.message));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  issuerUrl ||= `${url}/oidc`;
  return {
    url,
    issuer: issuerUrl,
    issueToken,
    chainPem: `${intermediateCert.toString('pem')}\n${rootCert.toString('pem')}\n`,
    rootPem: `${rootCert.toString('pem')}\n`,
    trustedRoot: (tlogs = []) =>
      JSON.stringify({
        mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
        tlogs,
        certificateAuthorities: [
          {
            subject: { organization: 'bulwark-test', commonName: 'Stand-in Fulcio' },
            uri: url,
            certChain: { certificates: [intermediateCert, rootCert].map((cert) => ({ rawBytes: Buffer.from(cert.rawData).toString('base64') })) },
            validFor: { start: new Date(now - 3_600_000).toISOString() },
          },
        ],
        ctlogs: [{ baseUrl: `${url}/ct`, hashAlgorithm: 'SHA2_256', publicKey: { rawBytes: ctSpki.toString('base64'), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start: new Date(now - 3_600_000).toISOString() } }, logId: { keyId: ctLogId.toString('base64') } }],
        timestampAuthorities: [],
      }),
    get issued() {
      return issued;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
