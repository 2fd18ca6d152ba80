import assert from 'node:assert/strict';
import { test } from 'node:test';
import { externalReach } from './services.ts';

const service = (spec: Record<string, unknown>) => ({
  apiVersion: 'v1',
  kind: 'Service',
  namespace: 'shop',
  name: 'web',
  raw: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec },
  source: { file: 'f', document: 0, line: 1, column: 1 },
  positions: { locate: () => ({ line: 1, column: 1 }) },
});

test('externalIPs are named as written, and an entry that is not a string as JSON', () => {
  assert.deepEqual(externalReach(service({ externalIPs: ['203.0.113.7'] })), { how: 'externalIPs 203.0.113.7', path: ['spec', 'externalIPs'] });
  // An object whose toString is not callable made String() throw.
  assert.equal(externalReach(service({ externalIPs: [{ toString: [] }, 7] }))?.how, 'externalIPs {"toString":[]}, 7');
});
