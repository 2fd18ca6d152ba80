import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { assertNeverCrashes, mutatedBytes, textFrom } from '../../testing/fuzz.ts';
import { parseApkInstalled } from './apk.ts';
import { parseDebianCopyrightLicenses, parseDpkgStatus } from './dpkg.ts';
import { parseOsRelease } from './os-release.ts';
import { parseRpmHeader, parseSourceRpm, RPMTAG } from './rpm-header.ts';

const STATUS = `Package: libc6
Status: install ok installed
Priority: optional
Architecture: amd64
Multi-Arch: same
Source: glibc
Version: 2.36-9+deb12u4
Description: GNU C Library: Shared libraries
 Contains the standard libraries.

Package: libgcc-s1
Status: install ok installed
Architecture: amd64
Source: gcc-12 (12.2.0-14)
Version: 12.2.0-14

Package: removed
Status: deinstall ok config-files
Version: 1.0

Package: python3-minimal
Status: install ok unpacked
Architecture: amd64
Version: 3.11.2-1+b1
`;

describe('os-release', () => {
  it('reads quoted and unquoted values', () => {
    const os = parseOsRelease('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\nID_LIKE="rhel fedora"\n# comment\nBROKEN\n');
    assert.deepEqual(os, { id: 'debian', versionId: '12', versionCodename: '', prettyName: 'Debian GNU/Linux 12 (bookworm)', idLike: ['rhel', 'fedora'] });
    assert.equal(parseOsRelease("ID='alpine'\nVERSION_ID=3.19.1").versionId, '3.19.1');
  });
  it('never crashes (fuzz)', () => assertNeverCrashes(textFrom(['ID=', 'VERSION_ID="', '"', "'", '\\"', '#']), parseOsRelease, 500));
});

describe('dpkg status', () => {
  it('lists packages whose files are present, with source names and versions', () => {
    assert.deepEqual(
      parseDpkgStatus(STATUS, 'status').map((p) => [p.name, p.version, p.architecture, p.sourceName, p.sourceVersion]),
      [
        ['libc6', '2.36-9+deb12u4', 'amd64', 'glibc', undefined],
        ['libgcc-s1', '12.2.0-14', 'amd64', 'gcc-12', undefined],
        ['python3-minimal', '3.11.2-1+b1', 'amd64', 'python3-minimal', undefined],
      ],
    );
    const binNmu = parseDpkgStatus('Package: x\nVersion: 1.0-1+b2\nSource: x (1.0-1)\n', 'status.d/x');
    assert.equal(binNmu[0]!.sourceVersion, '1.0-1');
    assert.equal(binNmu[0]!.status, 'install ok installed', 'distroless status.d entries without Status are installed');
  });
  it('reads DEP-5 licences, nothing from free-form copyright files', () => {
    const dep5 = 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nLicense: GPL-2+ or Artistic\n\nFiles: lib/*\nLicense: LGPL-2.1+\n text\n';
    assert.deepEqual(parseDebianCopyrightLicenses(dep5), ['Artistic', 'GPL-2+', 'LGPL-2.1+']);
    assert.deepEqual(parseDebianCopyrightLicenses('This is free software under the GPL.\nLicense: GPL\n'), []);
  });
  it('never crashes (fuzz)', () => {
    assertNeverCrashes(textFrom(['Package: ', 'Version: ', 'Status: install ok installed', 'Source: ', ' (', ')', 'Architecture: ']), (t) => parseDpkgStatus(t, 'fuzz'), 500);
    assertNeverCrashes(mutatedBytes(Buffer.from(STATUS)), (b) => parseDpkgStatus(b.toString('latin1'), 'fuzz'), 300);
  });
});

describe('apk installed', () => {
  it('reads records with origin and licence', () => {
    const text = 'C:Q1abc=\nP:musl\nV:1.2.4-r2\nA:x86_64\nL:MIT\no:musl\n\nP:busybox-binsh\nV:1.36.1-r15\nA:x86_64\no:busybox\nL:GPL-2.0-only\n';
    assert.deepEqual(parseApkInstalled(text), [
      { name: 'musl', version: '1.2.4-r2', architecture: 'x86_64', origin: 'musl', license: 'MIT' },
      { name: 'busybox-binsh', version: '1.36.1-r15', architecture: 'x86_64', origin: 'busybox', license: 'GPL-2.0-only' },
    ]);
  });
  it('never crashes (fuzz)', () => assertNeverCrashes(textFrom(['P:', 'V:', 'A:', 'o:', 'L:']), (t) => parseApkInstalled(t), 500));
});

/** A header blob as rpm stores it: il, dl, index entries, data. */
export function rpmHeaderBlob(fields: { tag: number; type: number; value: string | number }[]): Buffer {
  const data: Buffer[] = [];
  let offset = 0;
  const index = Buffer.alloc(fields.length * 16);
  for (const [i, field] of fields.entries()) {
    let bytes: Buffer;
    if (typeof field.value === 'number') {
      const pad = (4 - (offset % 4)) % 4;
      if (pad > 0) {
        data.push(Buffer.alloc(pad));
        offset += pad;
      }
      bytes = Buffer.alloc(4);
      bytes.writeInt32BE(field.value);
    } else bytes = Buffer.from(`${field.value}\0`);
    index.writeUInt32BE(field.tag, i * 16);
    index.writeUInt32BE(field.type, i * 16 + 4);
    index.writeUInt32BE(offset, i * 16 + 8);
    index.writeUInt32BE(1, i * 16 + 12);
    data.push(bytes);
    offset += bytes.length;
  }
  const head = Buffer.alloc(8);
  head.writeUInt32BE(fields.length, 0);
  head.writeUInt32BE(offset, 4);
  return Buffer.concat([head, index, ...data]);
}

describe('rpm headers', () => {
  const blob = rpmHeaderBlob([
    { tag: RPMTAG.name, type: 6, value: 'bash' },
    { tag: RPMTAG.version, type: 6, value: '5.1.8' },
    { tag: RPMTAG.release, type: 6, value: '6.el9' },
    { tag: RPMTAG.epoch, type: 4, value: 1 },
    { tag: RPMTAG.arch, type: 6, value: 'x86_64' },
    { tag: RPMTAG.license, type: 6, value: 'GPLv3+' },
    { tag: RPMTAG.sourceRpm, type: 6, value: 'bash-5.1.8-6.el9.src.rpm' },
  ]);
  it('reads name, version, release, epoch, arch, licence and source rpm', () => {
    assert.deepEqual(parseRpmHeader(blob, 'h'), { name: 'bash', version: '5.1.8', release: '6.el9', epoch: 1, arch: 'x86_64', license: 'GPLv3+', sourceRpm: 'bash-5.1.8-6.el9.src.rpm' });
    assert.deepEqual(parseSourceRpm('python3.11-3.11.5-1.el9.src.rpm'), { name: 'python3.11', version: '3.11.5', release: '1.el9' });
    assert.equal(parseSourceRpm('nodash.src.rpm'), null);
  });
  it('checks every offset and never crashes (fuzz)', () => {
    assertNeverCrashes(mutatedBytes(blob), (b) => parseRpmHeader(b, 'fuzz'), 1000);
    assertNeverCrashes(fc.uint8Array({ maxLength: 200 }), (b) => parseRpmHeader(b, 'fuzz'), 500);
  });
});
