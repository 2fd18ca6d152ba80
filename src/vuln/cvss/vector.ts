import { BulwarkError } from '../../core/index.ts';

export function cvssError(vector: string, reason: string): BulwarkError {
  const shown = vector.length > 120 ? `${vector.slice(0, 117)}...` : vector;
  return new BulwarkError('E_PARSE', `invalid CVSS vector ${JSON.stringify(shown)}: ${reason}`);
}

/**
 * Splits `PREFIX/K:V/K:V` into metrics, checking every metric is known, has an allowed value and
 * appears once, and that the mandatory ones are present. Metric order is not enforced: producers
 * differ, and the meaning does not depend on it.
 */
export function readMetrics(
  vector: string,
  allowed: Readonly<Record<string, readonly string[]>>,
  mandatory: readonly string[],
  parts: string[],
): Map<string, string> {
  const metrics = new Map<string, string>();
  for (const part of parts) {
    const colon = part.indexOf(':');
    if (colon <= 0) throw cvssError(vector, `"${part.slice(0, 20)}" is not METRIC:VALUE`);
    const key = part.slice(0, colon);
    const value = part.slice(colon + 1);
    if (!Object.hasOwn(allowed, key)) throw cvssError(vector, `unknown metric ${key.slice(0, 20)}`);
    if (!allowed[key]!.includes(value)) throw cvssError(vector, `${key} cannot be ${value.slice(0, 20)}`);
    if (metrics.has(key)) throw cvssError(vector, `${key} given twice`);
    metrics.set(key, value);
  }
  for (const key of mandatory) if (!metrics.has(key)) throw cvssError(vector, `base metric ${key} missing`);
  return metrics;
}

export const MAX_VECTOR_LENGTH = 512;
