import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { connect as netConnect, type AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import fc from 'fast-check';
import { readBoundedText } from './body.ts';

const post = (body: string | ReadableStream<Uint8Array> | null, headers: Record<string, string> = {}): Request =>
  new Request('https://127.0.0.1/x', { method: 'POST', body, headers, ...(body instanceof ReadableStream ? { duplex: 'half' } : {}) } as RequestInit);

test('readBoundedText returns the body up to the limit and null beyond it, declared or streamed', async () => {
  assert.equal(await readBoundedText(post('héllo'), 6), 'héllo');
  assert.equal(await readBoundedText(post('héllo'), 5), null);
  assert.equal(await readBoundedText(post(null), 10), '');
  assert.equal(await readBoundedText(post('x', { 'content-length': '1000' }), 10), null);
  // An endless stream without a length is cut at the limit, not read to its end.
  let pulled = 0;
  const endless = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled++;
      controller.enqueue(new Uint8Array(1024));
    },
  });
  assert.equal(await readBoundedText(post(endless), 10_000), null);
  assert.ok(pulled < 20, `pulled ${pulled} chunks`);
});

test('readBoundedText agrees with the UTF-8 length of any text', async () => {
  await fc.assert(
    fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.nat(800), async (text, limit) => {
      const expected = Buffer.byteLength(text) > limit ? null : text;
      assert.equal(await readBoundedText(post(text), limit), expected);
    }),
  );
});

/** A Node stream carrying `chunks`, with the headers an IncomingMessage has. */
function incoming(chunks: readonly (string | Buffer)[], headers: Record<string, string> = {}): IncomingMessage {
  return Object.assign(Readable.from(chunks.map((chunk) => (typeof chunk === 'string' ? Buffer.from(chunk) : chunk))), { headers }) as unknown as IncomingMessage;
}

test('readBoundedText reads a Node request stream with the same bound', async () => {
  assert.equal(await readBoundedText(incoming(['hé', 'llo']), 6), 'héllo');
  assert.equal(await readBoundedText(incoming(['hé', 'llo']), 5), null);
  assert.equal(await readBoundedText(incoming([]), 10), '');
  assert.equal(await readBoundedText(incoming(['x'], { 'content-length': '1000' }), 10), null);
  let pulled = 0;
  const endless = Object.assign(
    new Readable({
      read() {
        pulled++;
        this.push(Buffer.alloc(1024));
      },
    }),
    { headers: {} },
  ) as unknown as IncomingMessage;
  assert.equal(await readBoundedText(endless, 10_000), null);
  // Paused at the bound: the stream fills its own buffer (16 KiB) and then stops being read.
  const atRefusal = pulled;
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.ok(pulled < 100 && pulled - atRefusal <= 16, `pulled ${pulled} chunks, ${pulled - atRefusal} after the refusal`);
  assert.equal(endless.listenerCount('data'), 0, 'stops listening once refused');
});

test('readBoundedText gives the same answer from a web Request and a Node stream, however the body is cut', async () => {
  await fc.assert(
    fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.nat(800), fc.array(fc.nat(50), { maxLength: 8 }), async (text, limit, cuts) => {
      const bytes = Buffer.from(text);
      const chunks: Buffer[] = [];
      let at = 0;
      for (const cut of cuts) {
        chunks.push(bytes.subarray(at, Math.min(bytes.length, at + cut)));
        at = Math.min(bytes.length, at + cut);
      }
      chunks.push(bytes.subarray(at));
      const expected = bytes.length > limit ? null : text;
      assert.equal(await readBoundedText(incoming(chunks), limit), expected);
      assert.equal(await readBoundedText(post(text), limit), expected);
    }),
  );
});

test('readBoundedText on a real connection: the body, an oversized body, and a client that leaves', async () => {
  const outcomes: (string | null | Error)[] = [];
  const server = createServer((request, response) => {
    readBoundedText(request, 64).then(
      (text) => {
        outcomes.push(text);
        response.writeHead(text === null ? 413 : 200).end(text ?? 'too large');
      },
      (error: Error) => outcomes.push(error),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const send = (body: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const request = httpRequest({ host: '127.0.0.1', port, method: 'POST', headers, agent: false }, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      });
      request.on('error', reject);
      request.end(body);
    });
  try {
    assert.deepEqual(await send('{"kind":"AdmissionReview"}'), { status: 200, text: '{"kind":"AdmissionReview"}' });
    assert.equal((await send('x'.repeat(100), { 'transfer-encoding': 'chunked' })).status, 413);
    // A client that sends part of a declared body and goes away.
    await new Promise<void>((resolve) => {
      const socket = netConnect(port, '127.0.0.1', () => {
        socket.end('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{"kind":');
        socket.on('close', () => resolve());
        socket.resume();
      });
    });
    for (let i = 0; i < 50 && outcomes.length < 3; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(outcomes[2] instanceof Error && /closed the connection|reading the request body failed/.test(outcomes[2].message), String(outcomes[2]));
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
