import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BulwarkError } from '../../core/index.ts';

/** Runs `parse` on every generated input: it may return or throw a BulwarkError, never anything else. */
export function assertNeverCrashes<T>(arbitrary: fc.Arbitrary<T>, parse: (input: T) => unknown, runs = 300): void {
  fc.assert(
    fc.property(arbitrary, (input) => {
      try {
        parse(input);
      } catch (error) {
        assert.ok(error instanceof BulwarkError, `untyped error: ${error instanceof Error ? error.stack : String(error)}`);
        assert.ok(error.message.length > 0);
      }
    }),
    { numRuns: runs },
  );
}

/** Async variant. */
export async function assertNeverCrashesAsync<T>(arbitrary: fc.Arbitrary<T>, parse: (input: T) => Promise<unknown>, runs = 100): Promise<void> {
  await fc.assert(
    fc.asyncProperty(arbitrary, async (input) => {
      try {
        await parse(input);
      } catch (error) {
        assert.ok(error instanceof BulwarkError, `untyped error: ${error instanceof Error ? error.stack : String(error)}`);
      }
    }),
    { numRuns: runs },
  );
}

/** Text that looks like the format in places: fragments of it recombined with noise. */
export function textFrom(fragments: readonly string[]): fc.Arbitrary<string> {
  return fc.array(fc.oneof(fc.constantFrom(...fragments), fc.string({ maxLength: 20 }), fc.constantFrom('\n', '\n\n', ' ', ':', '\t', '\r\n')), { maxLength: 60 }).map((parts) => parts.join(''));
}

/** Bytes mutated from a valid sample: flips, truncations, insertions. */
export function mutatedBytes(sample: Uint8Array): fc.Arbitrary<Buffer> {
  return fc
    .record({
      cut: fc.integer({ min: 0, max: sample.length }),
      flips: fc.array(fc.tuple(fc.integer({ min: 0, max: Math.max(0, sample.length - 1) }), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
      truncate: fc.boolean(),
    })
    .map(({ cut, flips, truncate }) => {
      const bytes = Buffer.from(truncate ? sample.subarray(0, cut) : sample);
      for (const [at, value] of flips) if (at < bytes.length) bytes[at] = value;
      return bytes;
    });
}
