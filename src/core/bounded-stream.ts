// Reading a web stream (a request body, an HTTP response) whole, but never more than a bound: a peer
// that sends, or announces, more than the caller accepts costs at most `limit` bytes of memory.

export type BoundedRead = { ok: true; bytes: Buffer } | { ok: false; size: number };

/**
 * The stream's bytes, or `{ ok: false, size }` when it declares (`declaredLength`, a content-length
 * header) or sends more than `limit` bytes; `size` is what was declared or read when it was refused.
 * A refused stream is cancelled, not read to its end.
 */
export async function readBoundedStream(stream: ReadableStream<Uint8Array> | null, limit: number, declaredLength?: string | null): Promise<BoundedRead> {
  const declared = declaredLength === null || declaredLength === undefined ? Number.NaN : Number(declaredLength);
  if (Number.isFinite(declared) && declared > limit) {
    await stream?.cancel();
    return { ok: false, size: declared };
  }
  if (stream === null) return { ok: true, bytes: Buffer.alloc(0) };
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return { ok: false, size };
    }
    chunks.push(value);
  }
  return { ok: true, bytes: Buffer.concat(chunks, size) };
}
