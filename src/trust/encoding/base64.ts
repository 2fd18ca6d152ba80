import { parseError } from '../errors.ts';

const STANDARD = /^[A-Za-z0-9+/]*={0,2}$/;
const URL_SAFE = /^[A-Za-z0-9_-]*={0,2}$/;

/**
 * Decodes base64 and rejects anything that is not base64: Node's own decoder skips invalid characters
 * silently, which would let two different strings stand for the same signature.
 * `urlSafe` also accepts the URL-safe alphabet (DSSE allows either); padding may then be omitted.
 */
export function decodeBase64(text: string, what: string, options: { urlSafe?: boolean } = {}): Buffer {
  if (typeof text !== 'string') throw parseError(what, 'expected a base64 string');
  const trimmed = text.trim();
  const standard = STANDARD.test(trimmed);
  if (!standard && !(options.urlSafe === true && URL_SAFE.test(trimmed))) {
    throw parseError(what, 'is not valid base64');
  }
  const unpadded = trimmed.replace(/=+$/, '');
  if (unpadded.length % 4 === 1) throw parseError(what, 'is not valid base64 (truncated)');
  if (standard && !options.urlSafe && trimmed.length % 4 !== 0) throw parseError(what, 'is not valid base64 (missing padding)');
  return Buffer.from(unpadded, standard ? 'base64' : 'base64url');
}

export function encodeBase64(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
}
