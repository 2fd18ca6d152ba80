import type { Finding } from '../core/index.ts';
import type { Config } from './config.ts';

/** Whether `controls.disable` turns the control off for this run. */
export function isControlDisabled(config: Config, controlId: string): boolean {
  return config.controls.disable.has(controlId);
}

/** The finding with the severity `controls.severity` gives its control, or the finding itself. */
export function applySeverityOverrides(finding: Finding, config: Config): Finding {
  const severity = config.controls.severity.get(finding.control);
  return severity === undefined || severity === finding.severity ? finding : { ...finding, severity };
}
