// Matching real distribution and npm/PyPI/Go/Maven package sets against a database built from the
// real records of the shared corpus and records written for the test packages.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { InventoryPackage } from '../../image/inventory/package.ts';
import { BulwarkError } from '../../core/index.ts';
import { importOsv } from '../db/import.ts';
import { VulnDb } from '../db/store.ts';
import { missingOsv, osvDir } from '../testing/shared-osv.ts';
import { TEST_RECORDS } from '../testing/records.ts';
import { vulnerabilityFindings, jsonVulnerability } from './findings.ts';
import { matchPackages, type VulnMatch } from './match.ts';
import { parseVex, purlMatches } from './vex.ts';

const root = mkdtempSync(join(tmpdir(), 'bulwark-match-'));
let db: VulnDb;
before(async () => {
  db = VulnDb.open(join(root, 'vuln.db'), { create: true });
  const now = new Date('2024-06-01T00:00:00Z');
  if (!missingOsv) await importOsv(db, osvDir, { origin: 'import', now });
  const written = join(root, 'written.jsonl');
  writeFileSync(written, TEST_RECORDS.map((r) => JSON.stringify(r)).join('\n'));
  await importOsv(db, written, { origin: 'import', now });
});
after(() => {
  db.close();
  rmSync(root, { recursive: true, force: true });
});

const layer = 'sha256:' + 'a'.repeat(64);
function pkg(ecosystem: InventoryPackage['ecosystem'], name: string, version: string, extra: Partial<InventoryPackage> = {}): InventoryPackage {
  return { name, version, ecosystem, purl: `pkg:generic/${name}@${version}`, layer, path: '/var/lib/dpkg/status', ...extra };
}
const debian12 = { id: 'debian', versionId: '12' };

/** A Debian 12 image: binary packages built from openssl, glibc, and a few clean ones. */
const DEBIAN_12: InventoryPackage[] = [
  pkg('Debian', 'libssl3', '3.0.11-1~deb12u2', { sourceName: 'openssl', distro: debian12, purl: 'pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12' }),
  pkg('Debian', 'openssl', '3.0.11-1~deb12u2', { distro: debian12, purl: 'pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12' }),
  pkg('Debian', 'libc6', '2.36-9+deb12u4', { sourceName: 'glibc', distro: debian12, purl: 'pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12' }),
  pkg('Debian', 'bash', '5.2.15-2+b2', { sourceName: 'bash', sourceVersion: '5.2.15-2', distro: debian12 }),
  pkg('Debian', 'nginx', '1.2.1-2.2+wheezy2', { distro: debian12 }),
];

const byId = (matches: VulnMatch[]): Map<string, VulnMatch[]> => {
  const out = new Map<string, VulnMatch[]>();
  for (const m of matches) out.set(m.id, [...(out.get(m.id) ?? []), m]);
  return out;
};

describe('matching a Debian 12 image', () => {
  it('matches advisories by source package and release, with the fix for that release', () => {
    const { matches, problems } = matchPackages(db, DEBIAN_12);
    const found = byId(matches);
    assert.deepEqual(problems, []);
    const openssl = found.get('DEBIAN-CVE-2024-0001')!;
    assert.deepEqual(openssl.map((m) => m.package.name).sort(), ['libssl3', 'openssl']);
    assert.equal(openssl[0]!.fixed, '3.0.13-1~deb12u1');
    assert.equal(openssl[0]!.ecosystem, 'Debian:12');
    assert.equal(openssl[0]!.advisoryPackage, 'openssl');
    // Fixed long before the installed version; the Debian 7 nginx advisory is for another release.
    assert.equal(found.has('DEBIAN-CVE-2023-9999'), false);
    assert.equal(found.has('DSA-3029-1'), false);
  });

  it('reports unfixed vulnerabilities as such', () => {
    const glibc = byId(matchPackages(db, DEBIAN_12).matches).get('DEBIAN-CVE-2024-0002')!;
    assert.equal(glibc[0]!.fixed, null);
    assert.equal(glibc[0]!.package.name, 'libc6');
  });

  it('uses the Debian 11 entry for a Debian 11 package', () => {
    const old = pkg('Debian', 'libssl1.1', '1.1.1w-0+deb11u1', { sourceName: 'openssl', distro: { id: 'debian', versionId: '11' } });
    const [match] = matchPackages(db, [old]).matches;
    assert.equal(match?.fixed, '1.1.1w-0+deb11u2');
    assert.equal(match?.ecosystem, 'Debian:11');
  });

  it('matches the real Debian records for their releases', { skip: missingOsv }, () => {
    const wheezy = pkg('Debian', 'nginx-full', '1.2.1-2.2+wheezy2', { sourceName: 'nginx', distro: { id: 'debian', versionId: '7' } });
    const buster = pkg('Debian', 'unixodbc', '2.3.6-0.1', { distro: { id: 'debian', versionId: '10' } });
    const found = byId(matchPackages(db, [wheezy, buster]).matches);
    assert.equal(found.get('DSA-3029-1')![0]!.fixed, '1.2.1-2.2+wheezy3');
    assert.equal(found.get('CVE-2024-1013')![0]!.fixed, null);
    // Debian rates it "unimportant": reported, at the lowest severity.
    assert.equal(found.get('CVE-2024-1013')![0]!.severity.severity, 'info');
  });
});

describe('matching other distributions', () => {
  it('Alpine: by origin package and branch', () => {
    const alpine = (versionId: string, version: string) =>
      pkg('Alpine', 'ssl_client', version, { sourceName: 'busybox', distro: { id: 'alpine', versionId }, path: '/lib/apk/db/installed' });
    const found = matchPackages(db, [alpine('3.20.3', '1.36.1-r28'), alpine('3.20.3', '1.36.1-r29'), alpine('3.19.1', '1.36.1-r19')]).matches;
    assert.deepEqual(found.map((m) => [m.package.distro!.versionId, m.package.version, m.fixed]), [
      ['3.19.1', '1.36.1-r19', '1.36.1-r20'],
      ['3.20.3', '1.36.1-r28', '1.36.1-r29'],
    ]);
  });

  it('Red Hat: binary RPM names, EVR ordering, major release from the CPE', () => {
    const rhel = (versionId: string, version: string) => pkg('Red Hat', 'curl', version, { sourceName: 'curl', distro: { id: 'rhel', versionId }, path: '/var/lib/rpm/rpmdb.sqlite' });
    const found = matchPackages(db, [rhel('9.4', '7.76.1-29.el9_4'), rhel('9.4', '7.76.1-29.el9_4.1'), rhel('8.10', '7.61.1-34.el8_10')]).matches;
    assert.deepEqual(found.map((m) => [m.package.version, m.fixed]), [
      ['7.61.1-34.el8_10', '0:7.61.1-34.el8_10.2'],
      ['7.76.1-29.el9_4', '0:7.76.1-29.el9_4.1'],
    ]);
    // The RHEL 9 entry carries Red Hat's rating; the RHEL 8 one none, so it is reported as medium.
    assert.deepEqual(found.map((m) => [m.severity.severity, m.severity.source]), [
      ['medium', 'unknown'],
      ['high', 'ecosystem'],
    ]);
  });
});

describe('matching language packages', () => {
  const npm = (name: string, version: string) => pkg('npm', name, version, { purl: `pkg:npm/${name}@${version}`, path: `/app/node_modules/${name}/package.json` });

  it('npm: ranges per branch, CVSS severity, last_affected', { skip: missingOsv }, () => {
    const found = byId(matchPackages(db, [npm('semver', '7.5.1'), npm('semver', '7.5.4'), npm('lodash', '4.17.15'), npm('express', '4.18.2'), npm('express', '4.19.0')]).matches);
    const semver = found.get('GHSA-c2qf-rxjj-qqgw')!;
    assert.deepEqual(semver.map((m) => [m.package.version, m.fixed]), [['7.5.1', '7.5.2']]);
    assert.equal(semver[0]!.severity.severity, 'medium');
    assert.equal(semver[0]!.severity.cvss?.score, 5.3);
    assert.equal(found.get('GHSA-test-lodash')![0]!.severity.severity, 'high');
    const express = found.get('GHSA-test-v4')!;
    assert.deepEqual(express.map((m) => [m.package.version, m.fixed, m.lastAffected]), [['4.18.2', null, '4.18.2']]);
    assert.equal(express[0]!.severity.cvss?.version, '4.0');
  });

  it('PyPI: PEP 503 names, withdrawn records ignored, version lists', { skip: missingOsv }, () => {
    const py = (name: string, version: string) => pkg('PyPI', name, version, { path: `/usr/lib/python3/site-packages/${name}.dist-info/METADATA` });
    const found = byId(matchPackages(db, [py('Django', '1.2.6'), py('flask_caching', '1.10.1'), py('PyYAML', '5.1.2'), py('requests', '2.31.0')]).matches);
    assert.equal(found.get('PYSEC-2011-1')![0]!.fixed, '1.2.7');
    assert.equal(found.get('PYSEC-2020-176')![0]!.fixed, '5.2b1');
    assert.equal(found.has('PYSEC-2021-13'), false, 'withdrawn');
    assert.equal(found.get('GHSA-test-pypi-name')![0]!.fixed, null);
    assert.equal(found.has('PYSEC-2014-13'), false);
  });

  it('Go: module versions with v, pseudo-versions, the standard library', { skip: missingOsv }, () => {
    const go = (name: string, version: string) => pkg('Go', name, version, { path: '/usr/local/bin/app' });
    const found = byId(matchPackages(db, [go('golang.org/x/net', 'v0.0.0-20220722155237-a158d28d115b'), go('stdlib', 'go1.20.0'), go('github.com/gogo/protobuf', 'v1.3.2')]).matches);
    assert.deepEqual(found.get('GO-2023-1571')!.map((m) => [m.package.name, m.fixed]), [['golang.org/x/net', '0.7.0'], ['stdlib', '1.20.1']]);
    assert.equal(found.has('GO-2021-0053'), false);
  });

  it('GIT ranges: skipped with a typed reason; the version list still matches; other ranges decide alone', { skip: missingOsv }, () => {
    const py = (name: string, version: string) => pkg('PyPI', name, version, { path: `/usr/lib/python3/site-packages/${name}.dist-info/METADATA` });
    const { matches, problems } = matchPackages(db, [py('gitpkg', '1.1.0'), py('gitpkg', '2.0.0'), py('flask', '2.2.4')]);
    // 1.1.0 is in the tag list of the first record; the commit in its GIT range is not a version to report as the fix.
    assert.deepEqual(matches.filter((m) => m.package.name === 'gitpkg').map((m) => [m.package.version, m.id, m.fixed]), [['1.1.0', 'OSV-test-git-versions', null]]);
    // The GIT-only record cannot be decided for either version: said so, never silently dropped.
    assert.deepEqual(problems.map((p) => [p.package, p.id, p.reason]), [
      ['gitpkg@1.1.0', 'OSV-test-git-only', 'git-range'],
      ['gitpkg@2.0.0', 'OSV-test-git-only', 'git-range'],
    ]);
    // PYSEC-2023-62 has a GIT and an ECOSYSTEM range: the ECOSYSTEM range decides, no note.
    assert.deepEqual(matches.filter((m) => m.id === 'PYSEC-2023-62').map((m) => [m.package.version, m.fixed]), [['2.2.4', '2.2.5']]);
  });

  it('Maven: group:artifact names and ComparableVersion ordering', () => {
    const found = matchPackages(db, [pkg('Maven', 'com.fasterxml.jackson.core:jackson-databind', '2.13.2.2'), pkg('Maven', 'com.fasterxml.jackson.core:jackson-databind', '2.13.4.1')]).matches;
    assert.deepEqual(found.map((m) => [m.package.version, m.fixed, m.severity.severity]), [['2.13.2.2', '2.13.4.1', 'medium']]);
  });
});

describe('findings, filters and VEX', () => {
  const object = { apiVersion: '', kind: 'Image', namespace: null, name: 'registry.example.com/app:1' };

  it('produces findings in the documented shape, one control per advisory', () => {
    const { matches } = matchPackages(db, DEBIAN_12);
    const report = vulnerabilityFindings(matches, { object });
    const finding = report.findings.find((f) => f.control === 'DEBIAN-CVE-2024-0001' && f.vulnerability.package === 'libssl3')!;
    assert.deepEqual(jsonVulnerability(finding.vulnerability), {
      id: 'DEBIAN-CVE-2024-0001',
      aliases: ['CVE-2024-0001'],
      ecosystem: 'Debian:12',
      package: 'libssl3',
      installed: '3.0.11-1~deb12u2',
      fixed: '3.0.13-1~deb12u1',
      layer,
    });
    assert.equal(finding.severity, 'medium');
    assert.equal(finding.area, 'distribute');
    assert.match(finding.message, /libssl3 3\.0\.11-1~deb12u2 \(source package openssl 3\.0\.11-1~deb12u2\) is affected by DEBIAN-CVE-2024-0001 \(CVE-2024-0001\)/);
    assert.match(finding.remediation, /Upgrade openssl to 3\.0\.13-1~deb12u1/);
    assert.deepEqual(report.controls.map((c) => c.id), ['DEBIAN-CVE-2024-0001', 'DEBIAN-CVE-2024-0002']);
    const glibc = report.findings.find((f) => f.control === 'DEBIAN-CVE-2024-0002')!;
    assert.equal(glibc.severity, 'critical');
    assert.match(glibc.message, /no fixed version yet; CVSS 3\.1 9\.8/);
  });

  it('--ignore-unfixed and --severity leave findings out and count them', () => {
    const { matches } = matchPackages(db, DEBIAN_12);
    const unfixed = vulnerabilityFindings(matches, { object, ignoreUnfixed: true });
    assert.ok(unfixed.findings.every((f) => f.vulnerability.fixed !== null));
    assert.equal(unfixed.filtered, 1);
    const critical = vulnerabilityFindings(matches, { object, severities: ['critical'] });
    assert.deepEqual(critical.findings.map((f) => f.control), ['DEBIAN-CVE-2024-0002']);
  });

  it('VEX: not_affected statements about a package or the image hide findings; the latest statement wins', () => {
    const { matches } = matchPackages(db, DEBIAN_12);
    const vex = parseVex(
      JSON.stringify({
        '@context': 'https://openvex.dev/ns/v0.2.0',
        '@id': 'https://example.com/vex/1',
        author: 'security@example.com',
        timestamp: '2024-06-01T00:00:00Z',
        version: 1,
        statements: [
          { vulnerability: { name: 'CVE-2024-0001' }, products: [{ '@id': 'pkg:deb/debian/libssl3' }], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' },
          {
            vulnerability: { name: 'DEBIAN-CVE-2024-0002' },
            products: [{ '@id': 'pkg:oci/app?repository_url=registry.example.com/app', subcomponents: [{ '@id': 'pkg:deb/debian/libc6@2.36-9%2Bdeb12u4' }] }],
            status: 'not_affected',
            justification: 'vulnerable_code_not_present',
            timestamp: '2024-06-01T00:00:00Z',
          },
          { vulnerability: { name: 'DEBIAN-CVE-2024-0002' }, products: ['pkg:oci/app?repository_url=registry.example.com/app'], status: 'affected', timestamp: '2024-05-01T00:00:00Z' },
        ],
      }),
      'app.vex.json',
    );
    const report = vulnerabilityFindings(matches, { object, vex: [vex], vexContext: { imageIds: ['pkg:oci/app?repository_url=registry.example.com/app'] } });
    assert.equal(report.suppressed, 2);
    assert.deepEqual(report.findings.map((f) => `${f.control} ${f.vulnerability.package}`), ['DEBIAN-CVE-2024-0001 openssl']);
  });

  it('VEX documents are validated with typed errors', () => {
    assert.throws(() => parseVex('{}', 'x.json'), (e: unknown) => e instanceof BulwarkError && /^x\.json: @context: not an OpenVEX document/.test(e.toString()) && !e.message.includes('x.json'));
    assert.throws(() => parseVex('{"@context":"https://openvex.dev/ns/v0.2.0","statements":[{"vulnerability":"CVE-1","status":"maybe"}]}', 'x.json'), /statements\[0\]\.status/);
    assert.throws(() => parseVex('not json', 'x.json'), /not valid JSON/);
  });

  it('compares package URLs as purl-spec says', () => {
    assert.ok(purlMatches('pkg:deb/debian/libssl3', 'pkg:deb/debian/libssl3@3.0.11?arch=amd64'));
    assert.ok(purlMatches('pkg:pypi/Django_Rest@1.0', 'pkg:pypi/django-rest@1.0'));
    assert.ok(!purlMatches('pkg:deb/debian/libssl3@3.0.12', 'pkg:deb/debian/libssl3@3.0.11'));
    assert.ok(!purlMatches('pkg:deb/debian/libssl3?arch=arm64', 'pkg:deb/debian/libssl3@3.0.11?arch=amd64'));
    assert.ok(!purlMatches('pkg:npm/a', 'pkg:pypi/a'));
  });
});
