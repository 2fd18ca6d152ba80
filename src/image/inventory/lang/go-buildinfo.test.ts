import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BUILDINFO_MAGIC, decodeBuildInfo, GoBuildInfoScanner, parseModInfo } from './go-buildinfo.ts';

const GO = ['/usr/local/go/bin/go', '/usr/bin/go'].find((p) => existsSync(p));
/** Real Go executables of this machine: the Go toolchain's own gofmt and Debian's docker-registry. */
const BINARIES = ['/usr/local/go/bin/gofmt', '/usr/bin/docker-registry'].filter((p) => existsSync(p));

/** A tiny program cross-compiled once per target into the test cache (the standard library build is the slow part). */
function crossBuilt(goos: string, goarch: string): string {
  const dir = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'bulwark', 'go-cross');
  const binary = join(dir, `hello-${goos}-${goarch}`);
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'go.mod'), 'module example.com/cross\n\ngo 1.22\n');
  writeFileSync(join(dir, 'main.go'), 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hi") }\n');
  const result = spawnSync(GO!, ['build', '-o', `${binary}.tmp`, '.'], { cwd: dir, encoding: 'utf8', env: { ...process.env, GOOS: goos, GOARCH: goarch, CGO_ENABLED: '0', GOTOOLCHAIN: 'local' } });
  assert.equal(result.status, 0, result.stderr);
  renameSync(`${binary}.tmp`, binary);
  return binary;
}

function scan(bytes: Buffer, chunkSizes: number[] = [65536]): ReturnType<GoBuildInfoScanner['result']> {
  const scanner = new GoBuildInfoScanner();
  let at = 0;
  let i = 0;
  while (at < bytes.length) {
    const size = chunkSizes[i++ % chunkSizes.length]!;
    scanner.write(bytes.subarray(at, at + size));
    at += size;
  }
  return scanner.result();
}

/** What `go version -m` reports: the reference implementation (debug/buildinfo). */
function goVersionM(binary: string): { goVersion: string; path: string; deps: string[] } {
  const out = spawnSync(GO!, ['version', '-m', binary], { encoding: 'utf8', env: { ...process.env, GOTOOLCHAIN: 'local' } }).stdout;
  return {
    goVersion: /:\s*(go\S+)/.exec(out)?.[1] ?? '',
    path: /^\s+path\s+(\S+)/m.exec(out)?.[1] ?? '',
    deps: [...out.matchAll(/^\s+dep\s+(\S+)\s+(\S+)/gm)].map((m) => `${m[1]}@${m[2]}`),
  };
}

describe('Go build info', () => {
  for (const binary of BINARIES) {
    it(`reads ${binary} as go version -m does, whatever the chunking`, { skip: GO === undefined && 'Go not installed' }, () => {
      const bytes = readFileSync(binary);
      const expected = goVersionM(binary);
      for (const chunks of [[65536], [1000, 7, 131072], [bytes.length]]) {
        const result = scan(bytes, chunks);
        assert.equal(result.kind, 'go', binary);
        if (result.kind !== 'go') return;
        assert.equal(result.info.goVersion, expected.goVersion);
        assert.equal(result.info.path, expected.path);
        assert.deepEqual(result.info.deps.map((d) => `${d.path}@${d.version}`), expected.deps);
      }
    });
  }
  it('reads PE (Windows) and Mach-O (macOS) executables built by this machine\'s Go', { skip: GO === undefined && 'Go not installed' }, () => {
    for (const [goos, goarch] of [['windows', 'amd64'], ['darwin', 'arm64'], ['linux', '386']] as const) {
      const binary = crossBuilt(goos, goarch);
      const expected = goVersionM(binary);
      const result = scan(readFileSync(binary), [4096, 65536]);
      assert.equal(result.kind, 'go', `${goos}/${goarch}`);
      if (result.kind !== 'go') return;
      assert.equal(result.info.goVersion, expected.goVersion);
      assert.equal(result.info.path, expected.path);
      assert.equal(result.info.settings.GOOS, goos);
    }
  });

  if (BINARIES.length === 0) it('real Go binaries', { skip: 'no Go binary on this machine (/usr/local/go/bin/gofmt, /usr/bin/docker-registry)' }, () => {});

  it('ignores non-Go executables and the magic outside writable data', () => {
    assert.equal(scan(readFileSync('/bin/sh')).kind, 'not-go');
    // The magic string in a file that is not an executable is not build info.
    assert.equal(scan(Buffer.concat([Buffer.alloc(100), BUILDINFO_MAGIC, Buffer.alloc(100000)])).kind, 'not-go');
  });

  it('parses module information including replacements and settings', () => {
    const info = parseModInfo('go1.22.1', 'path\texample.com/app\nmod\texample.com/app\t(devel)\t\ndep\tgolang.org/x/text\tv0.14.0\th1:abc=\n=>\t../text\t\t\nbuild\t-ldflags=-s -w\nbuild\tCGO_ENABLED=0\n');
    assert.equal(info.path, 'example.com/app');
    assert.deepEqual(info.deps[0], { path: 'golang.org/x/text', version: 'v0.14.0', sum: 'h1:abc=', replace: { path: '../text', version: '' } });
    assert.equal(info.settings['-ldflags'], '-s -w');
  });

  it('reports the pre-1.18 pointer format as unsupported', () => {
    const header = Buffer.concat([BUILDINFO_MAGIC, Buffer.from([8, 0]), Buffer.alloc(16)]);
    assert.equal(decodeBuildInfo(header).kind, 'go-unsupported');
  });

  it('never crashes on hostile executables (fuzz)', () => {
    const real = BINARIES[0] === undefined ? Buffer.alloc(0) : readFileSync(BINARIES[0]).subarray(0, 200_000);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 70_000 }).map((b) => Buffer.from(b)),
          fc.tuple(fc.integer({ min: 0, max: Math.max(0, real.length - 1) }), fc.array(fc.tuple(fc.nat(70_000), fc.integer({ min: 0, max: 255 })), { maxLength: 20 })).map(([cut, flips]) => {
            const b = Buffer.from(real.subarray(0, Math.max(cut, 64)));
            for (const [at, v] of flips) if (at < b.length) b[at] = v;
            return b;
          }),
          fc.uint8Array({ maxLength: 300 }).map((tail) => Buffer.concat([BUILDINFO_MAGIC, Buffer.from([8, 2]), Buffer.alloc(16), Buffer.from(tail)])),
        ),
        fc.array(fc.integer({ min: 1, max: 100_000 }), { minLength: 1, maxLength: 4 }),
        (bytes, chunks) => {
          scan(bytes, chunks);
          decodeBuildInfo(bytes);
        },
      ),
      { numRuns: 300 },
    );
  });
});
