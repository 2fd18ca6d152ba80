// `bulwark db` end-to-end through the real binary.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { missingShared, repoRoot, sharedPath } from './support/shared.ts';

const bin = join(repoRoot, 'bin', 'bulwark.js');
const scratch = mkdtempSync(join(tmpdir(), 'bulwark-db-cli-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function bulwark(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, XDG_CACHE_HOME: join(scratch, 'cache'), BULWARK_DB: '', ...env },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('bulwark db', { skip: missingShared('conformance', 'osv') }, () => {
  it('imports into the default database under XDG_CACHE_HOME and reports its status', () => {
    const imported = bulwark(['db', 'import', sharedPath('conformance', 'osv'), '--format', 'json']);
    assert.equal(imported.status, 0, imported.stderr);
    const summary = JSON.parse(imported.stdout) as { database: string; sources: { records: number; withdrawn: number }[] };
    assert.equal(summary.database, join(scratch, 'cache', 'bulwark', 'vuln.db'));
    assert.deepEqual([summary.sources[0]!.records, summary.sources[0]!.withdrawn], [13, 2]);

    const status = bulwark(['db', 'status', '--format', 'json']);
    assert.equal(status.status, 0, status.stderr);
    const parsed = JSON.parse(status.stdout) as { vulnerabilities: number; stale: boolean; ecosystems: { ecosystem: string }[] };
    assert.equal(parsed.vulnerabilities, 13);
    assert.equal(parsed.stale, false);
    assert.ok(parsed.ecosystems.some((e) => e.ecosystem === 'PyPI'));
    assert.equal(status.stderr, '');

    const table = bulwark(['db', 'status']);
    assert.match(table.stdout, /13 vulnerabilities/);
  });

  it('warns when the data is older than --max-age', () => {
    const status = bulwark(['db', 'status', '--max-age', '0s']);
    assert.equal(status.status, 0);
    assert.match(status.stderr, /warning: vulnerability data from .* old/);
  });

  it('exits 2 with a clear message on bad input', () => {
    const missing = bulwark(['db', 'status', '--db', join(scratch, 'none.db')]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /no vulnerability database at .*bulwark db import/);
    const text = join(scratch, 'notes.txt');
    writeFileSync(text, 'hello');
    const bad = bulwark(['db', 'import', text, '--db', join(scratch, 'x.db')]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /notes\.txt: not an OSV source/);
    const noSource = bulwark(['db', 'update', '--db', join(scratch, 'y.db')]);
    assert.equal(noSource.status, 2);
    assert.match(noSource.stderr, /nothing to update/);
    const insecure = bulwark(['db', 'update', '--from', 'http://mirror.example.com/x.zip', '--db', join(scratch, 'z.db')]);
    assert.equal(insecure.status, 2);
    assert.match(insecure.stderr, /only https:\/\//);
  });

  it('has help with examples', () => {
    for (const sub of ['import', 'update', 'status']) {
      const help = bulwark(['db', sub, '--help']);
      assert.equal(help.status, 0);
      assert.match(help.stdout, /Examples:/);
    }
  });
});

describe('bulwark image scan --db', () => {
  it('reports the vulnerabilities of an image\'s packages as findings with their vulnerability details', async () => {
    const { TEST_RECORDS } = await import('../src/vuln/testing/records.ts');
    const { mkdirSync } = await import('node:fs');
    const records = join(scratch, 'records.jsonl');
    writeFileSync(records, TEST_RECORDS.map((r) => JSON.stringify(r)).join('\n'));
    const db = join(scratch, 'image.db');
    assert.equal(bulwark(['db', 'import', records, '--db', db]).status, 0);

    const rootfs = join(scratch, 'rootfs');
    mkdirSync(join(rootfs, 'etc'), { recursive: true });
    mkdirSync(join(rootfs, 'var', 'lib', 'dpkg'), { recursive: true });
    writeFileSync(join(rootfs, 'etc', 'os-release'), 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n');
    writeFileSync(
      join(rootfs, 'var', 'lib', 'dpkg', 'status'),
      [
        'Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl\nVersion: 3.0.11-1~deb12u2\n',
        'Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nSource: glibc\nVersion: 2.36-9+deb12u4\n',
      ].join('\n'),
    );
    const scan = bulwark(['image', 'scan', `dir:${rootfs}`, '--db', db, '--format', 'json', '--no-secrets']);
    assert.equal(scan.status, 0, scan.stderr);
    const report = JSON.parse(scan.stdout) as { findings: { control: string; severity: string; vulnerability?: Record<string, unknown> }[] };
    const vulns = report.findings.filter((f) => f.vulnerability !== undefined);
    assert.deepEqual(vulns.map((f) => [f.control, f.severity, f.vulnerability!.package, f.vulnerability!.fixed]), [
      ['DEBIAN-CVE-2024-0002', 'critical', 'libc6', null],
      ['DEBIAN-CVE-2024-0001', 'medium', 'libssl3', '3.0.13-1~deb12u1'],
    ]);
    assert.deepEqual(Object.keys(vulns[1]!.vulnerability!), ['id', 'aliases', 'ecosystem', 'package', 'installed', 'fixed', 'layer']);

    const unfixed = bulwark(['image', 'scan', `dir:${rootfs}`, '--db', db, '--format', 'json', '--no-secrets', '--ignore-unfixed', '--fail-on', 'medium']);
    assert.equal(unfixed.status, 1);
    const controls = (JSON.parse(unfixed.stdout) as { findings: { control: string }[] }).findings.map((f) => f.control);
    assert.ok(controls.includes('DEBIAN-CVE-2024-0001') && !controls.includes('DEBIAN-CVE-2024-0002'));
  });
});
