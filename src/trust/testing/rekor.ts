// Test-only: a stand-in for a Rekor v1 log on 127.0.0.1, enough for the Sigstore signing library to
// record hashedrekord and dsse entries and for verifiers to check them: RFC 6962 Merkle tree,
// signed entry timestamps, signed checkpoints, and the matching trusted_root.json.
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandInRekor {
  url: string;
  trustedRoot: string;
  entries: number;
  stop(): Promise<void>;
}

const leafHash = (data: Buffer): Buffer => createHash('sha256').update(Buffer.from([0])).update(data).digest();
const nodeHash = (left: Buffer, right: Buffer): Buffer => createHash('sha256').update(Buffer.from([1])).update(left).update(right).digest();

/** RFC 6962 root over leaves [from, to). */
function root(leaves: Buffer[], from: number, to: number): Buffer {
  if (to - from === 1) return leaves[from]!;
  let split = 1;
  while (split * 2 < to - from) split *= 2;
  return nodeHash(root(leaves, from, from + split), root(leaves, from + split, to));
}

/** RFC 6962 audit path for leaf `index` in the tree of leaves [from, to). */
function path(leaves: Buffer[], index: number, from: number, to: number): Buffer[] {
  if (to - from === 1) return [];
  let split = 1;
  while (split * 2 < to - from) split *= 2;
  if (index < from + split) return [...path(leaves, index, from, from + split), root(leaves, from + split, to)];
  return [...path(leaves, index, from + split, to), root(leaves, from, from + split)];
}

function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`).join(',')}}`;
}

/** What Rekor stores for a proposed entry: hashedrekord as proposed; dsse reduced to hashes and signatures. */
function storedBody(proposed: { kind: string; apiVersion: string; spec: Record<string, unknown> }): unknown {
  if (proposed.kind !== 'dsse') return proposed;
  const content = proposed.spec.proposedContent as { envelope: string; verifiers: string[] };
  const envelope = JSON.parse(content.envelope) as { payload: string; signatures: Array<{ sig: string }> };
  return {
    apiVersion: proposed.apiVersion,
    kind: 'dsse',
    spec: {
      envelopeHash: { algorithm: 'sha256', value: createHash('sha256').update(content.envelope).digest('hex') },
      payloadHash: { algorithm: 'sha256', value: createHash('sha256').update(Buffer.from(envelope.payload, 'base64')).digest('hex') },
      signatures: envelope.signatures.map((signature) => ({ signature: signature.sig, verifier: content.verifiers[0] })),
    },
  };
}

export async function startStandInRekor(): Promise<StandInRekor> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const logId = createHash('sha256').update(spki).digest();
  const leaves: Buffer[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/api/v1/log/entries') {
        response.writeHead(404).end();
        return;
      }
      const proposed = JSON.parse(body) as { kind: string; apiVersion: string; spec: Record<string, unknown> };
      const canonicalBody = Buffer.from(canonical(storedBody(proposed)));
      leaves.push(leafHash(canonicalBody));
      const logIndex = leaves.length - 1;
      const treeSize = leaves.length;
      const integratedTime = Math.floor(Date.now() / 1000);
      const set = sign('sha256', Buffer.from(canonical({ body: canonicalBody.toString('base64'), integratedTime, logIndex, logID: logId.toString('hex') })), privateKey as KeyObject);
      const rootHash = root(leaves, 0, treeSize);
      const note = `127.0.0.1 - 4242\n${treeSize}\n${rootHash.toString('base64')}\n`;
      const noteSignature = Buffer.concat([logId.subarray(0, 4), sign('sha256', Buffer.from(note), privateKey)]);
      const entry = {
        body: canonicalBody.toString('base64'),
        integratedTime,
        logID: logId.toString('hex'),
        logIndex,
        verification: {
          signedEntryTimestamp: set.toString('base64'),
          inclusionProof: {
            logIndex,
            treeSize,
            rootHash: rootHash.toString('hex'),
            hashes: path(leaves, logIndex, 0, treeSize).map((hash) => hash.toString('hex')),
            checkpoint: `${note}\n\u2014 127.0.0.1 ${noteSignature.toString('base64')}\n`,
          },
        },
      };
      // Rekor names the entry by its UUID in the body's only key and in the ETag and Location headers (sigstore-go reads the header).
      const uuid = createHash('sha256').update(canonicalBody).digest('hex');
      response.writeHead(201, { 'content-type': 'application/json', etag: uuid, location: `/api/v1/log/entries/${uuid}` }).end(JSON.stringify({ [uuid]: entry }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const trustedRoot = JSON.stringify({
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [{ baseUrl: url, hashAlgorithm: 'SHA2_256', publicKey: { rawBytes: spki.toString('base64'), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start: '2020-01-01T00:00:00Z' } }, logId: { keyId: logId.toString('base64') } }],
    certificateAuthorities: [],
    ctlogs: [],
    timestampAuthorities: [],
  });
  return {
    url,
    trustedRoot,
    get entries() {
      return leaves.length;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
