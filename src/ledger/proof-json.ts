// The JSON form of proofs, as `bulwark ledger prove` writes them and `verify-proof` reads them:
//   inclusion   {"leafIdx", "treeSize", "root", "leafHash", "proof": [...]}
//   consistency {"size1", "size2", "root1", "root2", "proof": [...]}
// Hashes are standard base64; sizes are JSON integers read from their source text, so a 64-bit
// value is never rounded to the nearest double. Unknown members are ignored (a proof may carry the
// signed checkpoint its root comes from, under "checkpoint").
import { decodeBase64, encodeBase64 } from './base64.ts';
import { LedgerError } from './errors.ts';
import { MAX_PROOF_ELEMENTS, MAX_UINT64, type ConsistencyProof, type InclusionProof } from './proof-verify.ts';

export const MAX_PROOF_FILE_BYTES = 1 << 20;

export type ParsedProof =
  | { kind: 'inclusion'; proof: InclusionProof; checkpoint?: string }
  | { kind: 'consistency'; proof: ConsistencyProof; checkpoint?: string };

type JsonValue = null | boolean | number | bigint | string | JsonValue[] | { [key: string]: JsonValue };

/** JSON.parse, with every integer kept exact as a bigint (Node 24's reviver receives the source text). */
function parseExactJson(text: string, file: string): JsonValue {
  try {
    return JSON.parse(text, (_key: string, value: unknown, context?: { source?: string }) => {
      if (typeof value === 'number' && context?.source !== undefined && /^-?\d+$/.test(context.source)) return BigInt(context.source);
      return value;
    }) as JsonValue;
  } catch (error) {
    throw new LedgerError('parse', `not valid JSON: ${(error as Error).message}`, { location: { file }, cause: error });
  }
}

function field(object: { [key: string]: JsonValue }, name: string, file: string): JsonValue {
  if (!Object.hasOwn(object, name)) throw new LedgerError('parse', `missing "${name}"`, { location: { file } });
  return object[name]!;
}

function integer(object: { [key: string]: JsonValue }, name: string, file: string): bigint {
  const value = field(object, name, file);
  if (typeof value !== 'bigint') throw new LedgerError('parse', `"${name}" must be an integer`, { location: { file } });
  if (value < 0n || value > MAX_UINT64) throw new LedgerError('parse', `"${name}" ${value} is outside 0…2^64-1`, { location: { file } });
  return value;
}

function hashField(value: JsonValue, name: string, file: string): Buffer {
  if (typeof value !== 'string') throw new LedgerError('parse', `"${name}" must be a base64 string`, { location: { file } });
  const bytes = decodeBase64(value);
  if (bytes === undefined) throw new LedgerError('parse', `"${name}" is not standard padded base64`, { location: { file } });
  return bytes;
}

function path(object: { [key: string]: JsonValue }, file: string): Buffer[] {
  const value = field(object, 'proof', file);
  if (value === null) return [];
  if (!Array.isArray(value)) throw new LedgerError('parse', '"proof" must be an array of base64 hashes or null', { location: { file } });
  if (value.length > MAX_PROOF_ELEMENTS) throw new LedgerError('parse', `"proof" has ${value.length} elements, more than ${MAX_PROOF_ELEMENTS}`, { location: { file } });
  return value.map((element, i) => hashField(element, `proof[${i}]`, file));
}

export function parseProofJson(text: string, file = '<proof>'): ParsedProof {
  if (text.length > MAX_PROOF_FILE_BYTES) throw new LedgerError('parse', `proof file is larger than ${MAX_PROOF_FILE_BYTES} bytes`, { location: { file } });
  const root = parseExactJson(text, file);
  if (root === null || typeof root !== 'object' || Array.isArray(root) || typeof root === 'bigint') {
    throw new LedgerError('parse', 'a proof must be a JSON object', { location: { file } });
  }
  const checkpointValue = root.checkpoint;
  if (checkpointValue !== undefined && typeof checkpointValue !== 'string') throw new LedgerError('parse', '"checkpoint" must be a string', { location: { file } });
  const checkpoint = checkpointValue === undefined ? {} : { checkpoint: checkpointValue };
  if (Object.hasOwn(root, 'leafIdx') || Object.hasOwn(root, 'leafHash')) {
    return {
      kind: 'inclusion',
      proof: {
        leafIdx: integer(root, 'leafIdx', file),
        treeSize: integer(root, 'treeSize', file),
        root: hashField(field(root, 'root', file), 'root', file),
        leafHash: hashField(field(root, 'leafHash', file), 'leafHash', file),
        proof: path(root, file),
      },
      ...checkpoint,
    };
  }
  if (Object.hasOwn(root, 'size1') || Object.hasOwn(root, 'root1')) {
    return {
      kind: 'consistency',
      proof: {
        size1: integer(root, 'size1', file),
        size2: integer(root, 'size2', file),
        root1: hashField(field(root, 'root1', file), 'root1', file),
        root2: hashField(field(root, 'root2', file), 'root2', file),
        proof: path(root, file),
      },
      ...checkpoint,
    };
  }
  throw new LedgerError('parse', 'neither an inclusion proof (leafIdx, treeSize, root, leafHash, proof) nor a consistency proof (size1, size2, root1, root2, proof)', {
    location: { file },
  });
}

export function formatInclusionJson(p: InclusionProof, checkpoint?: string): string {
  return `${JSON.stringify(
    {
      leafIdx: Number(p.leafIdx),
      treeSize: Number(p.treeSize),
      root: encodeBase64(p.root),
      leafHash: encodeBase64(p.leafHash),
      proof: p.proof.map(encodeBase64),
      ...(checkpoint === undefined ? {} : { checkpoint }),
    },
    null,
    2,
  )}\n`;
}

export function formatConsistencyJson(p: ConsistencyProof, checkpoint?: string): string {
  return `${JSON.stringify(
    {
      size1: Number(p.size1),
      size2: Number(p.size2),
      root1: encodeBase64(p.root1),
      root2: encodeBase64(p.root2),
      proof: p.proof.map(encodeBase64),
      ...(checkpoint === undefined ? {} : { checkpoint }),
    },
    null,
    2,
  )}\n`;
}
