// Which commands run under their own V8 heap flags. V8 reads the young generation's size only at
// start-up and Node refuses these flags in NODE_OPTIONS, so bin/bulwark.js re-executes itself with
// them (one more start-up, ~0.1 s, paid only by these commands).
//
// - `admission serve` answers the API server under a deadline: with V8's default sizing the young
//   generation grew and shrank under load and each resize stalled a collection for tens of
//   milliseconds; fixed at 8 MiB semi-spaces, p99 at 1,000 reviews/s fell from 17-23 ms to ~5 ms.
//   (Its start-up collection does without --expose-gc, which would make Node compile its own modules
//   from source: src/server/heap.ts.)
// - `image scan` / `image sbom` stream hundreds of megabytes of inflated layers through Buffers while
//   allocating little on the JavaScript heap: minor collections, which free dead Buffers, came so
//   rarely that the Buffers' memory piled up and made V8 start ~20 full collections per scan. With
//   1 MiB semi-spaces minor collections free them as they go (8 full collections), and the benchmark
//   image's scan measured 2.3 s instead of 2.8 s (docs/benchmarks.md).

/** The V8 flags `args` (the command line after `bulwark`) runs with, or undefined for V8's defaults. */
export function heapFlagsFor(args) {
  if (args.includes('--help') || args.includes('-h')) return undefined;
  if (args[0] === 'admission' && args[1] === 'serve') return ['--min-semi-space-size=8', '--max-semi-space-size=8'];
  if (args[0] === 'image' && (args[1] === 'scan' || args[1] === 'sbom')) return ['--max-semi-space-size=1'];
  return undefined;
}
