import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { getAt } from '../core/index.ts';
import { ANNOTATION_PATHS, hasIgnoreAnnotation, IGNORE_ANNOTATION, parseIgnoreValue, readIgnoreAnnotations } from './annotations.ts';
import { objectFrom } from './fixtures/objects.ts';

const known = new Set(['pss-privileged', 'pss-host-namespaces', 'pss-host-ports']);

describe('parseIgnoreValue', () => {
  it('reads the controls and the reason after each accepted separator', () => {
    for (const value of [
      'pss-privileged,pss-host-namespaces — node agent (SEC-1234)',
      'pss-privileged, pss-host-namespaces —node agent (SEC-1234)',
      'pss-privileged,pss-host-namespaces--node agent (SEC-1234)',
      '  pss-privileged ,  pss-host-namespaces  --  node agent (SEC-1234)  ',
      'pss-privileged, pss-host-namespaces - node agent (SEC-1234)',
      'pss-privileged, pss-host-namespaces – node agent (SEC-1234)',
    ]) {
      const parsed = parseIgnoreValue(value, known);
      assert.deepEqual(parsed.controls, new Set(['pss-privileged', 'pss-host-namespaces']), value);
      assert.equal(parsed.reason, 'node agent (SEC-1234)', value);
      assert.deepEqual(parsed.problems, [], value);
    }
  });

  it('splits at the first separator, so the reason may contain dashes', () => {
    const parsed = parseIgnoreValue('pss-host-ports — legacy - see runbook -- ops', known);
    assert.deepEqual(parsed.controls, new Set(['pss-host-ports']));
    assert.equal(parsed.reason, 'legacy - see runbook -- ops');
  });

  it('does not take the hyphens inside control ids for a separator', () => {
    const parsed = parseIgnoreValue('pss-host-namespaces', known);
    assert.deepEqual(parsed.controls, new Set(['pss-host-namespaces']));
    assert.equal(parsed.reason, null);
    assert.deepEqual(parsed.problems, []);
  });

  it('reads * as every control', () => {
    assert.equal(parseIgnoreValue('* — sandbox', known).controls, '*');
    assert.equal(parseIgnoreValue('pss-privileged, * -- sandbox', known).controls, '*');
  });

  it('skips unknown controls with a suggestion and keeps the known ones', () => {
    const parsed = parseIgnoreValue('pss-privilegd, pss-host-ports — why', known);
    assert.deepEqual(parsed.controls, new Set(['pss-host-ports']));
    assert.deepEqual(parsed.problems, ['names unknown control "pss-privilegd"; did you mean "pss-privileged"?']);
  });

  it('explains a reason written without a separator', () => {
    const parsed = parseIgnoreValue('pss-privileged because the agent needs it', known);
    assert.equal(parsed.controls, null);
    assert.equal(parsed.problems.length, 1);
    assert.match(parsed.problems[0] ?? '', /is not a control id; write the ids separated by commas, then " — "/);
  });

  it('reports a value that names no control', () => {
    for (const value of ['', '   ', '— only a reason', ',,']) {
      const parsed = parseIgnoreValue(value, known);
      assert.equal(parsed.controls, null, value);
      assert.match(parsed.problems[0] ?? '', /names no control/, value);
    }
  });

  it('takes any id when no catalog is given', () => {
    assert.deepEqual(parseIgnoreValue('custom-check — why').controls, new Set(['custom-check']));
  });

  it('reads back any control list and reason written with any separator, and never throws', () => {
    const ids = [...known];
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom(...ids), { minLength: 1 }),
        fc.constantFrom(' — ', '—', ' -- ', '--', ' - ', ' – '),
        fc.string({ maxLength: 40 }).filter((reason) => reason.trim() !== ''),
        fc.constantFrom('', ' ', '  '),
        (controls, separator, reason, pad) => {
          const parsed = parseIgnoreValue(`${pad}${controls.join(`${pad},${pad}`)}${separator}${reason}`, known);
          assert.deepEqual(parsed.controls, new Set(controls));
          assert.equal(parsed.reason, reason.trim());
          assert.deepEqual(parsed.problems, []);
        },
      ),
    );
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (value) => void parseIgnoreValue(value, known)));
  });

  it('does not read an oversized value', () => {
    const parsed = parseIgnoreValue(`pss-privileged — ${'x'.repeat(5000)}`, known);
    assert.equal(parsed.controls, null);
    assert.match(parsed.problems[0] ?? '', /longer than 4096 characters/);
  });
});

describe('readIgnoreAnnotations', () => {
  it('reads the annotation on the object, at its position', () => {
    const object = objectFrom(
      [
        'apiVersion: v1',
        'kind: Pod',
        'metadata:',
        '  name: agent',
        '  annotations:',
        '    bulwark.dev/ignore: "pss-privileged — node agent"',
        'spec: {}',
      ].join('\n'),
      'pod.yaml',
    );
    const { annotations, diagnostics } = readIgnoreAnnotations(object, known);
    assert.deepEqual(annotations, [
      { controls: new Set(['pss-privileged']), reason: 'node agent', location: { file: 'pod.yaml', line: 6, column: 5 } },
    ]);
    assert.deepEqual(diagnostics, []);
  });

  it('reads the annotation on a workload pod template and on a CronJob job template', () => {
    const deployment = objectFrom(
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: { name: web }',
        'spec:',
        '  template:',
        '    metadata:',
        '      annotations:',
        '        bulwark.dev/ignore: pss-host-ports -- legacy port',
        '    spec: {}',
      ].join('\n'),
    );
    assert.deepEqual(readIgnoreAnnotations(deployment, known).annotations, [
      { controls: new Set(['pss-host-ports']), reason: 'legacy port', location: { file: 'manifests.yaml', line: 8, column: 9 } },
    ]);
    const cronJob = objectFrom(
      [
        'apiVersion: batch/v1',
        'kind: CronJob',
        'metadata: { name: backup }',
        'spec:',
        '  jobTemplate:',
        '    spec:',
        '      template:',
        '        metadata:',
        '          annotations: { bulwark.dev/ignore: "* - sandboxed backup job" }',
      ].join('\n'),
    );
    const [annotation] = readIgnoreAnnotations(cronJob, known).annotations;
    assert.equal(annotation?.controls, '*');
    assert.equal(annotation?.location.line, 9);
  });

  it('honours an annotation without a reason, with a note', () => {
    const object = objectFrom('kind: Pod\nmetadata:\n  name: p\n  annotations:\n    bulwark.dev/ignore: pss-privileged\napiVersion: v1\n');
    const { annotations, diagnostics } = readIgnoreAnnotations(object, known);
    assert.equal(annotations.length, 1);
    assert.equal(annotations[0]?.reason, null);
    assert.deepEqual(diagnostics, [
      {
        level: 'note',
        location: { file: 'manifests.yaml', line: 5, column: 5 },
        message: 'annotation bulwark.dev/ignore on Pod p gives no reason; it is honoured, but write one after " — " so reviewers know why',
      },
    ]);
  });

  it('warns about unknown controls and honours the rest', () => {
    const object = objectFrom('kind: Pod\nmetadata:\n  name: p\n  annotations:\n    bulwark.dev/ignore: "pss-hostports, pss-privileged — r"\napiVersion: v1\n');
    const { annotations, diagnostics } = readIgnoreAnnotations(object, known);
    assert.deepEqual(annotations[0]?.controls, new Set(['pss-privileged']));
    assert.deepEqual(
      diagnostics.map((d) => [d.level, d.location.line, d.message]),
      [['warning', 5, 'annotation bulwark.dev/ignore on Pod p names unknown control "pss-hostports"; did you mean "pss-host-ports"?']],
    );
  });

  it('ignores an annotation that names nothing usable, and says so', () => {
    const object = objectFrom('kind: Pod\nmetadata:\n  name: p\n  annotations:\n    bulwark.dev/ignore: "nope — r"\napiVersion: v1\n');
    const { annotations, diagnostics } = readIgnoreAnnotations(object, known);
    assert.deepEqual(annotations, []);
    assert.deepEqual(
      diagnostics.map((d) => d.message),
      [
        'annotation bulwark.dev/ignore on Pod p names unknown control "nope"',
        'annotation bulwark.dev/ignore on Pod p names no known control; it exempts nothing',
      ],
    );
  });

  it('warns about a value that is not a string', () => {
    const object = objectFrom('kind: Pod\nmetadata:\n  name: p\n  annotations:\n    bulwark.dev/ignore: true\napiVersion: v1\n');
    const { annotations, diagnostics } = readIgnoreAnnotations(object, known);
    assert.deepEqual(annotations, []);
    assert.equal(diagnostics[0]?.message, 'annotation bulwark.dev/ignore on Pod p is true, not a string; it is ignored');
  });

  it('finds nothing on an object without the annotation', () => {
    const object = objectFrom('kind: Pod\nmetadata:\n  name: p\n  annotations: { other: x }\napiVersion: v1\n');
    assert.deepEqual(readIgnoreAnnotations(object, known), { annotations: [], diagnostics: [] });
  });
});

describe('hasIgnoreAnnotation', () => {
  const PATHS = ANNOTATION_PATHS as readonly string[][];

  it('answers whether readIgnoreAnnotations has any value to read, for any shape of object', () => {
    // Objects built along the annotation paths, each cut short at some depth by a value that is not
    // a mapping (or carried through to the annotation, whatever its value), several paths merged.
    const placement = fc.record({
      path: fc.constantFrom(...PATHS),
      depth: fc.nat({ max: 7 }),
      value: fc.constantFrom<unknown>(null, 'x', '', 0, false, [], [{}], 'pss-privileged — reason'),
    });
    const build = (placements: { path: string[]; depth: number; value: unknown }[]): Record<string, unknown> => {
      const raw: Record<string, unknown> = {};
      for (const { path, depth, value } of placements) {
        let at = raw;
        const stop = Math.min(depth, path.length - 1);
        for (let i = 0; i < stop; i++) {
          const next = at[path[i]!];
          if (next === null || typeof next !== 'object' || Array.isArray(next)) at[path[i]!] = {};
          at = at[path[i]!] as Record<string, unknown>;
        }
        at[path[stop]!] = value;
      }
      return raw;
    };
    let positives = 0;
    fc.assert(
      fc.property(fc.array(placement, { minLength: 1, maxLength: 3 }), (placements) => {
        const raw = build(placements);
        const expected = PATHS.some((path) => getAt(raw, path) !== undefined);
        if (expected) positives++;
        assert.equal(hasIgnoreAnnotation({ raw } as never), expected, JSON.stringify(raw));
      }),
      { numRuns: 2000 },
    );
    // Both answers were exercised, not one of them only.
    assert.ok(positives > 200 && positives < 1800, `${positives} of 2000 objects carried the annotation`);
  });

  it('sees the annotation on the object, on a pod template and on a CronJob job template', () => {
    const annotated = { annotations: { [IGNORE_ANNOTATION]: 'pss-privileged — reason' } };
    for (const raw of [{ metadata: annotated }, { spec: { template: { metadata: annotated } } }, { spec: { jobTemplate: { spec: { template: { metadata: annotated } } } } }, { template: { metadata: annotated } }]) {
      assert.equal(hasIgnoreAnnotation({ raw } as never), true, JSON.stringify(raw));
    }
    assert.equal(hasIgnoreAnnotation({ raw: { metadata: { annotations: { other: 'x' } } } } as never), false);
  });
});
