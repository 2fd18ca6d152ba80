import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BulwarkError } from '../core/index.ts';
import { ConfigError } from './errors.ts';
import { MAX_CONFIG_BYTES, parseConfig } from './parse.ts';
import { toIsoDate } from './schema.ts';

const known = new Set([
  'pss-privileged',
  'pss-host-namespaces',
  'pss-host-ports',
  'pss-seccomp-profile-restricted',
  'exception-expired',
]);

/** The problems of a text that must not parse, as `line:column message` lines. */
function problems(text: string): string[] {
  try {
    parseConfig(text, '.bulwark.yaml', known, '/repo');
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    assert.equal(error.code, 'E_CONFIG');
    return error.problems.map((p) => `${p.location.line}:${p.location.column} ${p.message}`);
  }
  assert.fail('expected the configuration to be refused');
}

describe('parseConfig: a valid file', () => {
  it('reads every setting and fills nothing the file sets', () => {
    const config = parseConfig(
      [
        'version: 1',
        'pss: { level: baseline, version: v1.30 }',
        'failOn: high',
        'exclude: ["charts/**/tests/**", "**/*.generated.yaml"]',
        'controls:',
        '  disable: [pss-host-ports]',
        '  severity: { pss-seccomp-profile-restricted: low }',
        'exceptions:',
        '  - controls: [pss-privileged, pss-host-namespaces]',
        '    namespaces: ["kube-system", "monitoring-*"]',
        '    kinds: [DaemonSet]',
        '    names: ["node-exporter*"]',
        '    reason: "node-level agent needs the host network (SEC-1234)"',
        '    expires: 2027-03-31',
        '  - controls: ["*"]',
        '    reason: "  sandbox namespace  "',
        '',
      ].join('\n'),
      'deploy/.bulwark.yaml',
      known,
      '/repo/deploy',
    );
    assert.equal(config.file, 'deploy/.bulwark.yaml');
    assert.equal(config.baseDir, '/repo/deploy');
    assert.deepEqual(config.pss, { level: 'baseline', version: 'v1.30' });
    assert.equal(config.failOn, 'high');
    assert.deepEqual(config.exclude, ['charts/**/tests/**', '**/*.generated.yaml']);
    assert.deepEqual([...config.controls.disable], ['pss-host-ports']);
    assert.deepEqual([...config.controls.severity], [['pss-seccomp-profile-restricted', 'low']]);
    assert.equal(config.exceptions.length, 2);
    const [first, second] = config.exceptions;
    assert.deepEqual(first, {
      index: 0,
      controls: new Set(['pss-privileged', 'pss-host-namespaces']),
      namespaces: ['kube-system', 'monitoring-*'],
      kinds: ['DaemonSet'],
      names: ['node-exporter*'],
      reason: 'node-level agent needs the host network (SEC-1234)',
      expires: '2027-03-31',
      location: { file: 'deploy/.bulwark.yaml', line: 9, column: 5 },
    });
    assert.equal(second?.controls, '*');
    assert.equal(second?.namespaces, null);
    assert.equal(second?.reason, 'sandbox namespace');
    assert.equal(second?.expires, null);
  });

  it('fills the defaults when the file sets only the version', () => {
    const config = parseConfig('version: 1\n', '.bulwark.yaml', known, '/repo');
    assert.deepEqual(config.pss, { level: 'restricted', version: 'latest' });
    assert.equal(config.failOn, undefined);
    assert.deepEqual(config.exclude, []);
    assert.equal(config.controls.disable.size, 0);
    assert.equal(config.exceptions.length, 0);
  });

  it('takes an empty or comment-only file as all defaults', () => {
    for (const text of ['', '# nothing configured yet\n', '---\n']) {
      const config = parseConfig(text, '.bulwark.yaml', known, '/repo');
      assert.equal(config.file, '.bulwark.yaml');
      assert.equal(config.exceptions.length, 0);
    }
  });

  it('accepts a quoted date as well as an unquoted one', () => {
    const config = parseConfig(
      'version: 1\nexceptions:\n  - controls: ["*"]\n    reason: r\n    expires: "2026-02-28"\n',
      '.bulwark.yaml',
      known,
      '/repo',
    );
    assert.equal(config.exceptions[0]?.expires, '2026-02-28');
  });
});

describe('parseConfig: validation errors', () => {
  it('lists every problem at once, each at the line and column of its field', () => {
    const text = [
      'version: 1', // 1
      'pss: { level: restrictd, version: v1.99 }', // 2
      'failOn: hgh', // 3
      'exclude: [ok/**, /abs/**, ../up]', // 4
      'controls:', // 5
      '  disable: [pss-host-port]', // 6
      '  severity: { pss-privilged: high, pss-host-ports: mid }', // 7
      'exceptions:', // 8
      '  - controls: []', // 9
      '    namespace: [a]', // 10
      '    kinds: [deploy-ment]', // 11
      '    expires: 2027-02-30', // 12
      '  - controls: ["*"]', // 13
      '    reason: ok', // 14
      '    expires: "2027-01-01T10:00"', // 15
      'Exceptions: []', // 16
      'colour: red', // 17
      '',
    ].join('\n');
    assert.deepEqual(problems(text), [
      '2:8 pss.level: expected baseline or restricted; got "restrictd" (did you mean "restricted"?)',
      '2:26 pss.version: expected a Kubernetes version from v1.0 to v1.37, or "latest"; got "v1.99"',
      '3:1 failOn: expected a severity: info, low, medium, high, critical; got "hgh" (did you mean "high"?)',
      '4:18 exclude[1]: path glob "/abs/**" is absolute; write it relative to the directory of the configuration file',
      '4:27 exclude[2]: path glob "../up" leaves the directory of the configuration file; only files below it can be excluded',
      '6:13 controls.disable[0]: unknown control "pss-host-port"; did you mean "pss-host-ports"?',
      '7:15 controls.severity.pss-privilged: unknown control "pss-privilged"; did you mean "pss-privileged"?',
      '7:36 controls.severity.pss-host-ports: expected a severity: info, low, medium, high, critical; got "mid"',
      '9:5 exceptions[0].controls: an empty list exempts nothing; name the controls, or write ["*"] for all',
      '9:5 exceptions[0].reason: missing; expected a reason: why this exception is acceptable (a ticket, an owner)',
      '10:5 exceptions[0].namespace: unknown key; did you mean "namespaces"?',
      '11:13 exceptions[0].kinds[0]: expected a kind such as Deployment; got "deploy-ment"',
      '12:5 exceptions[0].expires: expected a date written YYYY-MM-DD (e.g. 2027-03-31); got "2027-02-30"',
      '15:5 exceptions[1].expires: expected a date written YYYY-MM-DD (e.g. 2027-03-31); got "2027-01-01T10:00"',
      '16:1 Exceptions: unknown key; did you mean "exceptions"?',
      '17:1 colour: unknown key; expected one of: version, pss, failOn, exclude, controls, checks, exceptions, cluster',
    ]);
  });

  it('prints one clickable line per problem, the first at the error location', () => {
    try {
      parseConfig('version: 1\nfailOn: hgh\ncolour: red\n', 'ci/.bulwark.yaml', known, '/repo');
      assert.fail('expected an error');
    } catch (error) {
      assert.ok(error instanceof BulwarkError);
      assert.deepEqual(error.location, { file: 'ci/.bulwark.yaml', line: 2, column: 1 });
      assert.equal(
        error.toString(),
        'ci/.bulwark.yaml:2:1: failOn: expected a severity: info, low, medium, high, critical; got "hgh" (did you mean "high"?)\n' +
          'ci/.bulwark.yaml:3:1: colour: unknown key; expected one of: version, pss, failOn, exclude, controls, checks, exceptions, cluster',
      );
    }
  });

  it('requires the format version, and only version 1', () => {
    assert.deepEqual(problems('failOn: high\n'), ['1:1 version: missing; write "version: 1" first in the file']);
    assert.deepEqual(problems('version: 2\n'), [
      '1:1 version: expected 1 (the configuration format this Bulwark reads); got 2',
    ]);
    assert.deepEqual(problems('version: "1"\n'), [
      '1:1 version: expected 1 (the configuration format this Bulwark reads); got "1"',
    ]);
  });

  it('says how to write a PSS version that YAML read as a number', () => {
    assert.deepEqual(problems('version: 1\npss:\n  version: 1.30\n'), [
      '3:3 pss.version: expected a Kubernetes version such as "v1.30", or "latest"; got 1.3 (quote it and prefix a v: "v1.30")',
    ]);
  });

  it('refuses a scalar where a list is expected, and shows how to write the list', () => {
    assert.deepEqual(problems('version: 1\nexclude: vendor\n'), [
      '2:1 exclude: expected a list of path globs; got "vendor" (write [vendor])',
    ]);
  });

  it('refuses empty scopes, which would silently match nothing', () => {
    assert.deepEqual(problems('version: 1\nexceptions:\n  - controls: ["*"]\n    namespaces: []\n    reason: r\n'), [
      '4:5 exceptions[0].namespaces: an empty list matches nothing; leave out "namespaces" to match every namespace',
    ]);
  });

  it('refuses an unknown control in an exception, and "*" where it has no meaning', () => {
    assert.deepEqual(problems('version: 1\ncontrols:\n  disable: [zzzzzz, pss-privileged]\n'), [
      '3:13 controls.disable[0]: unknown control "zzzzzz"; `bulwark controls` lists them',
    ]);
    const [star] = problems('version: 1\ncontrols:\n  disable: ["*"]\n');
    assert.match(star ?? '', /^3:\d+ controls\.disable\[0\]: unknown control "\*"; `bulwark controls` lists them$/);
    assert.deepEqual(problems('version: 1\nexceptions:\n  - controls: [zzzzzz]\n    reason: r\n'), [
      '3:16 exceptions[0].controls[0]: unknown control "zzzzzz"; `bulwark controls` lists them (or "*" for all)',
    ]);
  });

  it('refuses a blank reason and a non-mapping exception', () => {
    assert.deepEqual(problems('version: 1\nexceptions:\n  - controls: ["*"]\n    reason: "  "\n  - pss-privileged\n'), [
      '4:5 exceptions[0].reason: expected a reason: why this exception is acceptable (a ticket, an owner); got an empty string',
      '5:5 exceptions[1]: expected a mapping with controls, reason and optionally namespaces, kinds, names, expires; got "pss-privileged"',
    ]);
  });

  it('refuses a top level that is not a mapping', () => {
    assert.deepEqual(problems('- version: 1\n'), ['1:1 the top level: expected a mapping of settings; got a list']);
  });

  it('reports YAML syntax errors with their position', () => {
    const [problem] = problems('version: 1\nexclude: [a\n');
    assert.match(problem ?? '', /^3:1 invalid YAML: /);
  });

  it('refuses a second YAML document', () => {
    assert.deepEqual(problems('version: 1\n---\nversion: 1\n'), [
      '3:1 a configuration file holds one YAML document; remove the "---" and what follows, or merge it into the first',
    ]);
  });

  it('refuses a file above the size bound', () => {
    const text = `version: 1\n# ${'x'.repeat(MAX_CONFIG_BYTES)}\n`;
    assert.throws(() => parseConfig(text, '.bulwark.yaml', known, '/repo'), (error: unknown) => {
      return error instanceof ConfigError && /refused at that size/.test(error.message);
    });
  });

  it('refuses alias expansion beyond the bound instead of walking it', () => {
    const lines = ['version: 1', 'a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let level = 1; level <= 6; level++) {
      lines.push(`${String.fromCharCode(97 + level)}: &${String.fromCharCode(97 + level)} [${Array(10).fill(`*${String.fromCharCode(96 + level)}`).join(', ')}]`);
    }
    lines.push('exclude: *g');
    const started = performance.now();
    const [problem] = problems(lines.join('\n'));
    // Either the YAML reader's alias-ratio bound or the configuration's own value bound stops it.
    assert.match(problem ?? '', /expands to more than 100000 values|excessive aliasing/);
    assert.ok(performance.now() - started < 2000);
  });

  it('stops listing after 50 problems and says how many more there are', () => {
    const text = `version: 1\ncontrols:\n  disable: [${Array.from({ length: 60 }, (_, i) => `bad-${i}`).join(', ')}]\n`;
    try {
      parseConfig(text, '.bulwark.yaml', known, '/repo');
      assert.fail('expected an error');
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.problems.length, 60);
      assert.equal(error.message.split('\n').length, 51);
      assert.match(error.message, /\.\.\. and 10 more problems$/);
    }
  });
});

describe('toIsoDate', () => {
  it('accepts a calendar date as text, or as the midnight-UTC timestamp YAML 1.1 may make of it', () => {
    assert.equal(toIsoDate('2028-02-29'), '2028-02-29');
    assert.equal(toIsoDate(new Date(Date.UTC(2027, 2, 31))), '2027-03-31');
  });

  it('refuses impossible dates, other layouts and times of day', () => {
    for (const value of ['2027-02-29', '2027-13-01', '2027-3-31', '31.03.2027', '2027-03-31T00:00:00Z', 20270331, null]) {
      assert.equal(toIsoDate(value), undefined, String(value));
    }
    assert.equal(toIsoDate(new Date('2027-03-31T10:00:00Z')), undefined);
    assert.equal(toIsoDate(new Date(Number.NaN)), undefined);
  });
});

describe('parseConfig: robustness', () => {
  const isConfigError = (error: unknown) => error instanceof BulwarkError && error.code === 'E_CONFIG';

  it('never throws anything but E_CONFIG on random text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        try {
          parseConfig(text, '.bulwark.yaml', known, '/repo');
        } catch (error) {
          if (!isConfigError(error)) throw error;
        }
      }),
      { numRuns: 500 },
    );
  });

  it('never throws anything but E_CONFIG on random values shaped like a configuration', () => {
    const keys = ['version', 'pss', 'level', 'failOn', 'exclude', 'controls', 'disable', 'severity', 'exceptions',
      'namespaces', 'kinds', 'names', 'reason', 'expires', 'pss-privileged', '*', 'low', 'x'];
    const scalar = fc.oneof(
      fc.constantFrom(...keys, 1, 2, 0, -1, 1.3, true, null, '2027-03-31', '2027-02-30', 'v1.30', 'latest', '', '../x', '/x'),
      fc.string({ maxLength: 12 }),
    );
    const { value } = fc.letrec<{ value: unknown }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        scalar,
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 8 })), tie('value'), { maxKeys: 5 }),
      ),
    }));
    const root = fc.dictionary(fc.constantFrom(...keys), value, { maxKeys: 6 });
    fc.assert(
      fc.property(root, fc.boolean(), (object, withVersion) => {
        // JSON is YAML: the text reaches the validator through the same parser as a real file.
        const text = JSON.stringify(withVersion ? { version: 1, ...object } : object);
        try {
          parseConfig(text, '.bulwark.yaml', known, '/repo');
        } catch (error) {
          if (!isConfigError(error)) throw error;
          for (const problem of (error as ConfigError).problems) {
            assert.equal(problem.location.file, '.bulwark.yaml');
            assert.ok((problem.location.line ?? 0) >= 1);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws anything but E_CONFIG on mutated valid files', () => {
    const valid = [
      'version: 1',
      'pss: { level: restricted, version: latest }',
      'failOn: high',
      'exclude: ["charts/**/tests/**"]',
      'controls:',
      '  disable: [pss-host-ports]',
      '  severity: { pss-privileged: low }',
      'exceptions:',
      '  - controls: [pss-privileged]',
      '    namespaces: ["kube-*"]',
      '    kinds: [DaemonSet]',
      '    reason: "agent"',
      '    expires: 2027-03-31',
      '',
    ].join('\n');
    const tokens = ['*', '&a ', '*a', '[', ']', '{', '}', ':', '- ', '\n', '  ', '"', "'", '#', '!!str ', '---\n', 'null', '~', '1.5', '2027-13-01', 'yes', '<<: '];
    const mutation = fc.tuple(fc.nat(valid.length), fc.nat(valid.length), fc.constantFrom(...tokens));
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 6 }), (mutations) => {
        let text = valid;
        for (const [at, length, token] of mutations) {
          const start = at % (text.length + 1);
          text = text.slice(0, start) + token + text.slice(start + (length % 4));
        }
        try {
          parseConfig(text, '.bulwark.yaml', known, '/repo');
        } catch (error) {
          if (!isConfigError(error)) throw error;
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('parseConfig: cluster.excludeNamespaces', () => {
  it('reads names and globs; an empty list excludes nothing; absent keeps the default', () => {
    assert.deepEqual(parseConfig('version: 1\ncluster:\n  excludeNamespaces: [kube-system, "monitoring-*"]\n', '.bulwark.yaml', known, '/repo').cluster, { excludeNamespaces: ['kube-system', 'monitoring-*'] });
    assert.deepEqual(parseConfig('version: 1\ncluster: {excludeNamespaces: []}\n', '.bulwark.yaml', known, '/repo').cluster, { excludeNamespaces: [] });
    assert.equal(parseConfig('version: 1\n', '.bulwark.yaml', known, '/repo').cluster, undefined);
  });

  it('refuses what cannot name a namespace, and misspelt keys, at their line', () => {
    assert.deepEqual(problems('version: 1\ncluster:\n  excludeNamespaces: [Kube_System]\n'), [
      '3:23 cluster.excludeNamespaces[0]: expected a namespace name or glob (lowercase letters, digits and "-", at most 63 characters; "*" and "?" as wildcards); got "Kube_System"',
    ]);
    assert.deepEqual(problems('version: 1\ncluster:\n  excludeNamespace: [a]\n'), ['3:3 cluster.excludeNamespace: unknown key; did you mean "excludeNamespaces"?']);
    assert.deepEqual(problems('version: 1\ncluster:\n  excludeNamespaces: kube-system\n'), ['3:3 cluster.excludeNamespaces: expected a list of namespace names or globs; got "kube-system" (write [kube-system])']);
  });
});
