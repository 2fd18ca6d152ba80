// Request bodies for every endpoint the server carries (admission reviews, audit batches): read with a
// byte bound, so an oversized or endless body costs at most `limit` bytes of memory.
//
// Under the Node server the body is read from the IncomingMessage itself. Going through the web
// Request instead (`c.req.raw.body`) makes the adapter build a fetch Request with an AbortSignal, an
// abort listener, a WeakRef and a FinalizationRegistry entry, and a web stream over the socket: about
// 100 KB of allocation per admission review, of which the signal machinery outlived the request and
// was promoted to the old generation (~5 KB a review at 1,000 reviews/s, 8,000 signals alive at a
// time), which set the webhook's tail latency through major collections.
import type { IncomingMessage } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import { Readable } from 'node:stream';
import { readBoundedStream } from '../core/bounded-stream.ts';

/** A request body as a web Request carries it, or as the Node server received it. */
export type BodySource = Request | IncomingMessage | Http2ServerRequest;

/** The body as UTF-8 text, or null when it is (or declares to be) longer than `limit` bytes. */
export function readBoundedText(source: BodySource, limit: number): Promise<string | null> {
  return source instanceof Readable ? readStream(source, limit) : readWebBody(source, limit);
}

function declaredTooLong(declared: string | null | undefined, limit: number): boolean {
  return declared !== null && declared !== undefined && Number(declared) > limit;
}

async function readWebBody(request: Request, limit: number): Promise<string | null> {
  const read = await readBoundedStream(request.body, limit, request.headers.get('content-length'));
  return read.ok ? read.bytes.toString('utf8') : null;
}

function readStream(incoming: IncomingMessage | Http2ServerRequest, limit: number): Promise<string | null> {
  if (declaredTooLong(incoming.headers['content-length'], limit)) return Promise.resolve(null);
  if (incoming.readableEnded) return Promise.resolve('');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (outcome: () => void): void => {
      incoming.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      outcome();
    };
    const onData = (chunk: Buffer | string): void => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += bytes.byteLength;
      // Refused without reading the rest: the server drains or closes the connection after the answer.
      if (size > limit) finish(() => (incoming.pause(), resolve(null)));
      else chunks.push(bytes);
    };
    const onEnd = (): void => finish(() => resolve(Buffer.concat(chunks, size).toString('utf8')));
    const onError = (error: Error): void => finish(() => reject(new Error(`reading the request body failed (${error.message})`, { cause: error })));
    const onClose = (): void => finish(() => reject(new Error('the client closed the connection before the whole request body arrived')));
    incoming.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}
