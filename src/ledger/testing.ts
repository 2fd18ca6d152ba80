// Helpers for the ledger's tests: where the test PostgreSQL is (started by scripts/setup-postgres.sh),
// and fresh ledgers in temporary directories.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { initLedger, openLedger, type InitOptions, type Ledger, type OpenOptions } from './ledger.ts';
import { encodeBatch, encodeSegmentHeader, scanSegment } from './segment.ts';

export function postgresUrlFile(): string {
  const cache = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return join(process.env.BULWARK_PG_DIR ?? join(cache, 'bulwark', 'postgres'), 'url');
}

/** A reachable PostgreSQL URL, or the reason there is none (a skip message). */
export async function findTestPostgres(): Promise<{ url: string } | { missing: string }> {
  let url = process.env.BULWARK_TEST_DATABASE_URL;
  if (!url) {
    try {
      url = readFileSync(postgresUrlFile(), 'utf8').trim();
    } catch {
      return { missing: `PostgreSQL not set up: run scripts/setup-postgres.sh (or set BULWARK_TEST_DATABASE_URL); no ${postgresUrlFile()}` };
    }
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { url };
  } catch (error) {
    return { missing: `PostgreSQL at ${url.replace(/\/\/[^@]*@/, '//')} is not reachable (${(error as Error).message}); run scripts/setup-postgres.sh` };
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface TestLedgerFactory {
  kind: 'file' | 'postgres';
  /** A new, empty ledger; options apply to init and open. */
  create(options?: Partial<InitOptions> & Partial<OpenOptions>): Promise<{ dir: string; open: (more?: Partial<OpenOptions>) => Promise<Ledger> }>;
  cleanup(): Promise<void>;
}

export function fileLedgers(): TestLedgerFactory {
  const root = mkdtempSync(join(tmpdir(), 'bulwark-ledger-test-'));
  let n = 0;
  return {
    kind: 'file',
    async create(options = {}) {
      const dir = join(root, `log-${n++}`);
      await initLedger({ dir, ...options, store: 'file' });
      return { dir, open: (more = {}) => openLedger({ dir, ...options, ...more }) };
    },
    async cleanup() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export function postgresLedgers(url: string): TestLedgerFactory {
  const root = mkdtempSync(join(tmpdir(), 'bulwark-ledger-pg-test-'));
  const schemas: string[] = [];
  let n = 0;
  return {
    kind: 'postgres',
    async create(options = {}) {
      const dir = join(root, `log-${n++}`);
      const schema = `test_${randomBytes(6).toString('hex')}`;
      schemas.push(schema);
      await initLedger({ dir, ...options, store: 'postgres', schema, databaseUrl: url });
      return { dir, open: (more = {}) => openLedger({ dir, databaseUrl: url, ...options, ...more }) };
    },
    async cleanup() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * Rewrites a closed file-store log as an attacker with write access would: every record with a valid
 * checksum and consistent commit markers, but the entries changed by `mutate`. The tree files are
 * dropped too (they would be rebuilt from the new entries).
 */
export function rewriteLog(dir: string, mutate: (leaves: Buffer[]) => Buffer[]): void {
  const segmentsDir = join(dir, 'segments');
  const leaves: Buffer[] = [];
  for (const name of readdirSync(segmentsDir).sort()) {
    const scan = scanSegment(join(segmentsDir, name), Number(name.slice(0, 20)));
    for (let step = scan.next(); !step.done; step = scan.next()) if (step.value.kind === 'entry') leaves.push(Buffer.from(step.value.leaf));
    rmSync(join(segmentsDir, name));
  }
  const changed = mutate(leaves);
  writeFileSync(join(segmentsDir, `${'0'.repeat(20)}.seg`), Buffer.concat([encodeSegmentHeader(0), encodeBatch(changed, changed.length)]));
  rmSync(join(dir, 'tree'), { recursive: true, force: true });
}
