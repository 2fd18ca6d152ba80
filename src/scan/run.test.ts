import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { writeCorpus } from '../../bench/corpus.ts';
import { runScan, type ScanRequest } from './run.ts';
import { workerCount } from './parallel.ts';

const scratch = mkdtempSync(join(tmpdir(), 'bulwark-scan-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function request(overrides: Partial<ScanRequest>): ScanRequest {
  return { paths: [], kustomize: [], cwd: scratch, now: new Date('2026-06-01T12:00:00Z'), toolVersion: 'test', ...overrides };
}

const privilegedPod = `apiVersion: v1
kind: Pod
metadata: {name: agent, namespace: ops}
spec:
  containers:
  - name: c
    image: i
    securityContext: {privileged: true}
`;

describe('runScan', () => {
  it('finds the same things with and without worker threads', async () => {
    const dir = join(scratch, 'corpus');
    writeCorpus(dir, { objects: 800, files: 12, namespaces: 10, seed: 7 });
    const single = await runScan(request({ paths: [dir], workers: 0 }));
    const parallel = await runScan(request({ paths: [dir], workers: 2 }));
    assert.ok(single.report.findings.length > 100);
    assert.deepEqual(parallel.report, single.report);
    assert.deepEqual(parallel.diagnostics, single.diagnostics);
    assert.equal(single.report.summary.objects, 800);
    assert.equal(single.report.summary.files, 12);
  });

  it('says how many bytes it reads once the files are known (the scan thread picks its compiler tiers by it)', async () => {
    const dir = join(scratch, 'sized');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'a.yaml'), privilegedPod);
    writeFileSync(join(dir, 'b.yaml'), privilegedPod.replace('agent', 'other'));
    const sizes: number[] = [];
    await runScan(request({ paths: [dir], onInputSize: (bytes) => sizes.push(bytes) }));
    assert.deepEqual(sizes, [Buffer.byteLength(privilegedPod) * 2]);
  });

  it('uses workers only when the input is large and there is more than one core', () => {
    assert.equal(workerCount(100_000, 8), 0);
    assert.equal(workerCount(50 * 2 ** 20, 2), 0, 'on two cores a worker does not pay for itself');
    assert.equal(workerCount(16 * 2 ** 20, 4), 1);
    assert.equal(workerCount(50 * 2 ** 20, 4), 3);
    assert.equal(workerCount(50 * 2 ** 20, 16), 3);
  });

  it('reports an expired exception and brings its findings back; a valid one hides them', async () => {
    const dir = join(scratch, 'expiry');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'pod.yaml'), privilegedPod);
    const config = (expires: string) =>
      `version: 1\nexceptions:\n  - controls: [pss-privileged]\n    names: [agent]\n    reason: "node agent (SEC-1)"\n    expires: ${expires}\n`;
    writeFileSync(join(dir, '.bulwark.yaml'), config('2026-06-01'));
    const valid = await runScan(request({ paths: [dir] }));
    assert.ok(!valid.report.findings.some((f) => f.control === 'pss-privileged'));
    assert.ok(!valid.report.findings.some((f) => f.control === 'exception-expired'));
    assert.ok(valid.report.summary.suppressed >= 1);

    writeFileSync(join(dir, '.bulwark.yaml'), config('2026-05-31'));
    const expired = await runScan(request({ paths: [dir] }));
    assert.ok(expired.report.findings.some((f) => f.control === 'pss-privileged'));
    const notice = expired.report.findings.find((f) => f.control === 'exception-expired');
    assert.ok(notice);
    assert.equal(notice.location.line, 3);
  });

  it('lets the command line override the configuration, and decides the exit code', async () => {
    const dir = join(scratch, 'exit');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'pod.yaml'), privilegedPod);
    writeFileSync(join(dir, '.bulwark.yaml'), 'version: 1\nfailOn: critical\npss: {level: baseline}\n');
    const fromConfig = await runScan(request({ paths: [dir] }));
    assert.equal(fromConfig.exitCode, 0, 'privileged is high, below critical');
    assert.ok(fromConfig.report.findings.every((f) => f.frameworks.pss !== 'restricted'), 'baseline from the file');
    const fromFlags = await runScan(request({ paths: [dir], failOn: 'high', pssLevel: 'restricted' }));
    assert.equal(fromFlags.exitCode, 1);
    assert.ok(fromFlags.report.findings.some((f) => f.frameworks.pss === 'restricted'));
  });

  it('exits 2 on unreadable input and still reports the rest', async () => {
    const dir = join(scratch, 'mixed');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'pod.yaml'), privilegedPod);
    const outcome = await runScan(request({ paths: [dir, join(scratch, 'no-such-dir')] }));
    assert.equal(outcome.exitCode, 2);
    assert.ok(outcome.diagnostics.some((d) => d.level === 'error' && d.location.file.includes('no-such-dir')));
    assert.ok(outcome.report.findings.some((f) => f.control === 'pss-privileged'));
  });

  it('reads stdin after the files', async () => {
    const outcome = await runScan(request({ paths: ['-'], readStdin: async () => privilegedPod }));
    assert.equal(outcome.report.findings.find((f) => f.control === 'pss-privileged')?.location.file, '-');
  });
});
