/**
 * What looks like a secret but is not one: test fixtures and documentation shipped inside well-known
 * packages, and the example values that vendors publish in their docs. Kept as data so that a false
 * positive is fixed by adding a line here, with its reason.
 */

/** Paths whose secrets are fixtures or examples, not credentials of the image. */
export const ALLOWED_PATHS: readonly { pattern: RegExp; reason: string }[] = [
  { pattern: /(?:^|\/)(?:node_modules|site-packages|dist-packages|vendor|pkg\/mod)\/(?:.*\/)?(?:tests?|__tests__|spec|specs|fixtures?|testdata|test-data|examples?|docs?|benchmarks?)\//, reason: 'test fixture or example inside an installed package' },
  { pattern: /^usr\/(?:local\/)?lib\/python3[^/]*\/test\//, reason: "CPython's own test suite (test certificates and keys)" },
  { pattern: /^usr\/share\/(?:doc|man|info|locale|help)\//, reason: 'documentation' },
  { pattern: /(?:^|\/)go\/src\/(?:crypto|net\/http)\/.*(?:_test\.go|\/testdata\/)/, reason: "Go's standard library tests" },
];

/** Published example credentials (AWS documentation) and obvious placeholders. */
const EXAMPLE_VALUES = new Set(['AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'AKIAI44QH8DHBEXAMPLE', 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY']);

export function allowedPath(path: string): string | null {
  for (const entry of ALLOWED_PATHS) if (entry.pattern.test(path)) return entry.reason;
  return null;
}

/** A value made of one repeated character, or naming itself an example, is no secret. */
export function allowedValue(value: string): boolean {
  if (EXAMPLE_VALUES.has(value)) return true;
  if (/example|sample|dummy|placeholder|xxxxxxxx|your[_-]?(?:key|token|secret)/i.test(value)) return true;
  const body = value.replace(/^[a-z]+_|-----BEGIN[^-]*-----/g, '');
  return body.length > 0 && new Set(body.replace(/[^A-Za-z0-9]/g, '')).size <= 2;
}
