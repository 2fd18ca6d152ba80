// Following a JSON-lines audit log: lines appended later are read; a rotated file is read to its
// end before the new one; a truncated one is read again from the start; an over-long line is
// skipped and reported; a restart resumes at the saved position; nothing is recorded twice.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createDetector } from './detector.ts';
import type { ParseProblem } from './event.ts';
import { LogFollower } from './follow.ts';
import { AuditIngestor } from './ingest.ts';
import { rawAuditEvent } from './testing.ts';

const dir = mkdtempSync(join(tmpdir(), 'bulwark-audit-follow-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const detector = createDetector({ builtin: false });
const line = (user: string): string => `${JSON.stringify(rawAuditEvent({ user, verb: 'get' }))}\n`;

describe('following an audit log', () => {
  it('reads growth, rotation, truncation and resumes after a restart', async () => {
    const log = join(dir, 'audit.log');
    const state = join(dir, 'state.json');
    const ingestor = new AuditIngestor({ detector });
    const problems: ParseProblem[] = [];
    const follower = new LogFollower({ path: log, ingestor, statePath: state, maxLineBytes: 4096, onProblems: (p) => problems.push(...p) });
    writeFileSync(log, line('a') + line('b'));
    await follower.poll();
    assert.equal(follower.counts.events, 2);
    // A partial line is not taken until it is complete.
    const partial = line('c');
    appendFileSync(log, partial.slice(0, 40));
    await follower.poll();
    assert.equal(follower.counts.events, 2);
    appendFileSync(log, `${partial.slice(40)}${'x'.repeat(5000)}\nnot json\n`);
    await follower.poll();
    assert.equal(follower.counts.events, 3);
    assert.deepEqual(problems.map((p) => p.message.slice(0, 20)), ['line of 5000 bytes i', 'not valid JSON: Unex']);

    // Rotation: the old file gets one more line after the rename, then a new file appears.
    renameSync(log, `${log}.1`);
    appendFileSync(`${log}.1`, line('d'));
    writeFileSync(log, line('e'));
    await follower.poll();
    assert.equal(follower.counts.events, 5);
    assert.equal(follower.counts.rotations, 1);

    // Truncation (copytruncate): read again from the start.
    truncateSync(log, 0);
    appendFileSync(log, line('f'));
    await follower.poll();
    assert.equal(follower.counts.truncations, 1);
    assert.equal(follower.counts.events, 6);
    await follower.stop();

    // A restart resumes at the saved position: only the new line is read.
    appendFileSync(log, line('g'));
    const restarted = new LogFollower({ path: log, ingestor: new AuditIngestor({ detector }), statePath: state });
    await restarted.poll();
    assert.equal(restarted.counts.events, 1);
    await restarted.stop();
    assert.equal(ingestor.stats.duplicates, 0);
  });

  it('runs on its own loop, recognises lines it reads twice, and starts at the end when asked', async () => {
    const log = join(dir, 'loop.log');
    writeFileSync(log, line('a'));
    const ingestor = new AuditIngestor({ detector });
    const follower = new LogFollower({ path: log, ingestor, pollMs: 20 });
    follower.start();
    const deadline = Date.now() + 5000;
    appendFileSync(log, line('b'));
    while (follower.counts.events < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(follower.counts.events, 2);
    await follower.stop();
    // Without a saved position, a second follower reads everything again: all duplicates.
    const again = new LogFollower({ path: log, ingestor });
    await again.poll();
    assert.deepEqual([again.counts.events, ingestor.stats.duplicates], [0, 2]);
    await again.stop();
    const fromEnd = new LogFollower({ path: log, ingestor: new AuditIngestor({ detector }), fromStart: false });
    fromEnd.start();
    await fromEnd.stop();
    assert.equal(fromEnd.counts.events, 0);
  });
});
