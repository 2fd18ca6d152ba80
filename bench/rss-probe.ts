// Loaded with `node --import` into the measured process: reports its peak RSS when it exits, so the
// figure covers the whole `bulwark` process, start-up included.
import { writeSync } from 'node:fs';

const target = process.env.BULWARK_BENCH_RSS_FD;
process.on('exit', () => {
  if (target !== undefined) writeSync(Number(target), `${process.resourceUsage().maxRSS}\n`);
});
