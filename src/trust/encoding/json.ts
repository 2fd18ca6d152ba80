import { limits } from '../limits.ts';
import { parseError, tooLarge } from '../errors.ts';

/**
 * Parses untrusted JSON with a size and nesting bound. `JSON.parse` itself is linear, but the objects
 * it builds are walked recursively later; bounding depth here keeps those walks from overflowing.
 */
export function parseJson(text: string | Uint8Array, what: string, maxBytes: number = limits.documentBytes): unknown {
  const size = typeof text === 'string' ? Buffer.byteLength(text) : text.byteLength;
  if (size > maxBytes) throw tooLarge(what, size, maxBytes);
  const source = typeof text === 'string' ? text : Buffer.from(text.buffer, text.byteOffset, text.byteLength).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (error) {
    throw parseError(what, `is not valid JSON (${(error as Error).message})`);
  }
  if (depthOf(value, 0) > limits.jsonDepth) throw parseError(what, `is nested deeper than ${limits.jsonDepth} levels`);
  return value;
}

function depthOf(value: unknown, depth: number): number {
  if (depth > limits.jsonDepth) return depth;
  if (value === null || typeof value !== 'object') return depth;
  let deepest = depth + 1;
  for (const child of Array.isArray(value) ? value : Object.values(value)) {
    deepest = Math.max(deepest, depthOf(child, depth + 1));
    if (deepest > limits.jsonDepth) break;
  }
  return deepest;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Reads a required string field, with an error naming the field. */
export function stringField(object: Record<string, unknown>, key: string, what: string): string {
  const value = object[key];
  if (typeof value !== 'string') throw parseError(what, `"${key}" must be a string`);
  return value;
}

export function optionalStringField(object: Record<string, unknown>, key: string, what: string): string | undefined {
  const value = object[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw parseError(what, `"${key}" must be a string`);
  return value;
}

export function recordField(object: Record<string, unknown>, key: string, what: string): Record<string, unknown> {
  const value = object[key];
  if (!isRecord(value)) throw parseError(what, `"${key}" must be an object`);
  return value;
}
