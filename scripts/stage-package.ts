// The package as a user installs it: `npm run build`, `npm pack`, unpacked into a directory whose
// node_modules are the checkout's (the same dependency versions npm would install from the lock).
// Used by the benchmarks (which measure what users run) and by the test that the package works.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

export interface StagedPackage {
  /** The unpacked package: bin/, dist/, package.json. */
  dir: string;
  /** Its `bulwark` command. */
  bin: string;
  remove(): void;
}

/** Builds and packs the checkout, and unpacks the tarball into a new temporary directory. */
export function stagePackage(): StagedPackage {
  const scratch = mkdtempSync(join(tmpdir(), 'bulwark-package-'));
  try {
    // process.execPath, not a shell's `node`: the repository's pinned Node builds and packs.
    execFileSync(process.execPath, [join(root, 'scripts', 'bundle.ts'), '--outdir', join(root, 'dist')], { stdio: 'pipe' });
    execFileSync('npm', ['pack', '--silent', '--pack-destination', scratch], { cwd: root, stdio: 'pipe' });
    const tarball = readdirSync(scratch).find((name) => name.endsWith('.tgz'));
    if (tarball === undefined) throw new Error('npm pack wrote no tarball');
    const dir = join(scratch, 'package');
    mkdirSync(dir);
    execFileSync('tar', ['-xzf', join(scratch, tarball), '-C', dir, '--strip-components=1']);
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
    return { dir, bin: join(dir, 'bin', 'bulwark.js'), remove: () => rmSync(scratch, { recursive: true, force: true }) };
  } catch (error) {
    rmSync(scratch, { recursive: true, force: true });
    throw error;
  }
}
