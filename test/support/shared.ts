// Locates the upstream conformance data and official schemas that live beside the repository
// (`../shared`), or wherever BULWARK_SHARED_DIR points. Tests that need them skip with this message
// when they are absent on a developer's machine; CI always has them.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const sharedDir = process.env.BULWARK_SHARED_DIR ?? resolve(repoRoot, '..', 'shared');

export function sharedPath(...parts: string[]): string {
  return join(sharedDir, ...parts);
}

/** `false` when present, else the skip message naming what is missing. */
export function missingShared(...parts: string[]): false | string {
  const path = sharedPath(...parts);
  return existsSync(path) ? false : `upstream data not found at ${path}; set BULWARK_SHARED_DIR to the shared/ folder`;
}
