// cosign's "simple signing" payload: the document a classic cosign image signature signs. It names the
// manifest digest (what is signed) and the repository it was signed for.
import { isRecord, parseJson } from '../encoding/json.ts';
import { parseError } from '../errors.ts';
import { limits } from '../limits.ts';

export const SIMPLE_SIGNING_TYPE = 'cosign container image signature';

export interface SimpleSigningPayload {
  dockerReference: string;
  manifestDigest: string;
  /** Free-form annotations (`cosign sign -a key=value`), `null` when there are none. */
  optional: Record<string, unknown> | null;
}

const DIGEST = /^sha(256|384|512):[0-9a-f]{64,128}$/;

/** The payload bytes for a digest, in the field order cosign writes (so the same input signs the same bytes). */
export function buildSimpleSigning(dockerReference: string, manifestDigest: string, annotations?: Record<string, string>): Buffer {
  const document = {
    critical: {
      identity: { 'docker-reference': dockerReference },
      image: { 'docker-manifest-digest': manifestDigest },
      type: SIMPLE_SIGNING_TYPE,
    },
    optional: annotations !== undefined && Object.keys(annotations).length > 0 ? annotations : null,
  };
  return Buffer.from(JSON.stringify(document));
}

export function parseSimpleSigning(bytes: Uint8Array, what: string): SimpleSigningPayload {
  const document = parseJson(bytes, what, limits.signatureBlobBytes);
  if (!isRecord(document)) throw parseError(what, 'the simple-signing payload must be a JSON object');
  const critical = document.critical;
  if (!isRecord(critical)) throw parseError(what, '"critical" must be an object');
  if (critical.type !== SIMPLE_SIGNING_TYPE) throw parseError(what, `"critical.type" must be "${SIMPLE_SIGNING_TYPE}", not ${JSON.stringify(critical.type)}`);
  const identity = critical.identity;
  const image = critical.image;
  if (!isRecord(identity) || typeof identity['docker-reference'] !== 'string') throw parseError(what, '"critical.identity.docker-reference" must be a string');
  if (!isRecord(image) || typeof image['docker-manifest-digest'] !== 'string') throw parseError(what, '"critical.image.docker-manifest-digest" must be a string');
  const digest = image['docker-manifest-digest'];
  if (!DIGEST.test(digest)) throw parseError(what, `"critical.image.docker-manifest-digest" is not a digest: ${JSON.stringify(digest.slice(0, 80))}`);
  const optional = document.optional;
  if (optional !== undefined && optional !== null && !isRecord(optional)) throw parseError(what, '"optional" must be an object or null');
  return { dockerReference: identity['docker-reference'], manifestDigest: digest, optional: optional ?? null };
}
