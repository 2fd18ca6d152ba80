import type { Frameworks } from '../core/index.ts';

/** The frameworks a control can answer to, in the documented key order, with the names reports print. */
export const FRAMEWORKS: readonly { key: keyof Frameworks; label: string; name: string }[] = [
  { key: 'pss', label: 'PSS', name: 'Kubernetes Pod Security Standards (level)' },
  { key: 'cis', label: 'CIS', name: 'CIS Kubernetes Benchmark' },
  { key: 'nsa', label: 'NSA', name: 'NSA/CISA Kubernetes Hardening Guide' },
  { key: 'mitre', label: 'MITRE ATT&CK', name: 'MITRE ATT&CK techniques' },
  { key: 'kubescape', label: 'Kubescape', name: 'Kubescape control ids' },
];

/** `PSS restricted`, `CIS 5.2.2, 5.2.3`, `MITRE ATT&CK T1611`: one label per framework that applies. */
export function frameworkLabels(frameworks: Frameworks): string[] {
  const labels: string[] = [];
  for (const { key, label } of FRAMEWORKS) {
    const value = frameworks[key];
    if (typeof value === 'string') labels.push(`${label} ${value}`);
    else if (value !== undefined && value.length > 0) labels.push(`${label} ${value.join(', ')}`);
  }
  return labels;
}
