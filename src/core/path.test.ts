import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createPathFormatter, formatPath, type FieldPath } from './path.ts';

const segment = fc.oneof(
  fc.nat({ max: 20 }),
  fc.constantFrom('spec', 'containers', 'securityContext', '0', 'a.b', 'seccomp.security.alpha.kubernetes.io/pod', ''),
  fc.string({ maxLength: 6 }),
);

test('the shared formatter answers exactly what formatPath does, before and past its size limit', () => {
  for (const limit of [0, 3, 20_000]) {
    const format = createPathFormatter(limit);
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 8 }), (path: (string | number)[]) => {
        assert.equal(format(path), formatPath(path));
      }),
      { numRuns: 300 },
    );
  }
});

test('a number and its text are different segments', () => {
  const format = createPathFormatter();
  const index: FieldPath = ['spec', 'containers', 0];
  const key: FieldPath = ['spec', 'containers', '0'];
  assert.equal(format(index), 'spec.containers[0]');
  assert.equal(format(key), 'spec.containers["0"]');
  assert.equal(format(index), 'spec.containers[0]');
});

test('a known path is answered with the same string', () => {
  const format = createPathFormatter();
  const first = format(['spec', 'template', 'spec', 'containers', 1, 'image']);
  assert.equal(format(['spec', 'template', 'spec', 'containers', 1, 'image']), first);
  assert.equal(format([]), '');
});
