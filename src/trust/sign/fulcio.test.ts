// The Fulcio v2 client: against the stand-in CA (which answers as Fulcio does), the issued certificate
// comes back with the chain above it; against a hostile server on 127.0.0.1, every bad answer is a
// typed error naming the CA, bounded in size and time, and the identity token is never in a message.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { BulwarkError } from '../../core/index.ts';
import { FileSigningKey } from '../keys/file-provider.ts';
import { generateKeyPair } from '../keys/generate.ts';
import { startStandInFulcio, type StandInFulcio } from '../testing/fulcio.ts';
import { certificatePem } from '../x509/certificate.ts';
import { parseSigningCertificateResponse, requestSigningCertificate, tokenSubject } from './fulcio.ts';

const ephemeralKey = async (): Promise<FileSigningKey> => {
  const pair = await generateKeyPair('ecdsa-p256');
  return new FileSigningKey(pair.privateKey, pair.publicKey, 'ephemeral key');
};

const jwt = (claims: Record<string, unknown>): string => `${Buffer.from('{"alg":"ES256"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2ln`;

function codeOf(error: unknown): string {
  assert.ok(error instanceof BulwarkError, `expected a BulwarkError, got ${String(error)}`);
  return error.code;
}

describe('Fulcio client', () => {
  let fulcio: StandInFulcio;
  let hostile: Server;
  let hostileUrl: string;
  let handler: (request: IncomingMessage, response: ServerResponse) => void = (_request, response) => response.end();
  before(async () => {
    fulcio = await startStandInFulcio();
    hostile = createServer((request, response) => {
      request.resume();
      request.on('end', () => handler(request, response));
    });
    await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
    hostileUrl = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}`;
  });
  after(async () => {
    await fulcio?.stop();
    hostile?.closeAllConnections();
    await new Promise<void>((resolve) => hostile?.close(() => resolve()));
  });

  it('returns the certificate for the key and the chain above it, intermediate then root', async () => {
    const key = await ephemeralKey();
    const issued = await requestSigningCertificate({ fulcioUrl: fulcio.url, identityToken: fulcio.issueToken({ email: 'ci@example.com' }), key });
    assert.ok(issued.certificate.publicKey.equals(key.publicKey));
    assert.deepEqual(issued.certificate.emails, ['ci@example.com']);
    assert.equal(issued.certificate.oidcIssuer, fulcio.issuer);
    assert.equal(issued.chain.length, 2);
    assert.equal(issued.chain.map(certificatePem).join('\n').replace(/\s+/g, ''), fulcio.chainPem.replace(/\s+/g, ''));
    assert.equal(issued.chain[0]!.subjectDer.equals(issued.certificate.issuerDer), true, 'the issuer comes first');
    // A token without an e-mail: the subject is the proof of possession's message, and the SAN a URI.
    const bySubject = await requestSigningCertificate({ fulcioUrl: fulcio.url, identityToken: fulcio.issueToken({ sub: 'https://ci.example.com/pipelines/7' }), key });
    assert.deepEqual(bySubject.certificate.uris, ['https://ci.example.com/pipelines/7']);
  });

  it("refuses with the CA's reason, names the CA and never prints the token", async () => {
    const expired = fulcio.issueToken({ email: 'ci@example.com', lifetimeS: -60 });
    const error = await requestSigningCertificate({ fulcioUrl: fulcio.url, identityToken: expired, key: await ephemeralKey() }).catch((e: unknown) => e);
    assert.equal(codeOf(error), 'E_IO');
    assert.match((error as Error).message, new RegExp(`^certificate authority ${fulcio.url.replace(/[./]/g, '\\$&')}: HTTP 401: the identity token has expired`));
    assert.ok(!(error as Error).message.includes(expired));
  });

  it('rejects a certificate for another key, malformed and oversized answers, and echoes of the token', async () => {
    const key = await ephemeralKey();
    const token = jwt({ email: 'ci@example.com', email_verified: true });
    const otherKey = await ephemeralKey();
    const foreign = await requestSigningCertificate({ fulcioUrl: fulcio.url, identityToken: fulcio.issueToken({ email: 'ci@example.com' }), key: otherKey });
    const cases: Array<{ name: string; reply: (response: ServerResponse) => void; code: string; message: RegExp }> = [
      {
        name: 'another key',
        reply: (r) => r.writeHead(200).end(JSON.stringify({ signedCertificateEmbeddedSct: { chain: { certificates: [certificatePem(foreign.certificate), ...foreign.chain.map(certificatePem)] } } })),
        code: 'E_IO',
        message: /a certificate for another key/,
      },
      { name: 'not JSON', reply: (r) => r.writeHead(200).end('<html>'), code: 'E_IO', message: /is not valid JSON/ },
      { name: 'no chain', reply: (r) => r.writeHead(200).end('{"signedCertificateEmbeddedSct":{}}'), code: 'E_IO', message: /"signedCertificateEmbeddedSct\.chain\.certificates" must be an array/ },
      { name: 'not PEM', reply: (r) => r.writeHead(200).end('{"signedCertificateDetachedSct":{"chain":{"certificates":["hello"]}}}'), code: 'E_IO', message: /certificates\[0\]/ },
      { name: 'oversized', reply: (r) => r.writeHead(200).end(Buffer.alloc(300 * 1024, 0x20)), code: 'E_IO', message: /over the limit/ },
      { name: 'refused, echoing the token', reply: (r) => r.writeHead(403).end(JSON.stringify({ code: 7, message: `token ${token} is not allowed` })), code: 'E_IO', message: /HTTP 403: token <identity token> is not allowed/ },
      { name: 'redirected', reply: (r) => r.writeHead(302, { location: 'http://fulcio.example.com/' }).end(), code: 'E_IO', message: /cannot reach it/ },
    ];
    for (const { name, reply, code, message } of cases) {
      handler = (_request, response) => reply(response);
      const error = await requestSigningCertificate({ fulcioUrl: hostileUrl, identityToken: token, key, retries: 0 }).catch((e: unknown) => e);
      assert.equal(codeOf(error), code, name);
      assert.match((error as Error).message, message, name);
      assert.match((error as Error).message, new RegExp(`^certificate authority ${hostileUrl.replace(/[./]/g, '\\$&')}: `), name);
      assert.ok(!(error as Error).message.includes(token), `${name}: the token is never printed`);
    }
  });

  it('retries a server error, and gives up on a silent CA within the deadline', async () => {
    const key = await ephemeralKey();
    let calls = 0;
    handler = (_request, response) => {
      calls++;
      if (calls === 1) response.writeHead(503).end('{"message":"busy"}');
      else response.writeHead(429).end('{"message":"slow down"}');
    };
    const refused = await requestSigningCertificate({ fulcioUrl: hostileUrl, identityToken: jwt({ sub: 'x' }), key, retries: 1 }).catch((e: unknown) => e);
    assert.equal(calls, 2, 'one retry');
    assert.match((refused as Error).message, /HTTP 429: slow down/);
    handler = () => {
      // never answers
    };
    const started = Date.now();
    const silent = await requestSigningCertificate({ fulcioUrl: hostileUrl, identityToken: jwt({ sub: 'x' }), key, timeoutMs: 300, retries: 1 }).catch((e: unknown) => e);
    assert.equal(codeOf(silent), 'E_IO');
    assert.match((silent as Error).message, /no answer within 300 ms/);
    assert.ok(Date.now() - started < 5_000, 'bounded in time');
    hostile.closeAllConnections();
  });

  it('takes the proof-of-possession subject from the token as Fulcio does', () => {
    assert.equal(tokenSubject(jwt({ email: 'ci@example.com', email_verified: true, sub: '123' })), 'ci@example.com');
    assert.equal(tokenSubject(jwt({ sub: 'repo:org/app:ref:refs/heads/main' })), 'repo:org/app:ref:refs/heads/main');
    for (const [token, message] of [
      [jwt({ email: 'ci@example.com', email_verified: false }), /not verified the e-mail/],
      [jwt({ email: 42 }), /"email" must be a non-empty string/],
      [jwt({ iss: 'x' }), /neither "email" nor "sub"/],
      ['not-a-token', /is not a JWT/],
      ['a.!!.c', /is not a JWT/],
      [`a.${Buffer.from('[1]').toString('base64url')}.c`, /not a JSON object/],
      [`a.${'A'.repeat(70_000)}.c`, /over the limit/],
    ] as const) {
      assert.throws(() => tokenSubject(token), (error: unknown) => error instanceof BulwarkError && message.test(error.message));
    }
  });

  it('fuzz: the response parser and the token reader never crash; every failure is a BulwarkError', () => {
    const pem = certificatePem(parseSigningCertificateResponse(Buffer.from(JSON.stringify({ signedCertificateEmbeddedSct: { chain: { certificates: fulcio.chainPem.split(/\n(?=-----BEGIN)/) } } })), 'r')[0]!);
    const response = fc.oneof(
      fc.json().map((text) => Buffer.from(text)),
      fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes)),
      fc
        .record({
          field: fc.constantFrom('signedCertificateEmbeddedSct', 'signedCertificateDetachedSct', 'other'),
          certificates: fc.array(fc.oneof(fc.constant(pem), fc.string(), fc.integer(), fc.constant(pem.slice(0, 120)), fc.constant(pem + pem)), { maxLength: 12 }),
        })
        .map(({ field, certificates }) => Buffer.from(JSON.stringify({ [field]: { chain: { certificates } } }))),
    );
    fc.assert(
      fc.property(response, (bytes) => {
        try {
          const certificates = parseSigningCertificateResponse(bytes, 'response');
          assert.ok(certificates.length >= 1 && certificates.length <= 10);
        } catch (error) {
          assert.ok(error instanceof BulwarkError, String(error));
        }
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json().map((claims) => `h.${Buffer.from(claims).toString('base64url')}.s`)), (token) => {
        try {
          assert.equal(typeof tokenSubject(token), 'string');
        } catch (error) {
          assert.ok(error instanceof BulwarkError, String(error));
        }
      }),
      { numRuns: 300 },
    );
  });
});
