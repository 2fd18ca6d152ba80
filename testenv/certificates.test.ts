import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { BulwarkError } from '../src/core/errors.ts';
import { createCertificateAuthority, createServiceAccountKey, issueCertificate } from './certificates.ts';

/** Does a TLS client with `client` credentials get an answer from a server with `server` credentials that requires client certificates? */
async function handshake(serverPair: { cert: string; key: string }, trustedByServer: string, clientPair: { cert: string; key: string }, trustedByClient: string, host = '127.0.0.1'): Promise<string> {
  const server = createServer({ cert: serverPair.cert, key: serverPair.key, ca: trustedByServer, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const peer = (req.socket as import('node:tls').TLSSocket).getPeerCertificate();
    res.end(`hello ${peer.subject?.CN}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise<string>((resolve, reject) => {
      const req = request({ host, port, path: '/', ca: trustedByClient, cert: clientPair.cert, key: clientPair.key, agent: false, servername: host === '127.0.0.1' ? undefined : host }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve(body));
      });
      req.on('error', reject);
      req.end();
    });
  } finally {
    server.close();
  }
}

describe('certificates', () => {
  it('issues certificates that verify against the CA, with names, groups and usages', async () => {
    const ca = await createCertificateAuthority('test-ca');
    const caCert = new X509Certificate(ca.cert);
    assert.equal(caCert.ca, true);
    assert.ok(caCert.verify(caCert.publicKey), 'self-signed');

    const server = await issueCertificate(ca, { commonName: 'kube-apiserver', hosts: ['localhost', '127.0.0.1', 'kubernetes.default.svc'], usages: ['server'] });
    const serverCert = new X509Certificate(server.cert);
    assert.ok(serverCert.verify(caCert.publicKey));
    assert.ok(serverCert.checkIssued(caCert));
    assert.equal(serverCert.ca, false);
    assert.equal(serverCert.checkHost('kubernetes.default.svc'), 'kubernetes.default.svc');
    assert.equal(serverCert.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(serverCert.checkHost('example.com'), undefined);
    assert.deepEqual(serverCert.keyUsage, ['1.3.6.1.5.5.7.3.1']);

    const admin = await issueCertificate(ca, { commonName: 'alice', organizations: ['system:masters'], usages: ['client'] });
    const adminCert = new X509Certificate(admin.cert);
    assert.match(adminCert.subject, /CN=alice/);
    assert.match(adminCert.subject, /O=system:masters/);
    assert.deepEqual(adminCert.keyUsage, ['1.3.6.1.5.5.7.3.2']);
    assert.match(admin.key, /^-----BEGIN PRIVATE KEY-----/);
  });

  it('makes a working mutual TLS pair, and a certificate of another CA is refused', async () => {
    const ca = await createCertificateAuthority();
    const server = await issueCertificate(ca, { commonName: 'server', hosts: ['127.0.0.1'], usages: ['server'] });
    const client = await issueCertificate(ca, { commonName: 'bob', usages: ['client'] });
    assert.equal(await handshake(server, ca.cert, client, ca.cert), 'hello bob');

    const other = await createCertificateAuthority('other');
    const stranger = await issueCertificate(other, { commonName: 'mallory', usages: ['client'] });
    await assert.rejects(handshake(server, ca.cert, stranger, ca.cert));
    // ... and a client trusting another CA refuses the server.
    await assert.rejects(handshake(server, ca.cert, client, other.cert), /self.signed|unable to verify|certificate/i);
  });

  it('refuses requests that would make an unusable certificate', async () => {
    const ca = await createCertificateAuthority();
    await assert.rejects(issueCertificate(ca, { commonName: 'x', usages: ['server'] }), (error: BulwarkError) => error.code === 'E_USAGE' && /at least one host/.test(error.message));
    await assert.rejects(issueCertificate(ca, { commonName: ' ', usages: ['client'] }), (error: BulwarkError) => error.code === 'E_USAGE');
    await assert.rejects(issueCertificate(ca, { commonName: 'x', usages: [] }), (error: BulwarkError) => error.code === 'E_USAGE');
  });

  it('makes a service-account key pair whose halves match', async () => {
    const { privateKey, publicKey } = await createServiceAccountKey();
    const { createPrivateKey, createPublicKey, sign, verify } = await import('node:crypto');
    const signature = sign('sha256', Buffer.from('token'), createPrivateKey(privateKey));
    assert.ok(verify('sha256', Buffer.from('token'), createPublicKey(publicKey), signature));
  });
});
