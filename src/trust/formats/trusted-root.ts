// A Sigstore trusted root (trusted_root.json): the Fulcio CAs, Rekor and CT log keys and timestamp
// authorities a verifier trusts, each with the period it is trusted for.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toTrustMaterial, type KeyFinderFunc, type TrustMaterial } from '@sigstore/verify';
import { BulwarkError } from '../../core/index.ts';
import { isRecord, parseJson } from '../encoding/json.ts';
import { parseError } from '../errors.ts';

export interface SigstoreTrust {
  /** Where the root came from, for messages. */
  source: string;
  root: TrustedRoot;
  material(keys?: KeyFinderFunc): TrustMaterial;
}

const MEDIA_TYPE = /^application\/vnd\.dev\.sigstore\.trustedroot(\.v0\.\d+)?\+json(;version=0\.\d+)?$/;

/**
 * Parses and checks a trusted root. The protobuf reader fills gaps with defaults; a trust decision
 * must not rest on a default, so every trusted key and authority must state when its trust starts.
 */
export function parseTrustedRoot(text: string | Uint8Array, source: string): SigstoreTrust {
  const document = parseJson(text, source);
  if (!isRecord(document)) throw parseError(source, 'a trusted root must be a JSON object');
  if (typeof document.mediaType !== 'string' || !MEDIA_TYPE.test(document.mediaType)) {
    throw parseError(source, `unsupported trusted root mediaType ${JSON.stringify(document.mediaType)}`);
  }
  const checkValidFor = (entry: unknown, where: string): void => {
    const validFor = isRecord(entry) ? entry.validFor : undefined;
    if (!isRecord(validFor) || typeof validFor.start !== 'string' || Number.isNaN(Date.parse(validFor.start))) {
      throw parseError(source, `${where}.validFor.start is missing or not a timestamp: the period this authority is trusted for must be explicit`);
    }
    if (validFor.end !== undefined && (typeof validFor.end !== 'string' || Number.isNaN(Date.parse(validFor.end)) || Date.parse(validFor.end) < Date.parse(validFor.start))) {
      throw parseError(source, `${where}.validFor.end is not a timestamp after the start`);
    }
  };
  for (const kind of ['tlogs', 'ctlogs'] as const) {
    const list = document[kind] ?? [];
    if (!Array.isArray(list)) throw parseError(source, `"${kind}" must be an array`);
    list.forEach((log: unknown, index) => {
      if (!isRecord(log) || !isRecord(log.publicKey)) throw parseError(source, `${kind}[${index}].publicKey must be an object`);
      checkValidFor(log.publicKey, `${kind}[${index}].publicKey`);
    });
  }
  for (const kind of ['certificateAuthorities', 'timestampAuthorities'] as const) {
    const list = document[kind] ?? [];
    if (!Array.isArray(list)) throw parseError(source, `"${kind}" must be an array`);
    list.forEach((authority: unknown, index) => checkValidFor(authority, `${kind}[${index}]`));
  }
  let root: TrustedRoot;
  try {
    root = TrustedRoot.fromJSON(document);
  } catch (error) {
    throw parseError(source, `not a valid trusted root: ${(error as Error).message}`, error);
  }
  let cached: TrustMaterial | undefined;
  return {
    source,
    root,
    material(keys?: KeyFinderFunc): TrustMaterial {
      if (keys !== undefined) return toTrustMaterial(root, keys);
      return (cached ??= toTrustMaterial(root));
    },
  };
}

/**
 * The Sigstore public-good trusted root that ships inside the `sigstore` client's TUF seed: usable
 * offline, current as of the installed client version (refresh it by upgrading the dependency).
 */
export function publicGoodTrustedRoot(): SigstoreTrust {
  const require = createRequire(createRequire(import.meta.url).resolve('sigstore'));
  let seeds: unknown;
  try {
    const path = require.resolve('@sigstore/tuf/seeds.json');
    seeds = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new BulwarkError('E_TOOL_MISSING', `the Sigstore public-good trusted root is not installed (@sigstore/tuf seeds): ${(error as Error).message}`, { cause: error });
  }
  const repository = isRecord(seeds) ? seeds['https://tuf-repo-cdn.sigstore.dev'] : undefined;
  const targets = isRecord(repository) ? repository.targets : undefined;
  const encoded = isRecord(targets) ? targets['trusted_root.json'] : undefined;
  if (typeof encoded !== 'string') throw new BulwarkError('E_TOOL_MISSING', 'the installed @sigstore/tuf seeds carry no trusted_root.json');
  return parseTrustedRoot(Buffer.from(encoded, 'base64'), 'Sigstore public-good trusted root (TUF seed)');
}
