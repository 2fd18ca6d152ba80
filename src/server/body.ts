// Request bodies for every endpoint the server carries (admission reviews, audit batches): read with a
// byte bound, so an oversized or endless body costs at most `limit` bytes of memory.

/** The body as UTF-8 text, or null when it is (or declares to be) longer than `limit` bytes. */
export async function readBoundedText(request: Request, limit: number): Promise<string | null> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) return null;
  if (request.body === null) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      // Refused without reading the rest.
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}
