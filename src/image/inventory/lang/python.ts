export interface PythonPackage {
  name: string;
  version: string;
  licenses: string[];
}

const MAX_HEADER_LINES = 5000;

/**
 * Core metadata (`*.dist-info/METADATA`, `*.egg-info/PKG-INFO`): RFC 822 headers up to the first blank
 * line. Licence from `License-Expression` (PEP 639), else `License` (when short enough to be a name),
 * else the `License ::` classifiers.
 */
export function parsePythonMetadata(text: string): PythonPackage | null {
  const headers = new Map<string, string[]>();
  let last: string | null = null;
  let count = 0;
  for (const rawLine of text.split('\n')) {
    if (++count > MAX_HEADER_LINES) break;
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line === '') break;
    if ((line.startsWith(' ') || line.startsWith('\t')) && last !== null) {
      const values = headers.get(last)!;
      values[values.length - 1] += `\n${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim().toLowerCase();
    const values = headers.get(last) ?? [];
    values.push(line.slice(colon + 1).trim());
    headers.set(last, values);
  }
  const name = headers.get('name')?.[0];
  const version = headers.get('version')?.[0];
  if (name === undefined || name === '' || version === undefined || version === '') return null;
  let licenses: string[] = [];
  const expression = headers.get('license-expression')?.[0];
  const license = headers.get('license')?.[0];
  if (expression !== undefined && expression !== '') licenses = [expression];
  else if (license !== undefined && license !== '' && license !== 'UNKNOWN' && !license.includes('\n') && license.length <= 80) licenses = [license];
  else {
    for (const classifier of headers.get('classifier') ?? []) {
      const parts = classifier.split('::').map((p) => p.trim());
      if (parts[0] === 'License' && parts.length > 1) {
        const last = parts[parts.length - 1]!;
        if (last !== 'OSI Approved') licenses.push(last);
      }
    }
  }
  return { name, version, licenses: [...new Set(licenses)] };
}

/** PEP 503 normalisation, which the purl `pypi` type requires (lower case, runs of `-_.` as `-`). */
export function normalisePythonName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}
