// CVSS v2.0 base score (FIRST CVSS v2 guide §3.2.1).
import { cvssError, MAX_VECTOR_LENGTH, readMetrics } from './vector.ts';

const ND = ['ND'];
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  AV: ['L', 'A', 'N'],
  AC: ['H', 'M', 'L'],
  Au: ['M', 'S', 'N'],
  C: ['N', 'P', 'C'],
  I: ['N', 'P', 'C'],
  A: ['N', 'P', 'C'],
  E: [...ND, 'U', 'POC', 'F', 'H'],
  RL: [...ND, 'OF', 'TF', 'W', 'U'],
  RC: [...ND, 'UC', 'UR', 'C'],
  CDP: [...ND, 'N', 'L', 'LM', 'MH', 'H'],
  TD: [...ND, 'N', 'L', 'M', 'H'],
  CR: [...ND, 'L', 'M', 'H'],
  IR: [...ND, 'L', 'M', 'H'],
  AR: [...ND, 'L', 'M', 'H'],
};
const BASE = ['AV', 'AC', 'Au', 'C', 'I', 'A'];
const AV: Readonly<Record<string, number>> = { L: 0.395, A: 0.646, N: 1.0 };
const AC: Readonly<Record<string, number>> = { H: 0.35, M: 0.61, L: 0.71 };
const AU: Readonly<Record<string, number>> = { M: 0.45, S: 0.56, N: 0.704 };
const CIA: Readonly<Record<string, number>> = { N: 0, P: 0.275, C: 0.66 };

export function parseCvss2(vector: string): { version: '2.0'; baseScore: number } {
  if (vector.length > MAX_VECTOR_LENGTH) throw cvssError(vector, 'too long');
  let text = vector.trim();
  if (text.startsWith('(') && text.endsWith(')')) text = text.slice(1, -1);
  if (text.startsWith('CVSS:2.0/')) text = text.slice('CVSS:2.0/'.length);
  const metrics = readMetrics(vector, ALLOWED, BASE, text.split('/'));
  const m = (key: string): string => metrics.get(key)!;
  const impact = 10.41 * (1 - (1 - CIA[m('C')]!) * (1 - CIA[m('I')]!) * (1 - CIA[m('A')]!));
  const exploitability = 20 * AV[m('AV')]! * AC[m('AC')]! * AU[m('Au')]!;
  const f = impact === 0 ? 0 : 1.176;
  const raw = (0.6 * impact + 0.4 * exploitability - 1.5) * f;
  return { version: '2.0', baseScore: Math.round(raw * 10) / 10 };
}
