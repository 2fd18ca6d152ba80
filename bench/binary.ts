// Which `bulwark` a benchmark runs: `--from package` (the default) is what users install, the checkout
// built, packed and unpacked (scripts/stage-package.ts); `--from source` is the checkout's TypeScript,
// as developers run it. The staged package is removed when the benchmark exits.
import { join } from 'node:path';
import { stagePackage } from '../scripts/stage-package.ts';

export type BinaryOrigin = 'package' | 'source';

export function benchBinary(from: string | undefined): { bin: string; origin: BinaryOrigin } {
  if (from !== undefined && from !== 'package' && from !== 'source') throw new Error('--from takes package or source');
  if (from === 'source') return { bin: join(import.meta.dirname, '..', 'bin', 'bulwark.js'), origin: 'source' };
  const staged = stagePackage();
  process.on('exit', () => staged.remove());
  return { bin: staged.bin, origin: 'package' };
}
