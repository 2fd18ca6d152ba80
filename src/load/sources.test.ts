import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { documentsToObjects } from './objects.ts';
import { SEGMENT_CHARACTERS } from './segments.ts';
import { loadInputs, streamInputs } from './sources.ts';
import { parseYamlStream } from './yaml.ts';

const pod = (name: string): string => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n`;

/** Hundreds of documents, one of them broken and one with a duplicate key. */
const largeStream = Array.from({ length: 3000 }, (_, i) => {
  if (i === 1400) return 'metadata: [\n';
  const duplicate = i === 2500 ? '  k: again\n' : '';
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\n  # note ${i}\ndata:\n  k: value-${i}\n${duplicate}  script: |\n    echo ${i}\n`;
}).join('---\n');

describe('loadInputs', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'bulwark-load-'));
    const write = (path: string, text: string | Buffer): void => {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), text);
    };
    write('app/b.yaml', pod('b'));
    write('app/a.yml', `${pod('a1')}---\n${pod('a2')}`);
    write('app/nested/c.json', JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'c' } }));
    write('app/notes.txt', pod('ignored'));
    write('app/.bulwark.yaml', 'failOn: high\n');
    write('app/.git/config.yaml', pod('ignored'));
    write('app/vendor/v.yaml', pod('vendored'));
    write('broken/x.yaml', `${pod('before')}---\nmetadata: [\n---\n${pod('after')}`);
    write('bin/image.yaml', Buffer.from([0x61, 0x3a, 0x00, 0x01]));
    write('bin/latin1.yaml', Buffer.from([0x61, 0x3a, 0x20, 0xe9, 0x0a]));
    write('big/huge.yaml', `${pod('huge')}# ${'x'.repeat(2000)}\n`);
    write('single.txt', pod('named'));
    write('large/a-big.yaml', largeStream);
    write('large/b-small.yaml', pod('small'));
    mkdirSync(join(root, 'loop'));
    write('loop/p.yaml', pod('p'));
    symlinkSync(join(root, 'loop'), join(root, 'loop', 'again'));
    symlinkSync(join(root, 'nowhere'), join(root, 'loop', 'dangling.yaml'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('reads directories recursively in path order, named files whatever their extension, each file once', async () => {
    const result = await loadInputs(['app', 'single.txt', 'app/b.yaml'], { cwd: root });
    assert.deepEqual(
      result.objects.map((o) => [o.name, o.source.file]),
      [
        ['a1', join('app', 'a.yml')],
        ['a2', join('app', 'a.yml')],
        ['b', join('app', 'b.yaml')],
        ['c', join('app', 'nested', 'c.json')],
        ['vendored', join('app', 'vendor', 'v.yaml')],
        ['named', 'single.txt'],
      ],
    );
    assert.equal(result.files, 5);
    assert.deepEqual(result.diagnostics, []);
  });

  it('leaves out what the exclude function excludes', async () => {
    const result = await loadInputs(['app'], { cwd: root, exclude: (path) => path.includes('vendor') });
    assert.deepEqual(
      result.objects.map((o) => o.name),
      ['a1', 'a2', 'b', 'c'],
    );
  });

  it('keeps reading after a broken document and a missing path', async () => {
    const result = await loadInputs(['missing.yaml', 'broken'], { cwd: root });
    assert.deepEqual(
      result.objects.map((o) => o.name),
      ['before', 'after'],
    );
    assert.deepEqual(
      result.diagnostics.map((d) => [d.level, d.code, d.location.file, d.location.line]),
      [
        ['error', 'E_IO', 'missing.yaml', undefined],
        ['error', 'E_PARSE', join('broken', 'x.yaml'), 7],
      ],
    );
    assert.match(result.diagnostics[0]!.message, /no such file or directory/);
  });

  it('skips binary files with a note', async () => {
    const result = await loadInputs(['bin'], { cwd: root });
    assert.deepEqual(result.objects, []);
    assert.deepEqual(
      result.diagnostics.map((d) => [d.level, d.location.file, d.message]),
      [
        ['note', join('bin', 'image.yaml'), 'skipped: binary file (it contains NUL bytes)'],
        ['note', join('bin', 'latin1.yaml'), 'skipped: binary file (it is not valid UTF-8)'],
      ],
    );
  });

  it('refuses files over the size limit, naming the size', async () => {
    const result = await loadInputs(['big', 'app/b.yaml'], { cwd: root, maxFileBytes: 1024 });
    assert.deepEqual(
      result.objects.map((o) => o.name),
      ['b'],
    );
    assert.equal(result.diagnostics.length, 1);
    assert.equal(result.diagnostics[0]!.code, 'E_TOO_LARGE');
    assert.match(result.diagnostics[0]!.message, /huge\.yaml is 2\.\d KiB, more than the 1\.0 KiB limit/);
  });

  it('reads a large file (in segments of whole documents) exactly as its text, then a small one after it', async () => {
    const result = await loadInputs(['large'], { cwd: root });
    const file = join('large', 'a-big.yaml');
    const outcome = parseYamlStream(largeStream, file);
    const expected = documentsToObjects(outcome.documents, file);
    assert.ok(largeStream.length > 2 * SEGMENT_CHARACTERS);
    assert.equal(result.objects.length, expected.objects.length + 1);
    result.objects.slice(0, -1).forEach((object, i) => {
      const reference = expected.objects[i]!;
      assert.deepStrictEqual(object.raw, reference.raw);
      assert.deepStrictEqual(object.source, reference.source);
      for (const path of [[], ['metadata', 'name'], ['data', 'k'], ['data', 'missing']]) {
        assert.deepEqual(object.positions.locate(path), reference.positions.locate(path));
      }
    });
    assert.deepEqual(
      result.diagnostics.map((d) => [d.code, d.message, d.location]),
      outcome.errors.map((e) => [e.code, e.message, e.location]),
    );
    assert.ok(result.diagnostics.length >= 2, 'the broken document and the duplicate key are reported');
    // The small file is read through the same buffer: nothing of the large one shows through.
    assert.deepEqual(result.objects.at(-1)!.raw, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'small' } });
  });

  it('reads what is not a regular file (a device) too', { skip: process.platform === 'win32' && 'Windows has no device files to read' }, async () => {
    const result = await loadInputs(['/dev/null']);
    assert.deepEqual([result.files, result.objects, result.diagnostics], [1, [], []]);
  });

  it('follows symbolic links without looping', async () => {
    const result = await loadInputs(['loop'], { cwd: root });
    assert.deepEqual(
      result.objects.map((o) => o.name),
      ['p'],
    );
  });

  it('reads stdin as `-`', async () => {
    const result = await loadInputs({ paths: ['-', 'app/b.yaml'], readStdin: async () => pod('from-stdin') }, { cwd: root });
    assert.deepEqual(
      result.objects.map((o) => [o.name, o.source.file]),
      [
        ['from-stdin', '-'],
        ['b', join('app', 'b.yaml')],
      ],
    );
    const big = await loadInputs({ paths: ['-'], readStdin: async () => pod('x'.repeat(100)) }, { maxFileBytes: 50 });
    assert.equal(big.diagnostics[0]!.code, 'E_TOO_LARGE');
  });

  it('reports a missing renderer as E_TOOL_MISSING and still loads the files', async () => {
    const result = await loadInputs(
      { paths: ['app/b.yaml'], kustomize: ['overlay'], helm: { chart: 'chart', values: [] } },
      { cwd: root, env: { PATH: '', BULWARK_TOOLS_DIR: join(root, 'no-tools') } },
    );
    assert.deepEqual(
      result.objects.map((o) => o.name),
      ['b'],
    );
    assert.deepEqual(
      result.diagnostics.map((d) => [d.code, d.location.file]),
      [
        ['E_TOOL_MISSING', 'overlay'],
        ['E_TOOL_MISSING', 'chart'],
      ],
    );
    assert.match(result.diagnostics[0]!.message, /kustomize or kubectl.*go install sigs\.k8s\.io\/kustomize\/kustomize\/v5/);
    assert.match(result.diagnostics[1]!.message, /needs helm.*helm\.sh/);
  });
});

describe('streamInputs', () => {
  it('hands a file out in parts of a few objects, the last carrying its diagnostics as reading it whole gives them', async () => {
    const root = mkdtempSync(join(tmpdir(), 'bulwark-parts-'));
    try {
      // Enough objects for several parts, a List, a broken document, one with a duplicate key and
      // one that is not a Kubernetes object.
      const documents = Array.from({ length: 45 }, (_, i) => {
        if (i === 7) return 'metadata: [\n';
        if (i === 20) return 'just a string\n';
        if (i === 30) return `apiVersion: v1\nkind: List\nitems:\n- ${pod('in-list-a').replaceAll('\n', '\n  ')}\n- ${pod('in-list-b').replaceAll('\n', '\n  ')}\n`;
        return i === 33 ? `${pod(`p${i}`)}metadata: {name: again}\n` : pod(`p${i}`);
      });
      const text = documents.join('---\n');
      const file = join(root, 'many.yaml');
      writeFileSync(file, text);
      const units = [];
      for await (const unit of streamInputs([file])) units.push(unit);
      assert.ok(units.length >= 3, `${units.length} units`);
      const last = units.at(-1)!;
      for (const unit of units.slice(0, -1)) {
        assert.equal(unit.partial, true);
        assert.equal(unit.read, false);
        assert.deepEqual(unit.diagnostics, []);
      }
      assert.equal(last.partial, undefined);
      assert.equal(last.read, true);
      // The same objects, in order, and the same diagnostics (parse errors first, then notes) as
      // converting the whole file's documents at once.
      const whole = parseYamlStream(text, file);
      const expected = documentsToObjects(whole.documents, file);
      const objects = units.flatMap((unit) => unit.objects);
      assert.deepEqual(
        objects.map((o) => [o.kind, o.name, o.source, o.positions.locate(['metadata', 'name'])]),
        expected.objects.map((o) => [o.kind, o.name, o.source, o.positions.locate(['metadata', 'name'])]),
      );
      const loaded = await loadInputs([file]);
      assert.deepEqual(last.diagnostics, loaded.diagnostics);
      assert.deepEqual(
        last.diagnostics.map((d) => d.message),
        [...whole.errors.map((e) => e.message), ...expected.diagnostics.map((d) => d.message)],
      );
      assert.ok(last.diagnostics.some((d) => d.level === 'error') && last.diagnostics.some((d) => d.level === 'note'));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
