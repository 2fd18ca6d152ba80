// CVSS v3.0 and v3.1 base score (FIRST CVSS v3.1 specification §7.1 and Appendix A for Roundup).
import { cvssError, MAX_VECTOR_LENGTH, readMetrics } from './vector.ts';

const X = ['X'];
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  AV: ['N', 'A', 'L', 'P'],
  AC: ['L', 'H'],
  PR: ['N', 'L', 'H'],
  UI: ['N', 'R'],
  S: ['U', 'C'],
  C: ['H', 'L', 'N'],
  I: ['H', 'L', 'N'],
  A: ['H', 'L', 'N'],
  E: [...X, 'H', 'F', 'P', 'U'],
  RL: [...X, 'U', 'W', 'T', 'O'],
  RC: [...X, 'C', 'R', 'U'],
  CR: [...X, 'H', 'M', 'L'],
  IR: [...X, 'H', 'M', 'L'],
  AR: [...X, 'H', 'M', 'L'],
  MAV: [...X, 'N', 'A', 'L', 'P'],
  MAC: [...X, 'L', 'H'],
  MPR: [...X, 'N', 'L', 'H'],
  MUI: [...X, 'N', 'R'],
  MS: [...X, 'U', 'C'],
  MC: [...X, 'H', 'L', 'N'],
  MI: [...X, 'H', 'L', 'N'],
  MA: [...X, 'H', 'L', 'N'],
};
const BASE = ['AV', 'AC', 'PR', 'UI', 'S', 'C', 'I', 'A'];

const AV: Readonly<Record<string, number>> = { N: 0.85, A: 0.62, L: 0.55, P: 0.2 };
const AC: Readonly<Record<string, number>> = { L: 0.77, H: 0.44 };
const UI: Readonly<Record<string, number>> = { N: 0.85, R: 0.62 };
const CIA: Readonly<Record<string, number>> = { H: 0.56, L: 0.22, N: 0 };

/** v3.1 Roundup: the smallest one-decimal number ≥ the input, computed on integers to avoid 4.000000001 → 4.1. */
function roundUp31(value: number): number {
  const scaled = Math.round(value * 100000);
  return scaled % 10000 === 0 ? scaled / 100000 : (Math.floor(scaled / 10000) + 1) / 10;
}

function roundUp30(value: number): number {
  return Math.ceil(value * 10) / 10;
}

export interface Cvss3 {
  version: '3.0' | '3.1';
  baseScore: number;
  metrics: ReadonlyMap<string, string>;
}

export function parseCvss3(vector: string): Cvss3 {
  if (vector.length > MAX_VECTOR_LENGTH) throw cvssError(vector, 'too long');
  const parts = vector.trim().split('/');
  const prefix = parts.shift();
  const version = prefix === 'CVSS:3.1' ? '3.1' : prefix === 'CVSS:3.0' ? '3.0' : undefined;
  if (version === undefined) throw cvssError(vector, 'expected the prefix CVSS:3.0 or CVSS:3.1');
  const metrics = readMetrics(vector, ALLOWED, BASE, parts);
  const m = (key: string): string => metrics.get(key)!;
  const changed = m('S') === 'C';
  const pr = m('PR') === 'N' ? 0.85 : m('PR') === 'L' ? (changed ? 0.68 : 0.62) : changed ? 0.5 : 0.27;
  const iss = 1 - (1 - CIA[m('C')]!) * (1 - CIA[m('I')]!) * (1 - CIA[m('A')]!);
  const impact = changed ? 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15) : 6.42 * iss;
  const exploitability = 8.22 * AV[m('AV')]! * AC[m('AC')]! * pr * UI[m('UI')]!;
  const roundUp = version === '3.1' ? roundUp31 : roundUp30;
  let baseScore = 0;
  if (impact > 0) {
    baseScore = changed ? roundUp(Math.min(1.08 * (impact + exploitability), 10)) : roundUp(Math.min(impact + exploitability, 10));
  }
  return { version, baseScore, metrics };
}
