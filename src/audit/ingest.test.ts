// Ingestion into a real ledger: events and their alerts are entries under the user's subject;
// duplicates (same auditID and stage) enter once; a failed append leaves nothing marked as seen;
// shredding a user erases their events and alerts while the log still verifies; a reopened
// receiver remembers what it recorded.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { fileLedgers } from '../ledger/testing.ts';
import { verifyLedger } from '../ledger/verify.ts';
import { createDetector } from './detector.ts';
import { AuditIngestor, subjectOf } from './ingest.ts';
import type { Alert } from './detector.ts';
import type { AlertSink } from './sinks.ts';
import { auditEvent, podObject } from './testing.ts';

const factory = fileLedgers();
after(() => factory.cleanup());
const detector = createDetector();

class Collect implements AlertSink {
  readonly name = 'collect';
  readonly alerts: Alert[] = [];
  emit(alerts: readonly Alert[]): void {
    this.alerts.push(...alerts);
  }
  async close(): Promise<void> {}
}

describe('audit ingestion', () => {
  it('records events and alerts under the user, once; shredding a user erases them and the log verifies', async () => {
    const { open } = await factory.create({ checkpointEveryMs: 0 });
    const ledger = await open();
    const sink = new Collect();
    const ingestor = new AuditIngestor({ detector, ledger, sinks: [sink] });
    const privileged = auditEvent({ user: 'mallory', resource: 'pods', requestObject: podObject({}, [{ name: 'a', image: 'x', securityContext: { privileged: true } }]) });
    const read = auditEvent({ user: 'alice', verb: 'get', resource: 'secrets', name: 'db', code: 200 });
    const first = await ingestor.ingest([privileged, read, privileged]);
    assert.equal(first.duplicates, 1);
    assert.deepEqual(first.alerts.map((a) => a.rule).sort(), ['create-privileged-pod', 'disallowed-k8s-user', 'disallowed-k8s-user', 'secret-read']);
    const again = await ingestor.ingest([read]);
    assert.deepEqual([again.duplicates, again.appended, again.alerts.length], [1, 0, 0]);
    assert.equal(sink.alerts.length, 4);
    // A later stage of the same request is another event.
    const later = await ingestor.ingest([auditEvent({ ...{ user: 'alice', verb: 'get', resource: 'secrets', name: 'db', code: 200 }, auditID: read.auditID, stage: 'ResponseStarted' })]);
    assert.equal(later.duplicates, 0);

    const entries = [];
    for await (const entry of ledger.read()) entries.push({ subject: entry.subject, data: JSON.parse(entry.data!.toString()) as { type: string; event?: { auditID: string }; alert?: { rule: string; auditID: string } } });
    assert.equal(entries.length, 2 + 4 + 1);
    assert.deepEqual(entries.filter((e) => e.data.type === 'audit-event').map((e) => e.subject), ['mallory', 'alice', 'alice']);
    for (const e of entries.filter((x) => x.data.type === 'audit-alert')) assert.equal(e.subject, e.data.alert!.auditID === privileged.auditID ? 'mallory' : 'alice');

    assert.ok((await ledger.shred('mallory')) > 0);
    const statuses = new Map<string, string[]>();
    for await (const entry of ledger.read()) statuses.set(entry.status, [...(statuses.get(entry.status) ?? []), String(entry.index)]);
    assert.equal(statuses.get('erased')?.length, 3, 'mallory\'s event and its two alerts');
    await ledger.close();
    const reader = await open({ readOnly: true });
    assert.deepEqual((await verifyLedger(reader)).problems, []);
    await reader.close();

    const reopened = new AuditIngestor({ detector, ledger: await open() });
    assert.equal(await reopened.rememberRecent(), 2, 'alice\'s two events; mallory\'s are erased');
    assert.equal((await reopened.ingest([read])).duplicates, 1);
    await reopened.ledger!.close();
  });

  it('a failed append marks nothing as seen: the retry is taken whole', async () => {
    const { open } = await factory.create({ checkpointEveryMs: 0 });
    const ledger = await open();
    const ingestor = new AuditIngestor({ detector, ledger });
    const event = auditEvent({ user: 'bob', verb: 'get' });
    await ledger.close();
    await assert.rejects(ingestor.ingest([event]));
    assert.equal(ingestor.stats.failedBatches, 1);
    const retry = new AuditIngestor({ detector, ledger: await open(), dedup: ingestor.dedup });
    assert.deepEqual([(await retry.ingest([event])).duplicates, retry.stats.appended], [0, 2]);
    await retry.ledger!.close();
  });

  it('uses the user as subject, hashing names the ledger cannot hold', () => {
    assert.equal(subjectOf(auditEvent({ user: 'system:serviceaccount:ci:deployer' })), 'system:serviceaccount:ci:deployer');
    assert.equal(subjectOf(auditEvent({ user: '' })), 'unknown-user');
    assert.match(subjectOf(auditEvent({ user: 'x'.repeat(300) })), /^sha256:[0-9a-f]{64}$/);
  });
});
