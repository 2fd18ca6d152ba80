// RFC 6902 JSON Patch as the API server applies a mutating webhook's answer: paths are RFC 6901
// JSON pointers, where `~` and `/` inside a key must be written `~0` and `~1` (annotation keys such
// as `bulwark.dev/image` contain slashes).
import type { FieldPath } from '../core/index.ts';

export type PatchOperation =
  | { op: 'add' | 'replace' | 'test'; path: string; value: unknown }
  | { op: 'remove'; path: string };

/** One reference token: `~` first, so that the `~` introduced for `/` is not escaped again. */
export function escapePointerToken(token: string): string {
  return token.replaceAll('~', '~0').replaceAll('/', '~1');
}

export function unescapePointerToken(token: string): string {
  return token.replaceAll('~1', '/').replaceAll('~0', '~');
}

export function toPointer(path: FieldPath): string {
  let pointer = '';
  for (const segment of path) pointer += `/${typeof segment === 'number' ? String(segment) : escapePointerToken(segment)}`;
  return pointer;
}

export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`JSON pointer ${JSON.stringify(pointer)} must start with "/"`);
  return pointer.slice(1).split('/').map(unescapePointerToken);
}

/** The patch as the AdmissionResponse carries it. */
export function encodePatch(operations: readonly PatchOperation[]): string {
  return Buffer.from(JSON.stringify(operations), 'utf8').toString('base64');
}

/**
 * Applies add/replace/remove to a copy of `document` (the subset the webhook emits), so tests can
 * check that a patch does what it says on the real shape of an object.
 */
export function applyPatch(document: unknown, operations: readonly PatchOperation[]): unknown {
  let root = structuredClone(document);
  for (const operation of operations) {
    const tokens = parsePointer(operation.path);
    if (tokens.length === 0) {
      if (operation.op === 'remove') throw new Error('cannot remove the document root');
      if (operation.op !== 'test') root = structuredClone(operation.value);
      continue;
    }
    let parent: unknown = root;
    for (const token of tokens.slice(0, -1)) {
      parent = Array.isArray(parent) ? parent[Number(token)] : (parent as Record<string, unknown> | undefined)?.[token];
      if (typeof parent !== 'object' || parent === null) throw new Error(`path ${operation.path} does not exist`);
    }
    const last = tokens[tokens.length - 1] as string;
    if (Array.isArray(parent)) {
      const index = last === '-' ? parent.length : Number(last);
      if (!Number.isInteger(index) || index < 0 || index > parent.length) throw new Error(`bad array index in ${operation.path}`);
      if (operation.op === 'add') parent.splice(index, 0, structuredClone(operation.value));
      else if (operation.op === 'replace') parent[index] = structuredClone(operation.value);
      else if (operation.op === 'remove') parent.splice(index, 1);
    } else {
      const record = parent as Record<string, unknown>;
      if ((operation.op === 'replace' || operation.op === 'remove') && !(last in record)) throw new Error(`path ${operation.path} does not exist`);
      if (operation.op === 'add' || operation.op === 'replace') record[last] = structuredClone(operation.value);
      else if (operation.op === 'remove') delete record[last];
    }
  }
  return root;
}
