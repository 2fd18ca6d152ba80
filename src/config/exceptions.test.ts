import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { objectRef, type Finding, type KubeObject } from '../core/index.ts';
import type { Config } from './config.ts';
import { createSuppressor, isExpired } from './exceptions.ts';
import { expiredExceptionControl } from './expired-control.ts';
import { objectFrom } from './fixtures/objects.ts';
import { applySeverityOverrides, isControlDisabled } from './overrides.ts';
import { parseConfig } from './parse.ts';

const known = new Set(['pss-privileged', 'pss-host-namespaces', 'pss-host-ports', 'exception-expired']);
const NOW = new Date('2026-06-15T12:00:00Z');

function config(exceptions: string, extra = ''): Config {
  return parseConfig(`version: 1\n${extra}exceptions:\n${exceptions}`, '.bulwark.yaml', known, '/repo');
}

function workload(kind: string, name: string, namespace?: string, annotations?: string): KubeObject {
  const lines = ['apiVersion: apps/v1', `kind: ${kind}`, 'metadata:', `  name: ${name}`];
  if (namespace !== undefined) lines.push(`  namespace: ${namespace}`);
  if (annotations !== undefined) lines.push('  annotations:', `    bulwark.dev/ignore: "${annotations}"`);
  lines.push('spec: {}');
  return objectFrom(lines.join('\n'), 'deploy.yaml');
}

function finding(object: KubeObject, control: string): Finding {
  return {
    control,
    title: control,
    severity: 'high',
    area: 'compute',
    frameworks: {},
    object: objectRef(object),
    location: { file: object.source.file, line: 1, column: 1, path: 'spec' },
    message: `${control} violated`,
    remediation: 'fix it',
  };
}

/** Whether the suppressor built from `cfg` hides `control` on `object`. */
function hidden(cfg: Config, object: KubeObject, control = 'pss-privileged', now = NOW): boolean {
  return createSuppressor(cfg, now, { knownControls: known }).suppress(object, finding(object, control)) !== null;
}

describe('config exceptions: matching', () => {
  it('matches the listed controls only, or every control with *', () => {
    const cfg = config('  - controls: [pss-privileged, pss-host-namespaces]\n    reason: r\n');
    const object = workload('DaemonSet', 'agent', 'kube-system');
    assert.equal(hidden(cfg, object, 'pss-privileged'), true);
    assert.equal(hidden(cfg, object, 'pss-host-namespaces'), true);
    assert.equal(hidden(cfg, object, 'pss-host-ports'), false);
    const all = config('  - controls: ["*"]\n    reason: r\n');
    assert.equal(hidden(all, object, 'pss-host-ports'), true);
  });

  it('matches namespaces by glob, and an object without a namespace only when the scope allows any', () => {
    const cfg = config('  - controls: ["*"]\n    namespaces: [kube-system, "monitoring-*"]\n    reason: r\n');
    assert.equal(hidden(cfg, workload('Deployment', 'a', 'kube-system')), true);
    assert.equal(hidden(cfg, workload('Deployment', 'a', 'monitoring-prod')), true);
    assert.equal(hidden(cfg, workload('Deployment', 'a', 'monitoring')), false);
    assert.equal(hidden(cfg, workload('Deployment', 'a', 'default')), false);
    assert.equal(hidden(cfg, workload('Deployment', 'a')), false);
    const star = config('  - controls: ["*"]\n    namespaces: ["*"]\n    reason: r\n');
    assert.equal(hidden(star, workload('Deployment', 'a')), true);
    const omitted = config('  - controls: ["*"]\n    reason: r\n');
    assert.equal(hidden(omitted, workload('Deployment', 'a')), true);
  });

  it('matches kinds exactly, without regard to case', () => {
    const cfg = config('  - controls: ["*"]\n    kinds: [daemonset, Job]\n    reason: r\n');
    assert.equal(hidden(cfg, workload('DaemonSet', 'a')), true);
    assert.equal(hidden(cfg, workload('Job', 'a')), true);
    assert.equal(hidden(cfg, workload('Deployment', 'a')), false);
    assert.equal(hidden(cfg, workload('CronJob', 'a')), false);
  });

  it('matches names by glob', () => {
    const cfg = config('  - controls: ["*"]\n    names: ["node-exporter*", "web-?"]\n    reason: r\n');
    assert.equal(hidden(cfg, workload('DaemonSet', 'node-exporter')), true);
    assert.equal(hidden(cfg, workload('DaemonSet', 'node-exporter-v2')), true);
    assert.equal(hidden(cfg, workload('Deployment', 'web-1')), true);
    assert.equal(hidden(cfg, workload('Deployment', 'web-12')), false);
    assert.equal(hidden(cfg, workload('DaemonSet', 'prometheus-node-exporter')), false);
  });

  it('requires every dimension to match', () => {
    const cfg = config(
      '  - controls: [pss-privileged]\n    namespaces: [kube-system]\n    kinds: [DaemonSet]\n    names: ["agent*"]\n    reason: r\n',
    );
    assert.equal(hidden(cfg, workload('DaemonSet', 'agent-1', 'kube-system')), true);
    assert.equal(hidden(cfg, workload('DaemonSet', 'agent-1', 'kube-system'), 'pss-host-ports'), false);
    assert.equal(hidden(cfg, workload('DaemonSet', 'agent-1', 'default')), false);
    assert.equal(hidden(cfg, workload('Deployment', 'agent-1', 'kube-system')), false);
    assert.equal(hidden(cfg, workload('DaemonSet', 'other', 'kube-system')), false);
  });

  it('returns the exception that matched, with its reason and place in the file', () => {
    const cfg = config('  - controls: [pss-host-ports]\n    reason: not this one\n  - controls: ["*"]\n    reason: sandbox\n    expires: 2026-12-31\n');
    const object = workload('Pod', 'p');
    const suppression = createSuppressor(cfg, NOW).suppress(object, finding(object, 'pss-privileged'));
    assert.deepEqual(suppression, {
      origin: 'config',
      reason: 'sandbox',
      location: { file: '.bulwark.yaml', line: 5, column: 5 },
      expires: '2026-12-31',
    });
  });
});

describe('config exceptions: expiry', () => {
  // The rule: an exception with `expires: D` applies through the whole of day D in UTC, and stops
  // applying at 00:00:00.000 UTC on the day after.
  const cfg = config('  - controls: ["*"]\n    reason: accepted until the migration (OPS-7)\n    expires: 2026-03-31\n');
  const object = workload('Deployment', 'web');

  it('states the boundary: valid through the last millisecond of the day in UTC', () => {
    assert.equal(isExpired('2026-03-31', new Date('2026-03-31T00:00:00.000Z')), false);
    assert.equal(isExpired('2026-03-31', new Date('2026-03-31T23:59:59.999Z')), false);
    assert.equal(isExpired('2026-03-31', new Date('2026-04-01T00:00:00.000Z')), true);
    // The same instant, written in another zone, decides the same way.
    assert.equal(isExpired('2026-03-31', new Date('2026-03-31T20:00:00-05:00')), true);
  });

  it('hides findings until the expiry and shows them again after it', () => {
    assert.equal(hidden(cfg, object, 'pss-privileged', new Date('2026-03-31T23:59:59.999Z')), true);
    assert.equal(hidden(cfg, object, 'pss-privileged', new Date('2026-04-01T00:00:00.000Z')), false);
  });

  it('reports each expired exception as a finding at its line in the configuration file', () => {
    const suppressor = createSuppressor(cfg, new Date('2026-04-01T00:00:00Z'));
    assert.deepEqual(suppressor.expired(), [
      {
        control: 'exception-expired',
        title: expiredExceptionControl.title,
        severity: 'low',
        area: 'develop',
        frameworks: {},
        object: { apiVersion: 'bulwark.dev/v1', kind: 'Config', namespace: null, name: '.bulwark.yaml' },
        location: { file: '.bulwark.yaml', line: 3, column: 5, path: 'exceptions[0]' },
        message:
          'exception for all controls ("accepted until the migration (OPS-7)") expired on 2026-03-31 and no longer applies: ' +
          'the findings it covered are reported again',
        remediation: expiredExceptionControl.remediation,
      },
    ]);
    assert.deepEqual(createSuppressor(cfg, new Date('2026-03-31T12:00:00Z')).expired(), []);
  });

  it('names the controls of an expired exception, and honours overrides of its own control', () => {
    const listed = config(
      '  - controls: [pss-privileged, pss-host-ports]\n    reason: r\n    expires: 2020-01-01\n',
      'controls:\n  severity: { exception-expired: high }\n',
    );
    const [expired] = createSuppressor(listed, NOW).expired();
    assert.match(expired?.message ?? '', /^exception for pss-privileged, pss-host-ports \("r"\) expired on 2020-01-01/);
    assert.equal(expired?.severity, 'high');
    const disabled = config('  - controls: ["*"]\n    reason: r\n    expires: 2020-01-01\n', 'controls:\n  disable: [exception-expired]\n');
    assert.deepEqual(createSuppressor(disabled, NOW).expired(), []);
    // Disabling the report does not revive the exception.
    assert.equal(hidden(disabled, workload('Pod', 'p')), false);
  });
});

describe('annotation exceptions', () => {
  it('hide the named controls on the annotated object only', () => {
    const cfg = config(' []\n');
    const annotated = workload('Deployment', 'web', 'default', 'pss-privileged — reviewed (SEC-9)');
    const suppressor = createSuppressor(cfg, NOW, { knownControls: known });
    assert.deepEqual(suppressor.suppress(annotated, finding(annotated, 'pss-privileged')), {
      origin: 'annotation',
      reason: 'reviewed (SEC-9)',
      location: { file: 'deploy.yaml', line: 7, column: 5 },
      expires: null,
    });
    assert.equal(suppressor.suppress(annotated, finding(annotated, 'pss-host-ports')), null);
    const plain = workload('Deployment', 'api', 'default');
    assert.equal(suppressor.suppress(plain, finding(plain, 'pss-privileged')), null);
  });

  it('on the pod template hide findings about the whole object', () => {
    const object = objectFrom(
      [
        'apiVersion: apps/v1',
        'kind: StatefulSet',
        'metadata: { name: db }',
        'spec:',
        '  template:',
        '    metadata:',
        '      annotations: { bulwark.dev/ignore: "* -- vendor chart, tracked in OPS-12" }',
      ].join('\n'),
    );
    const suppression = createSuppressor(config(' []\n'), NOW).suppress(object, finding(object, 'pss-host-ports'));
    assert.equal(suppression?.origin, 'annotation');
    assert.equal(suppression?.reason, 'vendor chart, tracked in OPS-12');
  });

  it('are consulted before the configuration file, whose exception then counts as unused', () => {
    const suppressor = createSuppressor(config('  - controls: ["*"]\n    reason: file\n'), NOW, { knownControls: known });
    const object = workload('Pod', 'p', 'default', 'pss-privileged — annotation');
    assert.equal(suppressor.suppress(object, finding(object, 'pss-privileged'))?.origin, 'annotation');
    assert.deepEqual(suppressor.unused().map((u) => u.reason), ['file']);
    assert.equal(suppressor.suppress(object, finding(object, 'pss-host-ports'))?.origin, 'config');
    assert.deepEqual(suppressor.unused(), []);
  });

  it('report their problems once per object, sorted, for objects seen or inspected', () => {
    const suppressor = createSuppressor(config(' []\n'), NOW, { knownControls: known });
    const a = workload('Deployment', 'a', 'default', 'pss-privileged');
    const b = workload('Deployment', 'b', 'default', 'pss-privilegd — typo');
    suppressor.suppress(a, finding(a, 'pss-privileged'));
    suppressor.suppress(a, finding(a, 'pss-host-ports'));
    suppressor.inspect(b);
    suppressor.inspect(b);
    assert.deepEqual(
      suppressor.diagnostics().map((d) => `${d.level}: ${d.message}`),
      [
        'note: annotation bulwark.dev/ignore on Deployment a gives no reason; it is honoured, but write one after " — " so reviewers know why',
        'warning: annotation bulwark.dev/ignore on Deployment b names unknown control "pss-privilegd"; did you mean "pss-privileged"?',
        'warning: annotation bulwark.dev/ignore on Deployment b names no known control; it exempts nothing',
      ],
    );
  });
});

describe('unused exceptions', () => {
  it('lists the exceptions in force that hid nothing, not the expired ones', () => {
    const cfg = config(
      [
        '  - controls: [pss-privileged]',
        '    reason: used',
        '  - controls: [pss-host-ports]',
        '    reason: never matched',
        '  - controls: ["*"]',
        '    reason: expired',
        '    expires: 2020-01-01',
        '',
      ].join('\n'),
    );
    const suppressor = createSuppressor(cfg, NOW);
    const object = workload('Pod', 'p');
    suppressor.suppress(object, finding(object, 'pss-privileged'));
    assert.deepEqual(suppressor.unused(), [
      { index: 1, location: { file: '.bulwark.yaml', line: 5, column: 5 }, reason: 'never matched' },
    ]);
    assert.deepEqual(suppressor.diagnostics(), []);
    assert.deepEqual(suppressor.diagnostics({ includeUnused: true }), [
      {
        level: 'note',
        location: { file: '.bulwark.yaml', line: 5, column: 5 },
        message: 'exceptions[1] ("never matched") hid no finding in this scan; remove it if it is no longer needed',
      },
    ]);
  });

  it('counts a use only for the first exception that matches', () => {
    const cfg = config('  - controls: ["*"]\n    reason: first\n  - controls: [pss-privileged]\n    reason: second\n');
    const suppressor = createSuppressor(cfg, NOW);
    const object = workload('Pod', 'p');
    assert.equal(suppressor.suppress(object, finding(object, 'pss-privileged'))?.reason, 'first');
    assert.deepEqual(suppressor.unused().map((u) => u.reason), ['second']);
  });
});

describe('controls: disable and severity', () => {
  const cfg = parseConfig(
    'version: 1\ncontrols:\n  disable: [pss-host-ports]\n  severity: { pss-privileged: low }\n',
    '.bulwark.yaml',
    known,
    '/repo',
  );
  const object = workload('Pod', 'p');

  it('overrides the severity of the named controls only', () => {
    assert.equal(applySeverityOverrides(finding(object, 'pss-privileged'), cfg).severity, 'low');
    const untouched = finding(object, 'pss-host-namespaces');
    assert.equal(applySeverityOverrides(untouched, cfg), untouched);
  });

  it('disables the named controls only', () => {
    assert.equal(isControlDisabled(cfg, 'pss-host-ports'), true);
    assert.equal(isControlDisabled(cfg, 'pss-privileged'), false);
  });
});
