// The real OSV records of ../shared/conformance/osv, for tests.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { missingShared, sharedPath } from '../../../test/support/shared.ts';

export const missingOsv = missingShared('conformance', 'osv');
export const osvDir = sharedPath('conformance', 'osv');

/** Every record file, by id. */
export function sharedOsvRecords(): Map<string, { path: string; text: string }> {
  const records = new Map<string, { path: string; text: string }>();
  for (const folder of readdirSync(osvDir, { withFileTypes: true })) {
    if (!folder.isDirectory()) continue;
    for (const file of readdirSync(join(osvDir, folder.name))) {
      if (!file.endsWith('.json')) continue;
      const path = join(osvDir, folder.name, file);
      records.set(file.slice(0, -'.json'.length), { path, text: readFileSync(path, 'utf8') });
    }
  }
  return records;
}
