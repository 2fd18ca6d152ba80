// OSV records written for the test packages (shapes as Debian, Alpine, Red Hat, GitHub and the Go
// vulnerability database publish them), used with the real records of the shared corpus.

const cvss = (score: string) => [{ type: score.startsWith('CVSS:4') ? 'CVSS_V4' : 'CVSS_V3', score }];

export const TEST_RECORDS: Record<string, unknown>[] = [
  {
    id: 'DEBIAN-CVE-2024-0001',
    modified: '2024-05-01T00:00:00Z',
    summary: 'openssl: excessive time spent checking DH keys',
    aliases: ['CVE-2024-0001'],
    affected: [
      {
        package: { ecosystem: 'Debian:12', name: 'openssl' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.13-1~deb12u1' }] }],
        ecosystem_specific: { urgency: 'medium' },
      },
      {
        package: { ecosystem: 'Debian:11', name: 'openssl' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.1.1w-0+deb11u2' }] }],
      },
    ],
  },
  {
    id: 'DEBIAN-CVE-2024-0002',
    modified: '2024-05-02T00:00:00Z',
    details: 'glibc: unfixed flaw in iconv (no fix yet)',
    affected: [{ package: { ecosystem: 'Debian:12', name: 'glibc' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] }],
    severity: cvss('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'),
  },
  {
    id: 'DEBIAN-CVE-2023-9999',
    modified: '2023-01-01T00:00:00Z',
    summary: 'openssl: already fixed long ago',
    affected: [{ package: { ecosystem: 'Debian:12', name: 'openssl' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.0-1' }] }] }],
  },
  {
    id: 'ALPINE-CVE-2024-0003',
    modified: '2024-05-03T00:00:00Z',
    summary: 'busybox: use after free in awk',
    affected: [
      { package: { ecosystem: 'Alpine:v3.20', name: 'busybox' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.36.1-r29' }] }] },
      { package: { ecosystem: 'Alpine:v3.19', name: 'busybox' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.36.1-r20' }] }] },
    ],
  },
  {
    id: 'RHSA-2024:0004',
    modified: '2024-05-04T00:00:00Z',
    summary: 'Important: curl security update',
    affected: [
      {
        package: { ecosystem: 'Red Hat:enterprise_linux:9::baseos', name: 'curl' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '0:7.76.1-29.el9_4.1' }] }],
        ecosystem_specific: { severity: 'Important' },
      },
      {
        package: { ecosystem: 'Red Hat:enterprise_linux:8::baseos', name: 'curl' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '0:7.61.1-34.el8_10.2' }] }],
      },
    ],
  },
  {
    id: 'GHSA-test-lodash',
    modified: '2024-05-05T00:00:00Z',
    summary: 'Prototype pollution in lodash',
    aliases: ['CVE-2020-8203'],
    severity: cvss('CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H'),
    database_specific: { severity: 'HIGH' },
    affected: [{ package: { ecosystem: 'npm', name: 'lodash' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '4.17.19' }] }] }],
  },
  {
    id: 'GHSA-test-v4',
    modified: '2024-05-06T00:00:00Z',
    summary: 'Denial of service in express',
    severity: cvss('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N'),
    affected: [{ package: { ecosystem: 'npm', name: 'express' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '4.0.0' }, { last_affected: '4.18.2' }] }] }],
  },
  {
    id: 'GHSA-test-maven',
    modified: '2024-05-07T00:00:00Z',
    summary: 'Deserialization in jackson-databind',
    affected: [
      {
        package: { ecosystem: 'Maven', name: 'com.fasterxml.jackson.core:jackson-databind' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '2.13.0' }, { fixed: '2.13.4.1' }] }],
      },
    ],
    database_specific: { severity: 'MODERATE' },
  },
  {
    id: 'GHSA-test-pypi-name',
    modified: '2024-05-08T00:00:00Z',
    summary: 'Flask-Caching names are normalised',
    affected: [{ package: { ecosystem: 'PyPI', name: 'Flask_Caching' }, versions: ['1.10.1'] }],
  },
  {
    id: 'OSV-test-git-versions',
    modified: '2024-05-09T00:00:00Z',
    summary: 'GIT ranges with the version list osv.dev enumerates from the repository tags',
    affected: [
      {
        package: { ecosystem: 'PyPI', name: 'gitpkg' },
        ranges: [{ type: 'GIT', repo: 'https://github.com/example/gitpkg', events: [{ introduced: '0' }, { fixed: 'a'.repeat(40) }] }],
        versions: ['1.0.0', '1.1.0'],
      },
    ],
  },
  {
    id: 'OSV-test-git-only',
    modified: '2024-05-09T00:00:00Z',
    summary: 'GIT ranges and nothing else: no version can be placed on them',
    affected: [
      {
        package: { ecosystem: 'PyPI', name: 'gitpkg' },
        ranges: [{ type: 'GIT', repo: 'https://github.com/example/gitpkg', events: [{ introduced: 'b'.repeat(40) }, { fixed: 'c'.repeat(40) }] }],
      },
    ],
  },
];
