// `.bulwark.yaml` settings of configurable checks: `checks:` and `controls.enable`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_CHECK_OPTIONS } from '../checks/check.ts';
import { ConfigError } from './errors.ts';
import { parseConfig } from './parse.ts';

const known = new Set(['pss-privileged', 'liveness-probe-missing', 'image-not-pinned']);

function problems(text: string): string[] {
  try {
    parseConfig(text, '.bulwark.yaml', known, '/repo');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems.map((p) => `${p.location.line}:${p.location.column} ${p.message}`);
  }
  assert.fail('expected the configuration to be refused');
}

describe('configuration of checks', () => {
  it('defaults to options that configure nothing', () => {
    assert.deepEqual(parseConfig('version: 1\n', '.bulwark.yaml', known, '/repo').checks, DEFAULT_CHECK_OPTIONS);
  });

  it('reads registries, floating tags, resource bounds and enabled controls', () => {
    const config = parseConfig(
      [
        'version: 1',
        'controls:',
        '  enable: [liveness-probe-missing, image-not-pinned]',
        'checks:',
        '  images:',
        '    allowedRegistries: [registry.example.com, "*.corp.example", docker.io/bitnami]',
        '    privateRegistries: [registry.example.com:5000]',
        '    floatingTags: [stable, main]',
        '  resources:',
        '    cpu: {limitMax: 2, requestMin: 10m}',
        '    memory: {limitMax: 4Gi}',
        '',
      ].join('\n'),
      '.bulwark.yaml',
      known,
      '/repo',
    );
    assert.deepEqual(config.checks, {
      images: {
        allowedRegistries: ['registry.example.com', '*.corp.example', 'docker.io/bitnami'],
        privateRegistries: ['registry.example.com:5000'],
        floatingTags: ['stable', 'main'],
      },
      resources: { cpu: { limitMax: '2', requestMin: '10m' }, memory: { limitMax: '4Gi' } },
      enabled: ['liveness-probe-missing', 'image-not-pinned'],
    });
  });

  it('refuses mistakes with the line and what to write', () => {
    assert.deepEqual(
      problems(
        [
          'version: 1',
          'controls:',
          '  enable: [liveness-probe-mising]',
          'checks:',
          '  images:',
          '    allowedRegistries: [bitnami, "https://registry.example.com"]',
          '    floatingTags: [".bad"]',
          '  resources:',
          '    memory: {limitMax: 1GB, requestMin: 2Gi, requestMax: 1Gi}',
          '    disk: {limitMax: 1Gi}',
          '',
        ].join('\n'),
      ),
      [
        '3:12 controls.enable[0]: unknown control "liveness-probe-mising"; did you mean "liveness-probe-missing"?',
        '6:25 checks.images.allowedRegistries[0]: registry "bitnami" is not a registry host (no "." or port); for a Docker Hub namespace write "docker.io/bitnami"',
        '6:34 checks.images.allowedRegistries[1]: registry "https://registry.example.com" is a URL; write the registry host without a scheme, e.g. registry.example.com',
        '7:20 checks.images.floatingTags[0]: expected an image tag (letters, digits, "_", "." and "-"); got ".bad"',
        '9:14 checks.resources.memory.limitMax: "1GB" is not a quantity (expected e.g. "500m", "1.5Gi", "2e3")',
        '10:5 checks.resources.disk: unknown key; expected one of: cpu, memory',
      ],
    );
    assert.deepEqual(problems('version: 1\nchecks:\n  resources:\n    cpu: {requestMin: "2", requestMax: 500m}\n'), [
      '4:5 checks.resources.cpu: requestMin 2 is above requestMax 500m',
    ]);
  });
});
