// CVSS v4.0 score (FIRST CVSS v4.0 specification §8: MacroVectors, then the severity distance of
// the vector from the highest-severity vectors of its MacroVector, interpolated towards the next
// lower MacroVector of each equivalence class).
import { LEVELS, MACROVECTOR_SCORES, MAX_SEVERITY, MAX_VECTORS } from './cvss4-data.ts';
import { cvssError, MAX_VECTOR_LENGTH, readMetrics } from './vector.ts';

const X = 'X';
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  AV: ['N', 'A', 'L', 'P'],
  AC: ['L', 'H'],
  AT: ['N', 'P'],
  PR: ['N', 'L', 'H'],
  UI: ['N', 'P', 'A'],
  VC: ['H', 'L', 'N'],
  VI: ['H', 'L', 'N'],
  VA: ['H', 'L', 'N'],
  SC: ['H', 'L', 'N'],
  SI: ['H', 'L', 'N'],
  SA: ['H', 'L', 'N'],
  E: [X, 'A', 'P', 'U'],
  CR: [X, 'H', 'M', 'L'],
  IR: [X, 'H', 'M', 'L'],
  AR: [X, 'H', 'M', 'L'],
  MAV: [X, 'N', 'A', 'L', 'P'],
  MAC: [X, 'L', 'H'],
  MAT: [X, 'N', 'P'],
  MPR: [X, 'N', 'L', 'H'],
  MUI: [X, 'N', 'P', 'A'],
  MVC: [X, 'H', 'L', 'N'],
  MVI: [X, 'H', 'L', 'N'],
  MVA: [X, 'H', 'L', 'N'],
  MSC: [X, 'H', 'L', 'N'],
  MSI: [X, 'S', 'H', 'L', 'N'],
  MSA: [X, 'S', 'H', 'L', 'N'],
  S: [X, 'N', 'P'],
  AU: [X, 'N', 'Y'],
  R: [X, 'A', 'U', 'I'],
  V: [X, 'D', 'C'],
  RE: [X, 'L', 'M', 'H'],
  U: [X, 'Clear', 'Green', 'Amber', 'Red'],
};
const BASE = ['AV', 'AC', 'AT', 'PR', 'UI', 'VC', 'VI', 'VA', 'SC', 'SI', 'SA'];

export interface Cvss4 {
  version: '4.0';
  /** The CVSS-B, -BT, -BE or -BTE score of the vector as written. */
  score: number;
  macroVector: string;
}

/** Rounds half up to one decimal, as the reference calculator does. */
function round1(value: number): number {
  return Number.parseFloat((Math.round(value * 10) / 10).toFixed(1));
}

export function parseCvss4(vector: string): Cvss4 {
  if (vector.length > MAX_VECTOR_LENGTH) throw cvssError(vector, 'too long');
  const parts = vector.trim().split('/');
  if (parts.shift() !== 'CVSS:4.0') throw cvssError(vector, 'expected the prefix CVSS:4.0');
  const metrics = readMetrics(vector, ALLOWED, BASE, parts);

  // The value that counts: a modified (environmental) metric overrides its base metric, and an
  // unset threat or requirement metric counts as its worst case.
  const m = (metric: string): string => {
    const selected = metrics.get(metric) ?? X;
    if (selected === X && (metric === 'CR' || metric === 'IR' || metric === 'AR')) return 'H';
    if (selected === X && metric === 'E') return 'A';
    const modified = metrics.get(`M${metric}`);
    if (modified !== undefined && modified !== X) return modified;
    return selected;
  };

  if (['VC', 'VI', 'VA', 'SC', 'SI', 'SA'].every((metric) => m(metric) === 'N')) {
    return { version: '4.0', score: 0, macroVector: macroVector(m) };
  }
  const macro = macroVector(m);
  const score = scoreOf(macro, m);
  return { version: '4.0', score, macroVector: macro };
}

function macroVector(m: (metric: string) => string): string {
  const av = m('AV');
  const pr = m('PR');
  const ui = m('UI');
  let eq1: number;
  if (av === 'N' && pr === 'N' && ui === 'N') eq1 = 0;
  else if ((av === 'N' || pr === 'N' || ui === 'N') && av !== 'P') eq1 = 1;
  else eq1 = 2;
  const eq2 = m('AC') === 'L' && m('AT') === 'N' ? 0 : 1;
  const vc = m('VC');
  const vi = m('VI');
  const va = m('VA');
  let eq3: number;
  if (vc === 'H' && vi === 'H') eq3 = 0;
  else if (vc === 'H' || vi === 'H' || va === 'H') eq3 = 1;
  else eq3 = 2;
  let eq4: number;
  if (m('MSI') === 'S' || m('MSA') === 'S') eq4 = 0;
  else if (m('SC') === 'H' || m('SI') === 'H' || m('SA') === 'H') eq4 = 1;
  else eq4 = 2;
  const e = m('E');
  const eq5 = e === 'A' ? 0 : e === 'P' ? 1 : 2;
  const eq6 = (m('CR') === 'H' && vc === 'H') || (m('IR') === 'H' && vi === 'H') || (m('AR') === 'H' && va === 'H') ? 0 : 1;
  return `${eq1}${eq2}${eq3}${eq4}${eq5}${eq6}`;
}

function metricOf(vector: string, metric: string): string {
  for (const part of vector.split('/')) {
    const [key, value] = part.split(':');
    if (key === metric) return value!;
  }
  return '';
}

function scoreOf(macro: string, m: (metric: string) => string): number {
  const [eq1, eq2, eq3, eq4, eq5, eq6] = macro.split('').map(Number) as [number, number, number, number, number, number];
  const value = MACROVECTOR_SCORES[macro]!;
  const at = (...digits: number[]): number | undefined => MACROVECTOR_SCORES[digits.join('')];

  // The next lower MacroVector of each class; EQ3 and EQ6 move together.
  const lowerEq1 = at(eq1 + 1, eq2, eq3, eq4, eq5, eq6);
  const lowerEq2 = at(eq1, eq2 + 1, eq3, eq4, eq5, eq6);
  let lowerEq3Eq6: number | undefined;
  if (eq3 === 0 && eq6 === 0) {
    const left = at(eq1, eq2, eq3, eq4, eq5, eq6 + 1);
    const right = at(eq1, eq2, eq3 + 1, eq4, eq5, eq6);
    lowerEq3Eq6 = left === undefined || right === undefined ? Number.NaN : Math.max(left, right);
  } else if (eq3 === 1 && eq6 === 0) lowerEq3Eq6 = at(eq1, eq2, eq3, eq4, eq5, eq6 + 1);
  else if (eq6 === 1 && eq3 <= 1) lowerEq3Eq6 = at(eq1, eq2, eq3 + 1, eq4, eq5, eq6);
  else lowerEq3Eq6 = at(eq1, eq2, eq3 + 1, eq4, eq5, eq6 + 1);
  const lowerEq4 = at(eq1, eq2, eq3, eq4 + 1, eq5, eq6);
  const lowerEq5 = at(eq1, eq2, eq3, eq4, eq5 + 1, eq6);

  // The first highest-severity vector that the scored vector does not exceed in any metric.
  const eq1Max = MAX_VECTORS.eq1[eq1 as 0 | 1 | 2];
  const eq2Max = MAX_VECTORS.eq2[eq2 as 0 | 1];
  const eq3Max = MAX_VECTORS.eq3eq6[`${eq3}${eq6}` as keyof typeof MAX_VECTORS.eq3eq6];
  const eq4Max = MAX_VECTORS.eq4[eq4 as 0 | 1 | 2];
  const eq5Max = MAX_VECTORS.eq5[eq5 as 0 | 1 | 2];
  let distances: Record<string, number> = {};
  search: for (const a of eq1Max) {
    for (const b of eq2Max) {
      for (const c of eq3Max) {
        for (const d of eq4Max) {
          for (const e of eq5Max) {
            const max = `${a}/${b}/${c}/${d}/${e}`;
            distances = {};
            for (const metric of Object.keys(LEVELS)) {
              distances[metric] = LEVELS[metric]![m(metric)]! - LEVELS[metric]![metricOf(max, metric)]!;
            }
            if (Object.values(distances).every((distance) => distance >= 0)) break search;
          }
        }
      }
    }
  }
  const d = (metric: string): number => distances[metric] ?? 0;
  const distanceEq1 = d('AV') + d('PR') + d('UI');
  const distanceEq2 = d('AC') + d('AT');
  const distanceEq3Eq6 = d('VC') + d('VI') + d('VA') + d('CR') + d('IR') + d('AR');
  const distanceEq4 = d('SC') + d('SI') + d('SA');

  const step = 0.1;
  const depthEq1 = MAX_SEVERITY.eq1[eq1]! * step;
  const depthEq2 = MAX_SEVERITY.eq2[eq2]! * step;
  const depthEq3Eq6 = MAX_SEVERITY.eq3eq6[`${eq3}${eq6}`]! * step;
  const depthEq4 = MAX_SEVERITY.eq4[eq4]! * step;

  let existing = 0;
  let total = 0;
  const add = (lower: number | undefined, distance: number, depth: number): void => {
    const available = value - (lower ?? Number.NaN);
    if (Number.isNaN(available)) return;
    existing++;
    total += available * (distance / depth);
  };
  add(lowerEq1, distanceEq1, depthEq1);
  add(lowerEq2, distanceEq2, depthEq2);
  add(lowerEq3Eq6, distanceEq3Eq6, depthEq3Eq6);
  add(lowerEq4, distanceEq4, depthEq4);
  // EQ5 counts towards the mean with a proportion of zero.
  if (!Number.isNaN(value - (lowerEq5 ?? Number.NaN))) existing++;
  const mean = existing === 0 ? 0 : total / existing;
  return round1(Math.max(0, Math.min(10, value - mean)));
}
