import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Hono } from 'hono';
import { initLedger, openLedger } from '../ledger/index.ts';
import { parseConfig } from './config.ts';
import { AdmissionController } from './controller.ts';
import { LedgerRecorder } from './ledger-sink.ts';
import { StaticNamespaces } from './namespaces.ts';
import { admissionRoutes } from './routes.ts';
import { pod, privilegedContainer, review } from './testing/reviews.ts';

describe('LedgerRecorder through the admission routes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-admission-ledger-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes every decision except dry runs', async () => {
    await initLedger({ dir, durability: 'os' });
    const recorder = new LedgerRecorder(await openLedger({ dir }), { flushMs: 10 });
    const controller = new AdmissionController({ config: parseConfig({}), namespaces: new StaticNamespaces() });
    const module = admissionRoutes({ controller, recorder, maxBodyBytes: 1 << 20 });
    const app = new Hono();
    module.register(app as never, { requireClientCertificate: async (_c, next) => next(), registry: undefined as never });
    const post = (body: unknown) => app.request('/validate', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal((await post(review(pod('a', [privilegedContainer()]), { uid: 'one' }))).status, 200);
    assert.equal((await post(review(pod('b', [privilegedContainer()]), { uid: 'two', dryRun: true }))).status, 200);
    assert.equal((await post(review(pod('c', [privilegedContainer()]), { uid: 'three' }))).status, 200);
    await module.close?.();
    const ledger = await openLedger({ dir, readOnly: true });
    assert.equal((await ledger.head()).size, 2);
    await ledger.close();
  });
});
