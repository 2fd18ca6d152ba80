import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BulwarkError } from '../../core/index.ts';
import {
  formatImageReference,
  MAX_IMAGE_REFERENCE_LENGTH,
  parseImageReference,
  parseImageReferenceOrThrow,
  type ImageReference,
  type ImageReferenceErrorCode,
} from './image-reference.ts';

const SHA = 'a'.repeat(64);

function parsed(text: string): ImageReference {
  const result = parseImageReference(text);
  assert.ok(result.ok, `${text}: ${result.ok ? '' : result.error.message}`);
  return result.reference;
}

function refused(text: unknown): ImageReferenceErrorCode {
  const result = parseImageReference(text);
  assert.ok(!result.ok, `${String(text)} should be refused`);
  return result.error.code;
}

describe('parseImageReference: normalisation as the kubelet does it', () => {
  const cases: [string, string, string, string | undefined, string | undefined][] = [
    // input, domain, path, tag, digest
    ['nginx', 'docker.io', 'library/nginx', undefined, undefined],
    ['nginx:1.27', 'docker.io', 'library/nginx', '1.27', undefined],
    ['test.com:5000', 'docker.io', 'library/test.com', '5000', undefined],
    ['test_com', 'docker.io', 'library/test_com', undefined, undefined],
    ['bitnami/redis:7', 'docker.io', 'bitnami/redis', '7', undefined],
    ['docker.io/nginx', 'docker.io', 'library/nginx', undefined, undefined],
    ['index.docker.io/team/app', 'docker.io', 'team/app', undefined, undefined],
    ['localhost/app', 'localhost', 'app', undefined, undefined],
    ['localhost:5000/app:dev', 'localhost:5000', 'app', 'dev', undefined],
    ['test:5000/repo', 'test:5000', 'repo', undefined, undefined],
    ['registry.example.com:5000/team/app:2.0.1-alpine', 'registry.example.com:5000', 'team/app', '2.0.1-alpine', undefined],
    [`test:5000/repo@sha256:${SHA}`, 'test:5000', 'repo', undefined, `sha256:${SHA}`],
    [`test:5000/repo:tag@sha256:${SHA}`, 'test:5000', 'repo', 'tag', `sha256:${SHA}`],
    [`nginx@sha512:${'b'.repeat(128)}`, 'docker.io', 'library/nginx', undefined, `sha512:${'b'.repeat(128)}`],
    ['sub-dom1.foo.com/bar/baz/quux', 'sub-dom1.foo.com', 'bar/baz/quux', undefined, undefined],
    ['xn--n3h.com/myimage:tag', 'xn--n3h.com', 'myimage', 'tag', undefined],
    ['Docker/docker', 'Docker', 'docker', undefined, undefined],
    ['[2001:db8::1]:5000/repo', '[2001:db8::1]:5000', 'repo', undefined, undefined],
    ['[2001:db8::1]/repo', '[2001:db8::1]', 'repo', undefined, undefined],
    ['192.168.1.1:5000/a__b/c-d.e', '192.168.1.1:5000', 'a__b/c-d.e', undefined, undefined],
    ['lowercase:Uppercase', 'docker.io', 'library/lowercase', 'Uppercase', undefined],
    ['a/a/a/a', 'docker.io', 'a/a/a/a', undefined, undefined],
    ['foo---bar/baz', 'docker.io', 'foo---bar/baz', undefined, undefined],
  ];
  for (const [input, domain, path, tag, digest] of cases) {
    it(input, () => assert.deepEqual(parsed(input), { domain, path, tag, digest }));
  }
});

describe('parseImageReference: refusals name the problem', () => {
  const cases: [unknown, ImageReferenceErrorCode][] = [
    [42, 'type'],
    [null, 'type'],
    ['', 'empty'],
    ['x'.repeat(MAX_IMAGE_REFERENCE_LENGTH + 1), 'too-long'],
    [SHA, 'identifier'],
    ['Uppercase:tag', 'uppercase'],
    ['team/App', 'uppercase'],
    ['a//a', 'path'],
    ['aa/asdf$$^/aa', 'path'],
    ['foo_.bar/x', 'domain'],
    ['foo_bar.com/x', 'domain'],
    ['registry.example.com:port/x', 'domain'],
    ['-bad.example.com/x', 'domain'],
    ['nginx:', 'tag'],
    ['nginx:.hidden', 'tag'],
    [`nginx:${'t'.repeat(129)}`, 'tag'],
    ['nginx@', 'digest'],
    ['nginx@sha256:abc', 'digest'],
    [`nginx@sha256:${'A'.repeat(64)}`, 'digest'],
    [`nginx@sha256:${'a'.repeat(63)}`, 'digest'],
    [`nginx@blake3:${'a'.repeat(64)}`, 'digest-unsupported'],
    ['nginx@custom-algorithm:a', 'digest'],
    [':tag', 'path'],
    ['/nginx', 'path'],
    [' nginx', 'path'],
    [`${'a'.repeat(256)}`, 'path'],
  ];
  for (const [input, code] of cases) {
    it(`${JSON.stringify(input)?.slice(0, 60)} → ${code}`, () => assert.equal(refused(input), code));
  }

  it('throws a typed input error naming the reference when asked to', () => {
    assert.throws(
      () => parseImageReferenceOrThrow('Team/App', { file: 'deploy.yaml', line: 12 }),
      (error: unknown) =>
        error instanceof BulwarkError && error.code === 'E_INPUT' && error.location?.line === 12 && error.message.includes('"Team/App"'),
    );
  });
});

// Valid references built from the grammar itself.
const alnum = fc.stringMatching(/^[a-z0-9]{1,8}$/);
const separator = fc.constantFrom('.', '_', '__', '-', '--');
const pathComponent = fc
  .tuple(alnum, fc.array(fc.tuple(separator, alnum), { maxLength: 3 }))
  .map(([head, rest]) => head + rest.map(([sep, part]) => sep + part).join(''));
const path = fc.array(pathComponent, { minLength: 2, maxLength: 4 }).map((parts) => parts.join('/'));
const hostComponent = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,6}[a-z0-9])?$/);
const domain = fc.tuple(fc.array(hostComponent, { minLength: 2, maxLength: 3 }), fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }))
  .map(([parts, port]) => parts.join('.') + (port === undefined ? '' : `:${port}`));
const tag = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/);
const digest = fc.oneof(
  fc.stringMatching(/^[a-f0-9]{64}$/).map((hex) => `sha256:${hex}`),
  fc.stringMatching(/^[a-f0-9]{128}$/).map((hex) => `sha512:${hex}`),
);
const reference = fc.record({
  domain,
  path,
  tag: fc.option(tag, { nil: undefined }),
  digest: fc.option(digest, { nil: undefined }),
});

describe('parseImageReference: properties', () => {
  it('reads back every reference the grammar generates', () => {
    fc.assert(
      fc.property(reference, (ref) => {
        assert.deepEqual(parsed(formatImageReference(ref)), { ...ref });
      }),
    );
  });

  it('is stable: a parsed reference, printed in full, parses to itself', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        const result = parseImageReference(text);
        if (result.ok) assert.deepEqual(parsed(formatImageReference(result.reference)), result.reference);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws, and refuses with a known code and a message, on any input', () => {
    const codes = new Set(['type', 'empty', 'too-long', 'identifier', 'domain', 'path', 'uppercase', 'tag', 'digest', 'digest-unsupported']);
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[a-zA-Z0-9:/@._\-[\]]{0,60}$/), fc.anything()), (input) => {
        const result = parseImageReference(input);
        if (!result.ok) {
          assert.ok(codes.has(result.error.code));
          assert.ok(result.error.message.length > 0 && result.error.message.length < 300);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('stays fast on adversarial inputs (no super-linear matching)', () => {
    const inputs = [
      `${'a-'.repeat(500)}!`,
      `${'a_'.repeat(500)}A`,
      `x/${'a.'.repeat(500)}`,
      `${'a'.repeat(1000)}@sha256:`,
      `host.example.com/${'a__'.repeat(300)}-`,
      `${'1.'.repeat(500)}/x`,
    ];
    for (const input of inputs) {
      const started = performance.now();
      parseImageReference(input);
      assert.ok(performance.now() - started < 50, `${input.slice(0, 20)}… took too long`);
    }
  });
});
