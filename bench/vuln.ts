// Benchmark of the vulnerability database: `db import` of synthetic OSV records shaped like the
// real exports (Debian, Alpine, Red Hat, npm, PyPI, Go, Maven; ranges, version lists, CVSS
// vectors, details text), then matching an image-sized package inventory against it.
// Usage: node bench/vuln.ts [--records 200000] [--packages 950] [--runs 5] [--reuse-db]
// Prints import time and rate, database size, and matching time (best and median of the runs).
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { InventoryPackage } from '../src/image/inventory/package.ts';
import { importOsv } from '../src/vuln/db/import.ts';
import { VulnDb } from '../src/vuln/db/store.ts';
import { matchPackages } from '../src/vuln/match/match.ts';
import { vulnerabilityFindings } from '../src/vuln/match/findings.ts';
import { writeZip } from '../src/image/archive/zip-writer.ts';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '200000' },
    packages: { type: 'string', default: '950' },
    runs: { type: 'string', default: '5' },
    /** Keep an existing database and measure matching only. */
    'reuse-db': { type: 'boolean', default: false },
  },
});
const RECORDS = Number(values.records);
const PACKAGES = Number(values.packages);
const RUNS = Number(values.runs);
const out = new URL('out/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });

// Deterministic pseudo-random numbers (mulberry32), so every run builds the same corpus.
let seed = 42;
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
const int = (n: number): number => Math.floor(random() * n);

const WORDS = 'buffer overflow in the parser allows remote attackers to cause a denial of service or possibly execute arbitrary code via crafted input when processing malformed headers with an unchecked length field'.split(' ');
const details = (n: number): string => Array.from({ length: n }, () => pick(WORDS)).join(' ');
const VECTORS = [
  'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
  'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H',
  'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H',
  'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:L/I:L/A:N',
  'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
];

interface Eco {
  name: string;
  share: number;
  packages: string[];
  version: (major: number, minor: number, patch: number) => string;
  record: (id: string, pkg: string, introduced: string, fixed: string | undefined) => object;
}

const pool = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const debianVersion = (a: number, b: number, c: number) => `${a}.${b}.${c}-${1 + (c % 3)}+deb12u${1 + (b % 4)}`;
const semver = (a: number, b: number, c: number) => `${a}.${b}.${c}`;
const ECOSYSTEMS: Eco[] = [
  {
    name: 'Debian', share: 0.3, packages: pool('src-pkg-', 3000), version: debianVersion,
    record: (id, pkg, _i, fixed) => ({
      id: `DEBIAN-${id}`, modified: '2024-05-01T00:00:00Z', details: details(60), aliases: [id],
      affected: [12, 11].map((release) => ({
        package: { ecosystem: `Debian:${release}`, name: pkg, purl: `pkg:deb/debian/${pkg}?arch=source` },
        ranges: [{ type: 'ECOSYSTEM', events: fixed === undefined ? [{ introduced: '0' }] : [{ introduced: '0' }, { fixed }] }],
        ecosystem_specific: { urgency: pick(['low', 'medium', 'high', 'unimportant', 'not yet assigned']) },
      })),
    }),
  },
  {
    name: 'Alpine', share: 0.08, packages: pool('apk-', 1200), version: (a, b, c) => `${a}.${b}.${c}-r${c % 7}`,
    record: (id, pkg, _i, fixed) => ({
      id: `ALPINE-${id}`, modified: '2024-05-01T00:00:00Z', details: details(10), aliases: [id],
      affected: ['v3.20', 'v3.19'].map((release) => ({
        package: { ecosystem: `Alpine:${release}`, name: pkg },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, ...(fixed === undefined ? [] : [{ fixed }])] }],
      })),
    }),
  },
  {
    name: 'Red Hat', share: 0.07, packages: pool('rpm-', 1500), version: (a, b, c) => `${a}.${b}.${c}-${c % 40}.el9`,
    record: (id, pkg, _i, fixed) => ({
      id: `RHSA-2024:${id.slice(9)}`, modified: '2024-05-01T00:00:00Z', summary: `Important: ${pkg} security update`, details: details(40), aliases: [id],
      affected: [{ package: { ecosystem: 'Red Hat:enterprise_linux:9::baseos', name: pkg }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: `0:${fixed ?? '99.0.0-1.el9'}` }] }], ecosystem_specific: { severity: 'Important' } }],
    }),
  },
  {
    name: 'npm', share: 0.22, packages: pool('npm-pkg-', 6000), version: semver,
    record: (id, pkg, introduced, fixed) => ({
      schema_version: '1.4.0', id: `GHSA-${id.slice(4)}`, modified: '2024-05-01T00:00:00Z', summary: `${pkg} vulnerable to ${pick(WORDS)}`, details: details(80), aliases: [id],
      severity: [{ type: pick(VECTORS).startsWith('CVSS:4') ? 'CVSS_V4' : 'CVSS_V3', score: pick(VECTORS) }],
      affected: [{ package: { ecosystem: 'npm', name: pkg, purl: `pkg:npm/${pkg}` }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced }, ...(fixed === undefined ? [] : [{ fixed }])] }] }],
      database_specific: { severity: pick(['LOW', 'MODERATE', 'HIGH', 'CRITICAL']), cwe_ids: ['CWE-79'] },
      references: Array.from({ length: 4 }, (_, i) => ({ type: 'WEB', url: `https://example.com/${pkg}/${i}` })),
    }),
  },
  {
    name: 'PyPI', share: 0.15, packages: pool('py-pkg-', 4000), version: semver,
    record: (id, pkg, introduced, fixed) => ({
      id: `PYSEC-${id.slice(4)}`, modified: '2024-05-01T00:00:00Z', details: details(50), aliases: [id],
      affected: [{
        package: { ecosystem: 'PyPI', name: pkg, purl: `pkg:pypi/${pkg}` },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced }, ...(fixed === undefined ? [] : [{ fixed }])] }],
        versions: Array.from({ length: 20 }, (_, i) => `${Math.floor(i / 5)}.${i % 5}.0`),
      }],
    }),
  },
  {
    name: 'Go', share: 0.08, packages: pool('github.com/org/mod', 2000), version: semver,
    record: (id, pkg, introduced, fixed) => ({
      schema_version: '1.4.0', id: `GO-${id.slice(4)}`, modified: '2024-05-01T00:00:00Z', summary: `Panic in ${pkg}`, details: details(40), aliases: [id],
      affected: [{ package: { ecosystem: 'Go', name: pkg }, ranges: [{ type: 'SEMVER', events: [{ introduced }, ...(fixed === undefined ? [] : [{ fixed }])] }], ecosystem_specific: { imports: [{ path: pkg, symbols: ['Parse'] }] } }],
    }),
  },
  {
    name: 'Maven', share: 0.1, packages: pool('org.example:artifact-', 3000), version: semver,
    record: (id, pkg, introduced, fixed) => ({
      schema_version: '1.4.0', id: `GHSA-m-${id.slice(4)}`, modified: '2024-05-01T00:00:00Z', summary: `Deserialization in ${pkg}`, details: details(70), aliases: [id],
      severity: [{ type: 'CVSS_V3', score: pick(VECTORS.slice(0, 4)) }],
      affected: [{ package: { ecosystem: 'Maven', name: pkg }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced }, ...(fixed === undefined ? [] : [{ fixed }])] }] }],
    }),
  },
];

function generate(path: string): void {
  const files: { name: string; data: string }[] = [];
  for (let i = 0; i < RECORDS; i++) {
    let r = random();
    const eco = ECOSYSTEMS.find((e) => (r -= e.share) < 0) ?? ECOSYSTEMS[0]!;
    const pkg = pick(eco.packages);
    const major = int(4);
    const introduced = random() < 0.5 ? '0' : eco.version(major, 0, 0);
    const fixed = random() < 0.1 ? undefined : eco.version(major, int(10), int(20));
    const id = `CVE-${2015 + (i % 10)}-${String(i).padStart(6, '0')}`;
    const record = eco.record(id, pkg, introduced, fixed);
    files.push({ name: `${(record as { id: string }).id.replace(/[:/]/g, '_')}.json`, data: JSON.stringify(record) });
  }
  writeFileSync(path, writeZip(files));
}

function inventory(): InventoryPackage[] {
  // A seed of its own: the same inventory whether or not this run generated the corpus first.
  seed = 4242;
  const shares: [string, number][] = [['Debian', 0.42], ['npm', 0.26], ['PyPI', 0.13], ['Go', 0.06], ['Maven', 0.05], ['Alpine', 0.04], ['Red Hat', 0.04]];
  const packages: InventoryPackage[] = [];
  for (const [name, share] of shares) {
    const eco = ECOSYSTEMS.find((e) => e.name === name)!;
    for (let i = 0; i < Math.round(PACKAGES * share); i++) {
      const source = pick(eco.packages);
      const version = eco.version(int(4), int(10), int(20));
      const distro = name === 'Debian' ? { id: 'debian', versionId: '12' } : name === 'Alpine' ? { id: 'alpine', versionId: '3.20.2' } : name === 'Red Hat' ? { id: 'rhel', versionId: '9.4' } : undefined;
      packages.push({
        name: name === 'Debian' ? `lib${source}` : source,
        version: name === 'Go' ? `v${version}` : version,
        ecosystem: name as InventoryPackage['ecosystem'],
        purl: `pkg:generic/${source}@${version}`,
        ...(distro === undefined ? {} : { distro, sourceName: source }),
        layer: 'sha256:' + '0'.repeat(64),
        path: '/var/lib/dpkg/status',
      });
    }
  }
  return packages;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const zip = join(out, `osv-${RECORDS}.zip`);
if (!existsSync(zip)) {
  const t = performance.now();
  generate(zip);
  console.log(`generated ${RECORDS} records into ${zip} (${(statSync(zip).size / 1048576).toFixed(1)} MiB) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

const dbPath = join(out, `vuln-${RECORDS}.db`);
const cpuTime = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
console.log(`load average: ${loadavg().map((l) => l.toFixed(1)).join(' ')} (other work on this machine inflates wall times; CPU time is this process's own)`);
if (!values['reuse-db'] || !existsSync(dbPath)) {
  rmSync(dbPath, { force: true });
  const db = VulnDb.open(dbPath, { create: true });
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const summary = await importOsv(db, zip, { origin: 'import', now: new Date() });
  const importMs = performance.now() - t0;
  const importCpuMs = cpuTime(cpu0);
  db.close();
  console.log(`import: ${summary.records} records (${summary.affectedRows} affected rows) in ${(importMs / 1000).toFixed(2)} s wall, ${(importCpuMs / 1000).toFixed(2)} s CPU = ${Math.round(summary.records / (importMs / 1000))} records/s; database ${(statSync(dbPath).size / 1048576).toFixed(0)} MiB; RSS +${((process.memoryUsage().rss - rssBefore) / 1048576).toFixed(0)} MiB`);
} else {
  console.log(`import: skipped (--reuse-db, ${dbPath})`);
}

const packages = inventory();
const times: number[] = [];
const cpuTimes: number[] = [];
let findings = 0;
for (let run = 0; run < RUNS; run++) {
  const t = performance.now();
  const c = process.cpuUsage();
  const matchDb = VulnDb.open(dbPath, { readOnly: true });
  const result = matchPackages(matchDb, packages);
  const report = vulnerabilityFindings(result.matches, { object: { apiVersion: '', kind: 'Image', namespace: null, name: 'bench' } });
  matchDb.close();
  times.push(performance.now() - t);
  cpuTimes.push(cpuTime(c));
  findings = report.findings.length;
}
console.log(
  `match: ${packages.length} packages → ${findings} findings; open + match + findings: wall best ${Math.min(...times).toFixed(0)} ms, median ${median(times).toFixed(0)} ms; CPU best ${Math.min(...cpuTimes).toFixed(0)} ms, median ${median(cpuTimes).toFixed(0)} ms; ${RUNS} runs (first ${times[0]!.toFixed(0)} ms wall)`,
);
