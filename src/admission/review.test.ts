import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BulwarkError } from '../core/index.ts';
import { parseAdmissionReview, reviewResponse } from './review.ts';
import { pod, privilegedContainer, review } from './testing/reviews.ts';

describe('parseAdmissionReview', () => {
  it('reads a v1 request', () => {
    const request = parseAdmissionReview(JSON.stringify(review(pod('web', [privilegedContainer()]), { dryRun: true, subResource: 'ephemeralcontainers' })));
    assert.equal(request.uid, '705ab4f5-6393-11e8-b7cc-42010a800002');
    assert.equal(request.operation, 'CREATE');
    assert.equal(request.namespace, 'shop');
    assert.equal(request.subResource, 'ephemeralcontainers');
    assert.equal(request.dryRun, true);
    assert.deepEqual(request.kind, { group: '', version: 'v1', kind: 'Pod' });
    assert.equal(request.userInfo.username, 'alice');
  });

  for (const [name, body, code, fragment] of [
    ['not JSON', '{"apiVersion":', 'E_PARSE', 'not valid JSON'],
    ['an array', '[]', 'E_INPUT', 'must be a JSON object'],
    ['v1beta1', JSON.stringify({ ...review(null), apiVersion: 'admission.k8s.io/v1beta1' }), 'E_INPUT', 'admissionReviewVersions'],
    ['wrong kind', JSON.stringify({ ...review(null), kind: 'Pod' }), 'E_INPUT', 'kind'],
    ['no request', JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }), 'E_INPUT', 'request'],
    ['bad operation', JSON.stringify(review(null, { operation: 'PATCH' as 'CREATE' })), 'E_INPUT', 'request.operation'],
    ['object not an object', JSON.stringify({ ...review(null), request: { ...(review(null)['request'] as object), object: 'x' } }), 'E_INPUT', 'request.object'],
    ['groups not strings', JSON.stringify({ ...review(null), request: { ...(review(null)['request'] as object), userInfo: { groups: [1] } } }), 'E_INPUT', 'request.userInfo.groups'],
  ] as const) {
    it(`refuses ${name} with ${code}`, () => {
      assert.throws(
        () => parseAdmissionReview(body),
        (error: unknown) => error instanceof BulwarkError && error.code === code && error.message.includes(fragment),
      );
    });
  }

  it('never throws anything but a typed error (fuzzed JSON values)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        try {
          parseAdmissionReview(JSON.stringify(value));
        } catch (error) {
          assert.ok(error instanceof BulwarkError, String(error));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('never throws anything but a typed error (fuzzed requests)', () => {
    const base = review(null)['request'] as Record<string, unknown>;
    const field = fc.constantFrom(...Object.keys(base), 'uid', 'operation', 'userInfo', 'kind', 'resource', 'dryRun');
    fc.assert(
      fc.property(fc.dictionary(field, fc.jsonValue()), (overrides) => {
        const body = JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { ...base, ...overrides } });
        try {
          const request = parseAdmissionReview(body);
          assert.equal(typeof request.uid, 'string');
        } catch (error) {
          assert.ok(error instanceof BulwarkError, String(error));
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws anything but a typed error (fuzzed text)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        try {
          parseAdmissionReview(text);
        } catch (error) {
          assert.ok(error instanceof BulwarkError);
        }
      }),
    );
  });
});

describe('reviewResponse', () => {
  it('wraps the response in an AdmissionReview v1', () => {
    assert.deepEqual(JSON.parse(reviewResponse({ uid: 'x', allowed: true })), { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'x', allowed: true } });
  });
});
