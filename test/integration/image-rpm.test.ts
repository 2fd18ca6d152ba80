// The rpm inventory against a database written by rpm itself: packages built with rpmbuild and
// registered with `rpm --justdb` into a root filesystem's sqlite rpmdb, then scanned as `dir:ROOT`
// and compared with what `rpm -qa` says. Berkeley DB and ndb databases are reported as unsupported.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readRpmSqlite } from '../../src/image/inventory/os/rpmdb.ts';
import { applyWal } from '../../src/image/inventory/os/sqlite-wal.ts';
import { scanImage } from '../../src/image/scan.ts';
import { assertNeverCrashes, mutatedBytes } from '../../src/image/testing/fuzz.ts';

const has = (tool: string): boolean => spawnSync(tool, ['--version']).status === 0;
const missing = !has('rpmbuild') || !has('rpm') ? 'rpm/rpmbuild not installed; run scripts/setup-image-tools.sh (Debian package rpm)' : false;
const work = mkdtempSync(join(tmpdir(), 'bulwark-rpm-'));
after(() => rmSync(work, { recursive: true, force: true }));

function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 120_000 });
  assert.equal(result.status, 0, `${command} ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

function buildRpm(name: string, version: string, release: string, license: string, epoch?: number): string {
  const top = join(work, 'rpmbuild');
  const spec = join(work, `${name}.spec`);
  writeFileSync(
    spec,
    [`Name: ${name}`, `Version: ${version}`, `Release: ${release}`, ...(epoch === undefined ? [] : [`Epoch: ${epoch}`]), `Summary: test package`, `License: ${license}`, 'BuildArch: noarch', '', '%description', 'A test package.', '', '%files', ''].join('\n'),
  );
  run('rpmbuild', ['-bb', '--quiet', '--define', `_topdir ${top}`, spec]);
  const dir = join(top, 'RPMS', 'noarch');
  const file = readdirSync(dir).find((f) => f.startsWith(`${name}-${version}`))!;
  return join(dir, file);
}

describe('rpm inventory from a real sqlite rpmdb', { skip: missing }, () => {
  it('lists exactly what rpm -qa lists, with epoch, licence and source package', async () => {
    const root = join(work, 'root');
    mkdirSync(join(root, 'etc'), { recursive: true });
    writeFileSync(join(root, 'etc', 'os-release'), 'NAME="Red Hat Enterprise Linux"\nID="rhel"\nVERSION_ID="9.3"\n');
    const rpms = [buildRpm('bulwark-alpha', '1.2.3', '4.el9', 'MIT'), buildRpm('bulwark-beta', '2.0', '1.el9', 'GPL-2.0-or-later', 2)];
    run('rpm', ['--root', root, '--dbpath', '/var/lib/rpm', '--initdb']);
    run('rpm', ['--root', root, '--dbpath', '/var/lib/rpm', '-i', '--justdb', '--nodeps', '--noscripts', ...rpms]);
    const expected = run('rpm', ['--root', root, '--dbpath', '/var/lib/rpm', '-qa', '--qf', '%{NAME} %|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE} %{ARCH} %{LICENSE} %{SOURCERPM}\\n'])
      .trim()
      .split('\n')
      .sort();
    const result = await scanImage({ location: { kind: 'dir', path: root }, secrets: false });
    const found = result.packages
      .map((p) => `${p.name} ${p.version} ${/arch=([^&]+)/.exec(p.purl)?.[1]} ${p.licenses?.join(' ')} ${p.sourceName}-${p.version.replace(/^\d+:/, '')}.src.rpm`)
      .sort();
    assert.deepEqual(found, expected);
    const beta = result.packages.find((p) => p.name === 'bulwark-beta')!;
    assert.equal(beta.purl, 'pkg:rpm/redhat/bulwark-beta@2.0-1.el9?arch=noarch&distro=rhel-9.3&epoch=2');
    assert.equal(beta.ecosystem, 'Red Hat');
    assert.deepEqual(beta.distro, { id: 'rhel', versionId: '9.3' });
    assert.equal(beta.path, '/var/lib/rpm/rpmdb.sqlite');

    // The database rpm wrote, damaged: SQLite and the header parser answer with typed errors only.
    const db = readFileSync(join(root, 'var', 'lib', 'rpm', 'rpmdb.sqlite'));
    const wal = existsSync(join(root, 'var', 'lib', 'rpm', 'rpmdb.sqlite-wal')) ? readFileSync(join(root, 'var', 'lib', 'rpm', 'rpmdb.sqlite-wal')) : undefined;
    const { bytes } = applyWal(db, wal);
    assertNeverCrashes(mutatedBytes(bytes), (b) => readRpmSqlite(b, 'fuzz', () => {}), 200);
    if (wal !== undefined && wal.length > 0) assertNeverCrashes(mutatedBytes(wal), (w) => readRpmSqlite(db, 'fuzz', () => {}, w), 200);
  });

  it('reports Berkeley DB and ndb databases as unsupported, by name', async () => {
    const root = join(work, 'old');
    mkdirSync(join(root, 'var', 'lib', 'rpm'), { recursive: true });
    writeFileSync(join(root, 'var', 'lib', 'rpm', 'Packages'), Buffer.alloc(4096));
    mkdirSync(join(root, 'usr', 'lib', 'sysimage', 'rpm'), { recursive: true });
    writeFileSync(join(root, 'usr', 'lib', 'sysimage', 'rpm', 'Packages.db'), Buffer.alloc(4096));
    const result = await scanImage({ location: { kind: 'dir', path: root }, secrets: false });
    const messages = result.problems.filter((p) => p.code === 'rpmdb-unsupported').map((p) => p.message);
    assert.equal(messages.length, 2);
    assert.ok(messages.some((m) => m.includes('Berkeley DB')));
    assert.ok(messages.some((m) => m.includes('ndb')));
  });
});
