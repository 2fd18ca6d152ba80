// Tampering with a file-store log, the ways an attacker or a failing disk would, and what `verify`
// reports: a flipped byte, a rewritten entry, a truncated tail, removed, reordered and inserted
// entries, a forked history and a rollback seen by a witness (file and HTTP). Also through the CLI.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openLedger, openWitness, verifyLedger, type ProblemKind } from '../../src/ledger/index.ts';
import { fileLedgers, rewriteLog } from '../../src/ledger/testing.ts';
import { repoRoot } from '../support/shared.ts';

const factory = fileLedgers();
after(() => factory.cleanup());

/** A closed log of 40 entries with checkpoints at 20 and 40. */
async function makeLog(): Promise<{ dir: string; checkpoint20: string; checkpoint40: string }> {
  const { dir, open } = await factory.create();
  const ledger = await open({ checkpointOnClose: false });
  await ledger.appendBatch(Array.from({ length: 20 }, (_, i) => ({ subject: `s${i % 3}`, data: `event ${i}` })));
  const checkpoint20 = (await ledger.checkpoint()).note;
  await ledger.appendBatch(Array.from({ length: 20 }, (_, i) => ({ subject: `s${i % 3}`, data: `event ${i + 20}` })));
  const checkpoint40 = (await ledger.checkpoint()).note;
  await ledger.close();
  return { dir, checkpoint20, checkpoint40 };
}

async function verifyDir(dir: string, options: Parameters<typeof verifyLedger>[1] = {}) {
  const ledger = await openLedger({ dir, readOnly: true });
  try {
    return await verifyLedger(ledger, options);
  } finally {
    await ledger.close();
  }
}

function kinds(report: { problems: { kind: ProblemKind }[] }): ProblemKind[] {
  return [...new Set(report.problems.map((p) => p.kind))].sort();
}

const segmentOf = (dir: string): string => join(dir, 'segments', readdirSync(join(dir, 'segments')).sort()[0]!);

describe('tamper detection', () => {
  it('an untouched log verifies (the passing fixture)', async () => {
    const { dir } = await makeLog();
    const report = await verifyDir(dir);
    assert.equal(report.ok, true, JSON.stringify(report.problems));
    assert.equal(report.checkpointsMatched, 2);
  });

  it('a flipped byte inside an entry is found by its checksum, with the file named', async () => {
    const { dir } = await makeLog();
    const path = segmentOf(dir);
    const bytes = readFileSync(path);
    bytes[20 + 9 + 30]! ^= 0x01; // inside the first entry's payload
    writeFileSync(path, bytes);
    const report = await verifyDir(dir);
    assert.equal(report.ok, false);
    assert.deepEqual(kinds(report), ['corrupt']);
    assert.match(report.problems[0]!.message, /checksum mismatch in the record of entry 0/);
    assert.ok(report.problems[0]!.message.includes(path));
  });

  it('an entry rewritten with valid checksums no longer matches the signed roots', async () => {
    const { dir } = await makeLog();
    rewriteLog(dir, (leaves) => leaves.map((leaf, i) => (i === 25 ? Buffer.from(leaf.map((b, j) => (j === leaf.length - 1 ? b ^ 1 : b))) : leaf)));
    const report = await verifyDir(dir);
    assert.equal(report.ok, false);
    assert.ok(kinds(report).includes('mismatch'));
    assert.deepEqual(report.problems.filter((p) => p.kind === 'mismatch').map((p) => p.size), [40]);
  });

  for (const [name, mutate] of [
    ['a removed entry', (l: Buffer[]) => l.filter((_, i) => i !== 7)],
    ['two reordered entries', (l: Buffer[]) => l.map((leaf, i) => (i === 3 ? l[4]! : i === 4 ? l[3]! : leaf))],
    ['an inserted entry', (l: Buffer[]) => [...l.slice(0, 10), l[2]!, ...l.slice(10)]],
  ] as const) {
    it(`${name} is found against every later checkpoint`, async () => {
      const { dir } = await makeLog();
      rewriteLog(dir, mutate);
      const report = await verifyDir(dir);
      assert.equal(report.ok, false);
      assert.ok(kinds(report).includes('mismatch') || kinds(report).includes('truncated'), JSON.stringify(report.problems));
      assert.ok(report.problems.some((p) => p.size === 20), 'the checkpoint at 20 covers the change');
    });
  }

  it('a truncated tail is found against the log\'s own checkpoints', async () => {
    const { dir } = await makeLog();
    rewriteLog(dir, (leaves) => leaves.slice(0, 30));
    const report = await verifyDir(dir);
    assert.deepEqual(kinds(report), ['truncated']);
    assert.match(report.problems[0]!.message, /covers 40 entries but the log has 30/);
  });

  it('a rollback to an older copy is found by a witness file even when the checkpoints went too', async () => {
    const { dir } = await makeLog();
    const witness = join(dir, '..', `${dir.split('/').at(-1)}.witness`);
    const first = await verifyDir(dir, { witness: openWitness(witness) });
    assert.equal(first.ok, true);
    assert.equal(first.witness?.updated, true);
    rewriteLog(dir, (leaves) => leaves.slice(0, 30));
    rmSync(join(dir, 'checkpoints.log'));
    assert.equal((await verifyDir(dir)).ok, true, 'without the witness the shorter log looks fine');
    const report = await verifyDir(dir, { witness: openWitness(witness) });
    assert.deepEqual(kinds(report), ['rollback']);
    assert.match(report.problems[0]!.message, /has seen 40 entries but the log now has 30/);
  });

  it('a forked history: two checkpoints of one size with different roots', async () => {
    const { dir, open } = await factory.create();
    let ledger = await open({ checkpointOnClose: false });
    await ledger.appendBatch(Array.from({ length: 10 }, (_, i) => ({ subject: 's', data: `${i}` })));
    await ledger.checkpoint();
    await ledger.close();
    const copy = `${dir}-fork`;
    cpSync(dir, copy, { recursive: true });
    for (const [target, text] of [
      [dir, 'original'],
      [copy, 'forked'],
    ] as const) {
      ledger = await openLedger({ dir: target, checkpointOnClose: false });
      await ledger.appendBatch(Array.from({ length: 5 }, (_, i) => ({ subject: 's', data: `${text} ${i}` })));
      await ledger.checkpoint();
      await ledger.close();
    }
    const forked = readFileSync(join(copy, 'checkpoint'), 'utf8');
    const report = await verifyDir(dir, { fromCheckpoint: forked });
    assert.ok(kinds(report).includes('fork'), JSON.stringify(report.problems));
    assert.match(report.problems.find((p) => p.kind === 'fork')!.message, /both signed for size 15 with different roots/);
  });

  it('a checkpoint signed by another key is reported, not trusted', async () => {
    const { dir } = await makeLog();
    const other = await makeLog();
    const foreign = readFileSync(join(other.dir, 'checkpoint'), 'utf8');
    const ledger = await openLedger({ dir, readOnly: true });
    try {
      await assert.rejects(verifyLedger(ledger, { fromCheckpoint: foreign }), /no signature from a trusted key/);
    } finally {
      await ledger.close();
    }
  });

  it('an HTTP witness keeps the largest checkpoint and reports a rollback', async () => {
    let stored: string | undefined;
    const server = createServer((req, res) => {
      if (req.method === 'GET') {
        res.writeHead(stored === undefined ? 404 : 200).end(stored ?? '');
        return;
      }
      let body = '';
      req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        stored = body;
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/log`;
      const { dir } = await makeLog();
      assert.equal((await verifyDir(dir, { witness: openWitness(url) })).witness?.updated, true);
      assert.match(stored!, /\n40\n/);
      rewriteLog(dir, (leaves) => leaves.slice(0, 35));
      rmSync(join(dir, 'checkpoints.log'));
      const report = await verifyDir(dir, { witness: openWitness(url) });
      assert.deepEqual(kinds(report), ['rollback']);
      assert.equal(report.witness?.updated, false);
    } finally {
      server.close();
    }
  });
});

describe('bulwark ledger on the command line', () => {
  const bin = join(repoRoot, 'bin', 'bulwark.js');
  const run = (args: string[], input = '') => spawnSync(process.execPath, [bin, 'ledger', ...args], { input, encoding: 'utf8', timeout: 60_000 });

  it('init, append, checkpoint, prove, verify-proof, verify: exit codes 0, 1 and 2', async () => {
    const { dir } = await factory.create();
    const lines = Array.from({ length: 12 }, (_, i) => JSON.stringify({ user: { username: `u${i % 2}` }, i })).join('\n');
    const appended = run(['append', '--dir', dir, '--subject-field', 'user.username'], lines);
    assert.equal(appended.status, 0, appended.stderr);
    assert.deepEqual(JSON.parse(appended.stdout), { first: 0, count: 12, size: 12 });
    assert.equal(run(['checkpoint', '--dir', dir]).status, 0);
    const proof = run(['prove', '--dir', dir, '--entry', '5']);
    assert.equal(proof.status, 0, proof.stderr);
    const proofFile = join(dir, 'proof.json');
    writeFileSync(proofFile, proof.stdout);
    const key = readFileSync(join(dir, 'log.pub'), 'utf8').trim();
    const good = run(['verify-proof', proofFile, '--key', key]);
    assert.equal(good.status, 0, good.stdout + good.stderr);
    assert.match(good.stdout, /valid inclusion proof \(checkpoint signature verified\)/);
    const tampered = JSON.parse(proof.stdout) as { leafIdx: number };
    tampered.leafIdx = 4;
    writeFileSync(proofFile, JSON.stringify(tampered));
    const bad = run(['verify-proof', proofFile]);
    assert.equal(bad.status, 1);
    assert.match(bad.stdout, /invalid inclusion proof/);
    writeFileSync(proofFile, '{"leafIdx": "five"}');
    const malformed = run(['verify-proof', proofFile]);
    assert.equal(malformed.status, 2);
    assert.match(malformed.stderr, /"leafIdx" must be an integer/);
    const badLine = run(['append', '--dir', dir, '--subject', 'x'], '{"ok":1}\nnot json\n');
    assert.equal(badLine.status, 2);
    assert.match(badLine.stderr, /<stdin>:2: not a JSON value/);
    assert.equal(run(['verify', '--dir', dir]).status, 0);
    rewriteLog(dir, (leaves) => leaves.slice(0, 10));
    const failed = run(['verify', '--dir', dir, '--format', 'json']);
    assert.equal(failed.status, 1);
    assert.equal((JSON.parse(failed.stdout) as { ok: boolean }).ok, false);
  });
});
