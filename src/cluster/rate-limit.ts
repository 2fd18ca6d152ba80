// A token bucket, as client-go's: `qps` tokens a second, at most `burst` saved up.
import { BulwarkError } from '../core/index.ts';

export interface RateLimiter {
  /** Resolves when a request may be sent. */
  take(): Promise<void>;
}

export function createRateLimiter(qps: number, burst: number, now: () => number = () => performance.now()): RateLimiter {
  if (!(qps > 0) || !Number.isFinite(qps)) throw new BulwarkError('E_USAGE', `--qps must be a positive number, not ${qps}`);
  if (!(burst >= 1) || !Number.isFinite(burst)) throw new BulwarkError('E_USAGE', `--burst must be at least 1, not ${burst}`);
  let tokens = burst;
  let last = now();
  // Waiters queue on one promise chain so that tokens are handed out in order.
  let queue: Promise<void> = Promise.resolve();
  const takeOne = async (): Promise<void> => {
    const at = now();
    tokens = Math.min(burst, tokens + ((at - last) / 1000) * qps);
    last = at;
    if (tokens >= 1) {
      tokens -= 1;
      return;
    }
    const waitMs = ((1 - tokens) / qps) * 1000;
    await new Promise((resolve) => setTimeout(resolve, waitMs));
    tokens = 0;
    last = now();
  };
  return {
    take() {
      const next = queue.then(takeOne);
      queue = next;
      return next;
    },
  };
}
