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

describe('bulwark db and image scan: input errors', () => {
  // Each message names the file once (as its location) and says why in words, not as an errno code.
  const once = (stderr: string, name: string): void => {
    assert.equal(stderr.split(name).length - 1, 1, `"${name}" should appear once in: ${stderr}`);
    assert.doesNotMatch(stderr, /\bE[A-Z]{3,}\b/, 'no errno code');
  };

  it('names a missing or broken import, and a broken database, once', () => {
    const missing = bulwark(['db', 'import', join(scratch, 'nosuch.zip'), '--db', join(scratch, 'e1.db')]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /nosuch\.zip: cannot read: no such file or directory/);
    once(missing.stderr, 'nosuch.zip');

    const broken = join(scratch, 'broken.json');
    writeFileSync(broken, '{not json');
    const bad = bulwark(['db', 'import', broken, '--db', join(scratch, 'e2.db')]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /broken\.json: not valid JSON/);
    once(bad.stderr, 'broken.json');

    const notDb = bulwark(['db', 'status', '--db', broken]);
    assert.equal(notDb.status, 2);
    assert.match(notDb.stderr, /broken\.json: not a Bulwark vulnerability database/);
    once(notDb.stderr, 'broken.json');
  });

  it('exits 2 when nothing could be loaded, 0 with warnings when some records were', () => {
    const invalid = join(scratch, 'invalid.jsonl');
    writeFileSync(invalid, '{"a":1}\n{"id":5}\n');
    const none = bulwark(['db', 'import', invalid, '--db', join(scratch, 'e3.db')]);
    assert.equal(none.status, 2, none.stderr);
    assert.match(none.stderr, /warning: skipped invalid record/);
    assert.match(none.stderr, /bulwark: nothing was loaded: all 2 records in .*invalid\.jsonl are invalid/);

    const emptyDir = mkdtempSync(join(scratch, 'empty-'));
    const empty = bulwark(['db', 'import', emptyDir, '--db', join(scratch, 'e4.db')]);
    assert.equal(empty.status, 2);
    assert.match(empty.stderr, /nothing was loaded: no OSV records in/);

    const mixed = join(scratch, 'mixed.jsonl');
    writeFileSync(mixed, '{"id":"GHSA-aaaa-bbbb-cccc","modified":"2024-01-01T00:00:00Z"}\n{"a":1}\n');
    const some = bulwark(['db', 'import', mixed, '--db', join(scratch, 'e5.db')]);
    assert.equal(some.status, 0, some.stderr);
    assert.match(some.stderr, /warning: skipped invalid record/);
    assert.match(bulwark(['db', 'import', '--help']).stdout, /0 records were loaded \(even if some were skipped\), 2 nothing could be loaded/);
  });

  it('shows db update defaults as numbers and refuses bad ones as usage errors', () => {
    const help = bulwark(['db', 'update', '--help']).stdout.replace(/\s+/g, ' ');
    assert.match(help, /--timeout <seconds> .*\(default: 600\)/);
    assert.match(help, /--max-size <mib> .*\(default: 4096\)/);
    const bad = bulwark(['db', 'update', '--timeout', '0', '--db', join(scratch, 'e6.db')]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--timeout <seconds>' argument '0' is invalid/);
  });

  it('image scan names a missing --vex, --ca-file and dir: root once, in words', () => {
    const root = mkdtempSync(join(scratch, 'rootfs-'));
    writeFileSync(join(root, 'f'), 'x');
    const records = join(scratch, 'one.jsonl');
    writeFileSync(records, '{"id":"GHSA-aaaa-bbbb-dddd","modified":"2024-01-01T00:00:00Z"}\n');
    const db = join(scratch, 'vex.db');
    assert.equal(bulwark(['db', 'import', records, '--db', db]).status, 0);
    const vex = bulwark(['image', 'scan', `dir:${root}`, '--db', db, '--vex', join(scratch, 'nosuch.vex.json')]);
    assert.equal(vex.status, 2);
    assert.match(vex.stderr, /nosuch\.vex\.json: cannot read the VEX document: no such file or directory/);
    once(vex.stderr, 'nosuch.vex.json');

    const ca = bulwark(['image', 'scan', 'registry.invalid/app:1', '--ca-file', join(scratch, 'nosuch-ca.pem')]);
    assert.equal(ca.status, 2);
    assert.match(ca.stderr, /nosuch-ca\.pem: cannot read the --ca-file: no such file or directory/);
    once(ca.stderr, 'nosuch-ca.pem');

    const dir = bulwark(['image', 'scan', `dir:${join(scratch, 'nosuch-root')}`]);
    assert.equal(dir.status, 2);
    assert.match(dir.stderr, /nosuch-root: cannot read: no such file or directory/);
    once(dir.stderr, 'nosuch-root');
  });
});
