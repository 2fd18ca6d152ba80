import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BulwarkError } from '../../core/index.ts';
import { writeZip } from '../../image/archive/zip-writer.ts';
import { missingOsv, osvDir } from '../testing/shared-osv.ts';
import { TEST_RECORDS } from '../testing/records.ts';
import { importOsv } from './import.ts';
import { defaultDbPath, parseDuration } from './paths.ts';
import { dbStatus, staleWarnings } from './status.ts';
import { VulnDb } from './store.ts';

const root = mkdtempSync(join(tmpdir(), 'bulwark-vulndb-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (): VulnDb => VulnDb.open(join(root, `db${n++}`, 'vuln.db'), { create: true });
const now = new Date('2024-06-01T00:00:00Z');
const ids = (db: VulnDb): string[] => (db.db.prepare('SELECT id FROM vulns ORDER BY id').all() as { id: string }[]).map((r) => r.id);

describe('importing OSV sources', () => {
  it('loads the real records from a directory, leaving out withdrawn ones', { skip: missingOsv }, async () => {
    const db = fresh();
    const summary = await importOsv(db, osvDir, { origin: 'import', now });
    assert.equal(summary.kind, 'directory');
    assert.equal(summary.withdrawn, 2);
    assert.equal(summary.invalid, 0);
    assert.equal(summary.records, 13);
    assert.ok(!ids(db).includes('PYSEC-2021-13'));
    assert.ok(ids(db).includes('DSA-3029-1'));
    const row = db.db.prepare("SELECT ecosystem, release, name FROM affected WHERE vuln_id = 'DSA-3029-1'").get();
    assert.deepEqual({ ...row }, { ecosystem: 'Debian', release: '7', name: 'nginx' });
    db.close();
  });

  it('loads a .zip export, JSON lines and a .json array alike', async () => {
    const zip = join(root, 'npm.zip');
    writeFileSync(zip, writeZip(TEST_RECORDS.map((r) => ({ name: `${(r as { id: string }).id}.json`, data: JSON.stringify(r) }))));
    const jsonl = join(root, 'all.jsonl');
    writeFileSync(jsonl, `${TEST_RECORDS.map((r) => JSON.stringify(r)).join('\n')}\n\n`);
    const array = join(root, 'all.json');
    writeFileSync(array, JSON.stringify(TEST_RECORDS, null, 2));
    const results = [];
    for (const path of [zip, jsonl, array]) {
      const db = fresh();
      const summary = await importOsv(db, path, { origin: 'import', now });
      results.push({ kind: summary.kind, records: summary.records, ids: ids(db) });
      db.close();
    }
    assert.deepEqual(results.map((r) => r.kind), ['zip', 'jsonl', 'json']);
    for (const r of results) {
      assert.equal(r.records, TEST_RECORDS.length);
      assert.deepEqual(r.ids, results[0]!.ids);
    }
  });

  it('skips invalid records, counts them and names them', async () => {
    const path = join(root, 'mixed.jsonl');
    writeFileSync(path, ['{"id":"OK-1","affected":[]}', '{"id":', '{"id":"BAD-2","affected":[{"package":{}}]}', '{"id":"OK-3"}'].join('\n'));
    const db = fresh();
    const summary = await importOsv(db, path, { origin: 'import', now });
    assert.equal(summary.records, 2);
    assert.equal(summary.invalid, 2);
    assert.match(summary.problems[0]!, /mixed\.jsonl:2: not valid JSON/);
    assert.match(summary.problems[1]!, /mixed\.jsonl:3: BAD-2: affected\[0\]\.package\.ecosystem/);
    db.close();
  });

  it('replaces what a source loaded before, and applies withdrawals from any source', async () => {
    const dir = join(root, 'replace');
    mkdirSync(dir);
    const write = (records: object[]) => writeFileSync(join(dir, 'feed.jsonl'), records.map((r) => JSON.stringify(r)).join('\n'));
    const db = fresh();
    write([{ id: 'A-1' }, { id: 'A-2' }]);
    await importOsv(db, join(dir, 'feed.jsonl'), { origin: 'import', now });
    assert.deepEqual(ids(db), ['A-1', 'A-2']);
    write([{ id: 'A-2' }, { id: 'A-3' }]);
    await importOsv(db, join(dir, 'feed.jsonl'), { origin: 'import', now });
    assert.deepEqual(ids(db), ['A-2', 'A-3']);
    writeFileSync(join(dir, 'other.jsonl'), JSON.stringify({ id: 'A-3', withdrawn: '2024-01-01T00:00:00Z' }));
    await importOsv(db, join(dir, 'other.jsonl'), { origin: 'import', now });
    assert.deepEqual(ids(db), ['A-2']);
    db.close();
  });

  it('rolls back a source that fails to load', async () => {
    const db = fresh();
    const good = join(root, 'good.jsonl');
    writeFileSync(good, JSON.stringify({ id: 'KEEP-1' }));
    await importOsv(db, good, { origin: 'import', now });
    const broken = join(root, 'broken.zip');
    const zip = writeZip([{ name: 'a.json', data: '{"id":"NEW-1"}' }, { name: 'b.json', data: '{"id":"NEW-2"}' }]);
    const at = zip.indexOf(Buffer.from('b.json')) + 10;
    zip.writeUInt8(zip.readUInt8(at) ^ 0xff, at);
    writeFileSync(broken, zip.subarray(0, zip.length - 30));
    await assert.rejects(importOsv(db, broken, { origin: 'import', now }), BulwarkError);
    assert.deepEqual(ids(db), ['KEEP-1']);
    db.close();
  });

  it('refuses a path that is not an OSV source', async () => {
    const db = fresh();
    const text = join(root, 'notes.txt');
    writeFileSync(text, 'hello');
    await assert.rejects(importOsv(db, text, { origin: 'import', now }), /not an OSV source/);
    await assert.rejects(importOsv(db, join(root, 'missing.zip'), { origin: 'import', now }), (e: unknown) => e instanceof BulwarkError && e.toString().endsWith('missing.zip: cannot read: no such file or directory'));
    db.close();
  });
});

describe('database status and age', () => {
  it('reports sources, counts per ecosystem and staleness', async () => {
    const db = fresh();
    const path = join(root, 'status.jsonl');
    writeFileSync(path, TEST_RECORDS.map((r) => JSON.stringify(r)).join('\n'));
    await importOsv(db, path, { origin: 'import', now });
    const fresh1 = dbStatus(db, new Date(now.getTime() + 3600_000), parseDuration('7d'));
    assert.equal(fresh1.vulnerabilities, TEST_RECORDS.length);
    assert.equal(fresh1.stale, false);
    assert.deepEqual(staleWarnings(fresh1), []);
    assert.ok(fresh1.ecosystems.some((e) => e.ecosystem === 'npm' && e.vulnerabilities === 2));
    const old = dbStatus(db, new Date(now.getTime() + 8 * 86_400_000), parseDuration('7d'));
    assert.equal(old.stale, true);
    assert.match(staleWarnings(old)[0]!, /is 8d old \(more than 7d\)/);
    db.close();
  });

  it('says how to create a missing database, and refuses foreign files', () => {
    assert.throws(() => VulnDb.open(join(root, 'nowhere', 'vuln.db'), { readOnly: true }), /no vulnerability database at .*bulwark db import/);
    const foreign = join(root, 'foreign.db');
    writeFileSync(foreign, 'this is not sqlite');
    assert.throws(() => VulnDb.open(foreign, { readOnly: true }), (e: unknown) => e instanceof BulwarkError);
  });

  it('finds the default path under XDG_CACHE_HOME, and parses durations', () => {
    assert.equal(defaultDbPath({ XDG_CACHE_HOME: '/c', HOME: '/h' }), join('/c', 'bulwark', 'vuln.db'));
    assert.equal(defaultDbPath({ HOME: '/h' }), join('/h', '.cache', 'bulwark', 'vuln.db'));
    assert.equal(defaultDbPath({ BULWARK_DB: '/x.db' }), '/x.db');
    assert.equal(parseDuration('12h'), 12 * 3600_000);
    assert.throws(() => parseDuration('soon'), /invalid duration/);
  });
});
