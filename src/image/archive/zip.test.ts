import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { deflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { BulwarkError } from '../../core/index.ts';
import { assertNeverCrashes, mutatedBytes } from '../testing/fuzz.ts';
import { writeZip } from './zip-writer.ts';
import { DEFAULT_ZIP_LIMITS, ZipArchive, ZipFile } from './zip.ts';

const dir = mkdtempSync(join(tmpdir(), 'bulwark-zip-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(data: Buffer): string {
  const path = join(dir, `a${n++}.zip`);
  writeFileSync(path, data);
  return path;
}

/** Every entry, read from the file through the window and, separately, from memory: both must agree. */
async function readAll(path: string, limits = DEFAULT_ZIP_LIMITS): Promise<Map<string, string>> {
  const zip = ZipFile.openFile(path, limits);
  const out = new Map<string, string>();
  try {
    for (const entry of zip.entries) out.set(entry.name, zip.read(entry).toString('utf8'));
  } finally {
    zip.close();
  }
  const memory = ZipArchive.open(readFileSync(path), path, limits);
  assert.deepEqual(new Map(memory.entries.map((entry) => [entry.name, memory.read(entry).toString('utf8')])), out);
  return out;
}

const isTyped = (e: unknown): boolean => e instanceof BulwarkError && (e.code === 'E_PARSE' || e.code === 'E_TOO_LARGE');

describe('ZIP reader', () => {
  it('reads back what the writer wrote, names and bytes', async () => {
    const files = [
      { name: 'GHSA-1.json', data: '{"id":"GHSA-1"}' },
      { name: 'dir/ü.json', data: 'x'.repeat(100_000) },
      { name: 'empty.json', data: '' },
    ];
    const read = await readAll(file(writeZip(files)));
    assert.deepEqual([...read.keys()], files.map((f) => f.name));
    for (const f of files) assert.equal(read.get(f.name), f.data);
  });

  it('reads ZIP64 archives with more than 65,535 entries', async () => {
    const files = Array.from({ length: 70_000 }, (_, i) => ({ name: `${i}.json`, data: String(i) }));
    const zip = ZipFile.openFile(file(writeZip(files, { method: 'store' })));
    try {
      assert.equal(zip.entries.length, 70_000);
      assert.equal(zip.read(zip.entries[69_999]!).toString(), '69999');
    } finally {
      zip.close();
    }
  });

  it('refuses entries that inflate beyond the limit or their declared size (zip bombs)', async () => {
    const bomb = file(writeZip([{ name: 'bomb.json', data: Buffer.alloc(5_000_000) }]));
    await assert.rejects(readAll(bomb, { ...DEFAULT_ZIP_LIMITS, entryBytes: 1_000_000 }), (e: unknown) => e instanceof BulwarkError && e.code === 'E_TOO_LARGE');
    await assert.rejects(readAll(bomb, { ...DEFAULT_ZIP_LIMITS, totalBytes: 1_000_000 }), (e: unknown) => e instanceof BulwarkError && e.code === 'E_TOO_LARGE');
    // The central directory understates the size: inflating stops one byte past it.
    const lying = writeZip([{ name: 'x.json', data: Buffer.alloc(10_000, 65) }]);
    const cd = lying.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    lying.writeUInt32LE(100, cd + 24);
    await assert.rejects(readAll(file(lying)), (e: unknown) => isTyped(e) && /declared|inflate/.test((e as Error).message));
  });

  it('detects corrupted data by its CRC-32', async () => {
    const zip = writeZip([{ name: 'x.json', data: 'hello hello hello' }]);
    const local = Buffer.from(zip);
    local.writeUInt32LE((local.readUInt32LE(14) ^ 1) >>> 0, 14);
    const cd = local.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    local.writeUInt32LE((local.readUInt32LE(cd + 16) ^ 1) >>> 0, cd + 16);
    await assert.rejects(readAll(file(local)), /CRC-32/);
  });

  it('refuses what it does not support with a clear error', async () => {
    await assert.rejects(readAll(file(Buffer.from('not a zip at all, just text'))), /no end of central directory/);
    const encrypted = writeZip([{ name: 'x.json', data: 'a' }]);
    const cd = encrypted.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    encrypted.writeUInt16LE(0x801, cd + 8);
    await assert.rejects(readAll(file(encrypted)), /encrypted/);
    const bzip = writeZip([{ name: 'x.json', data: 'a' }]);
    bzip.writeUInt16LE(12, bzip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])) + 10);
    await assert.rejects(readAll(file(bzip)), /method 12/);
  });

  it('never fails with anything but a typed error on damaged archives', async () => {
    const base = writeZip([
      { name: 'a.json', data: '{"id":"A"}' },
      { name: 'b.json', data: deflateRawSync(Buffer.from('b')).toString('latin1') },
    ]);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
          fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }).map((edits) => {
            const copy = Buffer.from(base);
            for (const [at, value] of edits) copy[at] = value;
            return copy;
          }),
          fc.nat(base.length).map((cut) => base.subarray(0, cut)),
        ),
        async (bytes) => {
          try {
            await readAll(file(bytes));
          } catch (error) {
            assert.ok(isTyped(error), String(error));
          }
        },
      ),
      { numRuns: 800 },
    );
  });

  it('lists files only, and bounds each read by the caller\'s limit (in memory)', () => {
    const zip = writeZip([{ name: 'META-INF/', data: '' }, { name: 'META-INF/MANIFEST.MF', data: 'Manifest-Version: 1.0\n' }, { name: 'big', data: 'b'.repeat(5000) }]);
    const archive = ZipArchive.open(zip, 'app.jar');
    assert.deepEqual(archive.entries.map((e) => e.name), ['META-INF/MANIFEST.MF', 'big']);
    assert.throws(() => archive.read(archive.entries[1]!, 1000), (e: unknown) => e instanceof BulwarkError && e.code === 'E_TOO_LARGE' && /app\.jar!big/.test(e.message));
    assert.equal(archive.read(archive.entries[1]!).length, 5000);
  });

  it('never fails with anything but a typed error in memory either (fuzz, ZIP64 included)', () => {
    const small = writeZip([{ name: 'a.json', data: '{"id":"A"}' }, { name: 'b/c', data: 'c'.repeat(300) }]);
    const zip64 = writeZip(Array.from({ length: 70_000 }, (_, i) => ({ name: String(i), data: '' })), { method: 'store' });
    const tail = zip64.subarray(zip64.length - 200);
    assertNeverCrashes(
      fc.oneof(mutatedBytes(small), mutatedBytes(tail)),
      (bytes) => {
        const archive = ZipArchive.open(bytes, 'fuzz', { ...DEFAULT_ZIP_LIMITS, entries: 100 });
        for (const entry of archive.entries) archive.read(entry);
      },
      1500,
    );
  });
});
