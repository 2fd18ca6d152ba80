import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { readBoundedStream } from './bounded-stream.ts';

const streamOf = (chunks: readonly Uint8Array[], onCancel?: () => void): ReadableStream<Uint8Array> => {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at < chunks.length) controller.enqueue(chunks[at++]!);
      else controller.close();
    },
    cancel: () => onCancel?.(),
  });
};

test('readBoundedStream returns every byte up to the bound, however the stream is cut, and refuses one byte more', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 10 }), fc.nat(400), async (chunks, limit) => {
      const all = Buffer.concat(chunks);
      let cancelled = false;
      const read = await readBoundedStream(streamOf(chunks, () => (cancelled = true)), limit);
      if (all.length <= limit) assert.deepEqual(read, { ok: true, bytes: all });
      else {
        assert.equal(read.ok, false);
        assert.ok(!read.ok && read.size > limit && read.size <= all.length);
        assert.ok(cancelled, 'a refused stream is cancelled');
      }
    }),
  );
});

test('readBoundedStream refuses a declared length over the bound without reading, and reads a null body as empty', async () => {
  let pulled = 0;
  let cancelled = false;
  const endless = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled++;
      controller.enqueue(new Uint8Array(1024));
    },
    cancel: () => {
      cancelled = true;
    },
  });
  assert.deepEqual(await readBoundedStream(endless, 10, '1000'), { ok: false, size: 1000 });
  assert.ok(cancelled && pulled <= 1, `pulled ${pulled}`);
  assert.deepEqual(await readBoundedStream(null, 10, null), { ok: true, bytes: Buffer.alloc(0) });
  // A malformed length is no answer: the bytes decide.
  assert.deepEqual(await readBoundedStream(streamOf([new Uint8Array([1, 2])]), 10, 'lots'), { ok: true, bytes: Buffer.from([1, 2]) });
});
