import type { Control } from '../core/index.ts';

export const EXCEPTION_EXPIRED = 'exception-expired';

/**
 * Reported once per configuration exception whose `expires` date has passed. Not evaluated per
 * object: the scan raises it from the configuration itself, at the exception's line.
 */
export const expiredExceptionControl: Control = {
  id: EXCEPTION_EXPIRED,
  title: 'Configuration exception has expired',
  area: 'develop',
  severity: 'low',
  frameworks: {},
  description:
    'An exception in `.bulwark.yaml` carries an `expires` date that has passed, so it no longer hides ' +
    'findings: the risk it accepted is reported again. Expiry dates make accepted risks come back for review ' +
    'instead of lasting forever.',
  remediation:
    'Fix the findings the exception covered and delete it, or, if the risk is still accepted, review the ' +
    'reason and move `expires` to a new date.',
};
