// Audit events as untrusted input: v1 and v1beta1 read alike; every wrongly typed field is named;
// arbitrary JSON values and arbitrary text never crash the parsers — they give events or typed
// problems, and a reader of a file says which line.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { AuditError } from './errors.ts';
import { eventsOfDocument, toAuditEvent } from './event.ts';
import { LineSplitter } from './lines.ts';
import { readAuditEvents } from './reader.ts';
import { rawAuditEvent } from './testing.ts';

const dir = mkdtempSync(join(tmpdir(), 'bulwark-audit-event-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function readAll(path: string, options = {}) {
  const events = [];
  const problems = [];
  for await (const batch of readAuditEvents(path, options)) {
    events.push(...batch.events);
    problems.push(...batch.problems);
  }
  return { events, problems };
}

describe('audit events', () => {
  it('reads v1 and v1beta1 alike, defaults absent fields', () => {
    const v1 = toAuditEvent(rawAuditEvent({ user: 'alice', resource: 'secrets', name: 's', code: 200 }), 'e');
    const beta = toAuditEvent({ ...rawAuditEvent({ user: 'alice', resource: 'secrets', name: 's', code: 200 }), apiVersion: 'audit.k8s.io/v1beta1', timestamp: '2026-01-02T03:04:05Z', metadata: { creationTimestamp: '2026-01-02T03:04:05Z' } }, 'e');
    for (const e of [v1, beta]) {
      assert.equal(e.user.username, 'alice');
      assert.equal(e.objectRef?.resource, 'secrets');
      assert.equal(e.code, 200);
      assert.equal(e.time, Date.parse('2026-01-02T03:04:05.100Z'));
    }
    const bare = toAuditEvent({ auditID: 'x', stage: 'Panic' }, 'e');
    assert.deepEqual([bare.user.username, bare.verb, bare.code, bare.objectRef, bare.time], ['', '', 0, undefined, 0]);
  });

  it('names the wrong field', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...rawAuditEvent(), auditID: 5 }, /auditID must be a string/],
      [{ ...rawAuditEvent(), stage: 'Done' }, /stage "Done" is not one of/],
      [{ ...rawAuditEvent(), user: { username: ['a'] } }, /user\.username must be a string/],
      [{ ...rawAuditEvent(), user: { username: 'a', groups: ['g', 1] } }, /user\.groups\[1\] must be a string/],
      [{ ...rawAuditEvent(), objectRef: 'pods' }, /objectRef must be an object/],
      [{ ...rawAuditEvent(), responseStatus: { code: '200' } }, /responseStatus\.code must be an HTTP status code/],
      [{ ...rawAuditEvent(), annotations: { a: 1 } }, /annotations\["a"\] must be a string/],
      [{ ...rawAuditEvent(), apiVersion: 'audit.k8s.io/v2' }, /apiVersion "audit.k8s.io\/v2" is not one of/],
      [{ ...rawAuditEvent(), kind: 'Pod' }, /kind must be Event/],
    ];
    for (const [value, message] of cases) {
      assert.throws(() => toAuditEvent(value, 'trace.json:3'), (error: unknown) => error instanceof AuditError && error.reason === 'parse' && error.message.startsWith('trace.json:3: ') && message.test(error.message));
    }
  });

  it('an EventList yields its good items and names the bad ones', () => {
    const { events, problems } = eventsOfDocument({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: [rawAuditEvent(), { auditID: 1 }, rawAuditEvent()] }, 'body');
    assert.equal(events.length, 2);
    assert.deepEqual(problems.map((p) => p.where), ['body items[1]']);
    assert.deepEqual(eventsOfDocument({ kind: 'EventList', items: 'x' }, 'b').problems.map((p) => p.message), ['EventList items must be a list']);
  });

  it('never throws anything but typed errors for arbitrary JSON values', () => {
    const event = fc.record({ auditID: fc.oneof(fc.string(), fc.integer()), stage: fc.constantFrom('ResponseComplete', 'RequestReceived', 'x'), verb: fc.anything(), user: fc.anything(), objectRef: fc.anything(), responseStatus: fc.anything(), annotations: fc.anything(), requestObject: fc.anything() }, { requiredKeys: [] });
    fc.assert(
      fc.property(fc.oneof(fc.anything(), event, fc.record({ kind: fc.constant('EventList'), items: fc.array(fc.oneof(event, fc.anything())) })), (value) => {
        const { events, problems } = eventsOfDocument(value, 'v');
        for (const e of events) assert.equal(typeof e.auditID, 'string');
        for (const p of problems) assert.ok(p.message.length > 0);
      }),
      { numRuns: 3000 },
    );
  });

  it('reads JSON, JSON lines and pretty-printed documents; bad lines are problems with their line number', async () => {
    const lines = join(dir, 'lines.jsonl');
    writeFileSync(lines, `${JSON.stringify(rawAuditEvent())}\n\n{not json\r\n${JSON.stringify({ kind: 'EventList', items: [rawAuditEvent(), rawAuditEvent()] })}\n${JSON.stringify({ auditID: 'x' })}`);
    const read = await readAll(lines);
    assert.equal(read.events.length, 3);
    assert.deepEqual(read.problems.map((p) => p.where), [`${lines}:3`, `${lines}:5`]);
    const pretty = join(dir, 'pretty.json');
    writeFileSync(pretty, JSON.stringify([rawAuditEvent(), rawAuditEvent()], null, 2));
    assert.equal((await readAll(pretty)).events.length, 2);
  });

  it('skips an over-long line without holding it, and reads on', async () => {
    const file = join(dir, 'long.jsonl');
    writeFileSync(file, `${JSON.stringify(rawAuditEvent({ requestObject: { data: 'x'.repeat(5000) } }))}\n${JSON.stringify(rawAuditEvent())}\n`);
    const read = await readAll(file, { maxLineBytes: 2048, maxDocumentBytes: 1024 });
    assert.equal(read.events.length, 1);
    assert.match(read.problems[0]!.message, /longer than the 2048 accepted/);
    assert.equal(read.problems[0]!.where, `${file}:1`);
  });

  it('arbitrary bytes in a file never crash the reader', async () => {
    const file = join(dir, 'fuzz.bin');
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 400 }), fc.string({ maxLength: 400 }).map((s) => Buffer.from(s))), async (bytes) => {
        writeFileSync(file, bytes);
        const read = await readAll(file, { maxLineBytes: 1024, maxDocumentBytes: 200 });
        for (const p of read.problems) assert.ok(p.where.startsWith(file));
      }),
      { numRuns: 300 },
    );
    await assert.rejects(readAll(join(dir, 'missing.json')), (error: unknown) => error instanceof AuditError && error.reason === 'io');
  });

  it('splits lines the same whatever the chunk boundaries', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 30 }).map((s) => s.replace(/\n/g, '')), { maxLength: 20 }), fc.array(fc.nat(200), { maxLength: 10 }), (lines, cuts) => {
        const text = Buffer.from(lines.join('\n'));
        const splitter = new LineSplitter(1000);
        const out: string[] = [];
        let at = 0;
        for (const cut of [...cuts.map((c) => Math.min(c, text.length))].sort((a, b) => a - b)) {
          for (const item of splitter.push(text.subarray(at, cut))) if (item.kind === 'line') out.push(item.text);
          at = Math.max(at, cut);
        }
        for (const item of [...splitter.push(text.subarray(at)), ...splitter.end()]) if (item.kind === 'line') out.push(item.text);
        // A final newline ends the last line; it does not start an empty one.
        const expected = lines.join('\n').split('\n');
        if (expected.at(-1) === '') expected.pop();
        assert.deepEqual(out, expected);
      }),
      { numRuns: 500 },
    );
  });
});
