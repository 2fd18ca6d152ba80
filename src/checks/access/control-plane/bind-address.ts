// The controller manager and the scheduler serve on all interfaces unless `--bind-address` says otherwise.
import type { Violation } from '../../check.ts';
import type { Invocation } from './component.ts';
import { effective, label } from './flag-check.ts';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export function bindsLocally(invocation: Invocation): Violation | undefined {
  const found = effective(invocation, 'bind-address');
  if (found === undefined) return { path: invocation.commandPath, message: `${label(invocation)} leaves --bind-address at its default, 0.0.0.0 (every interface)` };
  if (LOOPBACK.has(found.value)) return undefined;
  return { path: found.path, message: `${label(invocation)} sets --bind-address=${found.value}` };
}
