import assert from 'node:assert/strict';
import { test } from 'node:test';
// @ts-expect-error: plain JavaScript beside the entry point, without types.
import { heapFlagsFor } from '../bin/heap-flags.js';

const flagsFor = heapFlagsFor as (args: string[]) => string[] | undefined;

test('the commands that re-execute with their own young generation, and only those', () => {
  assert.deepEqual(flagsFor(['admission', 'serve', '--tls-cert-file', 'c']), ['--min-semi-space-size=8', '--max-semi-space-size=8']);
  assert.deepEqual(flagsFor(['image', 'scan', 'debian:12']), ['--max-semi-space-size=1']);
  assert.deepEqual(flagsFor(['image', 'sbom', 'oci:dir']), ['--max-semi-space-size=1']);
  // Help, and every other command, start once with V8's defaults.
  for (const args of [['image', 'scan', '--help'], ['admission', 'serve', '-h'], ['scan', 'deploy/'], ['image'], ['admission', 'install'], []]) {
    assert.equal(flagsFor(args), undefined, args.join(' '));
  }
});
