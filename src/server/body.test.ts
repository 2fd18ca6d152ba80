import assert from 'node:assert/strict';
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
