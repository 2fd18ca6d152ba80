// How the benchmarks summarise repeated latencies: p50, p95 and mean, in µs below a millisecond.

export function latencyStats(samples: readonly number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const mean = sorted.reduce((sum, value) => sum + value, 0) / sorted.length;
  const format = (ms: number) => (ms < 1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(2)} ms`);
  return `p50 ${format(at(0.5))}  p95 ${format(at(0.95))}  mean ${format(mean)}  (n=${sorted.length})`;
}
