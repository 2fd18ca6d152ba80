// End-to-end through the real `bulwark` binary, as a user or a CI job runs it.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { writeCorpus } from '../bench/corpus.ts';
import { repoRoot } from './support/shared.ts';

const bin = join(repoRoot, 'bin', 'bulwark.js');

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

function bulwark(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Result {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: options.cwd ?? repoRoot,
    input: options.input ?? '',
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '', ...options.env },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface JsonFinding {
  control: string;
  severity: string;
  object: { kind: string; name: string; namespace: string | null };
  location: { file: string; line: number; column: number; path: string };
  message: string;
}

const scratch = mkdtempSync(join(tmpdir(), 'bulwark-cli-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('bulwark scan on the example application', () => {
  const run = bulwark(['scan', 'examples/', '--format', 'json']);
  const report = JSON.parse(run.stdout) as { schemaVersion: string; findings: JsonFinding[]; summary: Record<string, unknown> };

  it('exits 0 without --fail-on and prints the documented JSON', () => {
    assert.equal(run.status, 0, run.stderr);
    assert.equal(report.schemaVersion, '1');
    assert.ok(report.findings.length > 0);
  });

  it('points at the exact field of the privileged backup container', () => {
    const finding = report.findings.find((f) => f.control === 'pss-privileged' && f.object.name === 'db-backup');
    assert.ok(finding, 'privileged CronJob container reported');
    assert.equal(finding.location.file, 'examples/backup.yaml');
    assert.equal(finding.location.path, 'spec.jobTemplate.spec.template.spec.containers[0].securityContext.privileged');
    const lines = readFileSync(join(repoRoot, 'examples/backup.yaml'), 'utf8').split('\n');
    const line = lines[finding.location.line - 1]!;
    assert.equal(line.slice(finding.location.column - 1).split(':')[0], 'privileged');
    assert.match(finding.message, /true/);
  });

  it('reports nothing for the hardened storefront', () => {
    assert.deepEqual(
      report.findings.filter((f) => f.object.name === 'storefront' && f.control.startsWith('pss-')),
      [],
    );
  });

  it('honours the pod-template annotation exception of the log agent', () => {
    assert.equal(report.findings.filter((f) => f.object.name === 'log-agent' && f.control === 'pss-host-path-volumes').length, 0);
    assert.ok(report.findings.some((f) => f.object.name === 'log-agent' && f.control === 'pss-host-namespaces'));
  });

  it('is deterministic', () => {
    assert.equal(bulwark(['scan', 'examples/', '--format', 'json']).stdout, run.stdout);
  });
});

describe('exit codes', () => {
  it('exits 1 when a finding is at or above --fail-on', () => {
    assert.equal(bulwark(['scan', 'examples/', '--fail-on', 'high', '--format', 'json']).status, 1);
  });

  it('exits 2 on an unknown option or a bad value, naming it', () => {
    const unknown = bulwark(['scan', 'examples/', '--no-such-flag']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /no-such-flag/);
    const badLevel = bulwark(['scan', 'examples/', '--pss-level', 'strict']);
    assert.equal(badLevel.status, 2);
    assert.match(badLevel.stderr, /strict/);
    const badVersion = bulwark(['scan', 'examples/', '--pss-version', 'v2.0']);
    assert.equal(badVersion.status, 2);
    assert.match(badVersion.stderr, /v2\.0/);
  });

  it('exits 2 on broken YAML, names file:line:column, and still scans the other files', () => {
    const dir = join(scratch, 'broken');
    spawnSync('mkdir', ['-p', dir]);
    writeFileSync(join(dir, 'a-broken.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  labels: [unclosed\n');
    writeFileSync(
      join(dir, 'b-good.yaml'),
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: priv\nspec:\n  containers:\n  - name: c\n    image: i\n    securityContext:\n      privileged: true\n',
    );
    const run = bulwark(['scan', dir, '--format', 'json']);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /a-broken\.yaml:\d+:\d+: error: /);
    const findings = (JSON.parse(run.stdout) as { findings: JsonFinding[] }).findings;
    assert.ok(findings.some((f) => f.object.name === 'priv' && f.control === 'pss-privileged'));
  });
});

describe('inputs', () => {
  it('reads stdin with -', () => {
    const run = bulwark(['scan', '-', '--format', 'json'], {
      input: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: from-stdin\nspec:\n  hostNetwork: true\n  containers:\n  - name: c\n    image: i\n',
    });
    assert.equal(run.status, 0, run.stderr);
    const finding = (JSON.parse(run.stdout) as { findings: JsonFinding[] }).findings.find((f) => f.control === 'pss-host-namespaces');
    assert.ok(finding);
    assert.equal(finding.location.line, 6);
    assert.equal(finding.location.path, 'spec.hostNetwork');
  });

  it('says which binary is missing for --helm and exits 2', () => {
    const run = bulwark(['scan', '--helm', 'test/fixtures/render/chart'], { env: { PATH: '/nonexistent' } });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /helm/);
  });
});

describe('output', () => {
  it('writes no colour codes to a pipe, and groups the table by object', () => {
    const run = bulwark(['scan', 'examples/']);
    assert.equal(run.status, 0, run.stderr);
    assert.doesNotMatch(run.stdout, /\x1b\[/);
    assert.match(run.stdout, /CronJob/);
  });

  it('writes SARIF to --output', () => {
    const file = join(scratch, 'out.sarif');
    const run = bulwark(['scan', 'examples/', '--format', 'sarif', '--output', file]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, '');
    const sarif = JSON.parse(readFileSync(file, 'utf8')) as { version: string; runs: { results: unknown[] }[] };
    assert.equal(sarif.version, '2.1.0');
    assert.ok(sarif.runs[0]!.results.length > 0);
  });

  it('ends only once a large report is through a pipe its reader drains slowly, with its exit code', async () => {
    // A finished scan exits without tearing down its heaps (bin/bulwark.js): that must never cut the report.
    const corpus = join(scratch, 'large');
    writeCorpus(corpus, { objects: 1500, files: 6, namespaces: 20, seed: 5 });
    const child = spawn(process.execPath, [bin, 'scan', corpus, '--format', 'json', '--fail-on', 'low'], { env: { ...process.env, NO_COLOR: '' } });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const pieces: Buffer[] = [];
    // A pause after each piece keeps the pipe full, so the child's writes wait on this reader.
    for await (const piece of child.stdout) {
      pieces.push(piece as Buffer);
      await sleep(2);
    }
    assert.equal(await exited, 1);
    const text = Buffer.concat(pieces).toString('utf8');
    assert.ok(text.length > 1_000_000, String(text.length));
    const report = JSON.parse(text) as { findings: unknown[]; summary: { findings: number; objects: number } };
    assert.equal(report.findings.length, report.summary.findings);
    assert.equal(report.summary.objects, 1500);
  });

  it('says when --output cannot take the report (a full disk) and exits 2, not as an internal error', { skip: existsSync('/dev/full') ? false : 'no /dev/full on this system' }, () => {
    const run = bulwark(['scan', 'examples/', '--format', 'json', '--output', '/dev/full']);
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, /\/dev\/full: cannot write the output file: no space left on device/);
    assert.doesNotMatch(run.stderr, /internal error/);
  });

    it('writes JUnit XML', () => {
    const run = bulwark(['scan', 'examples/', '--format', 'junit']);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^<\?xml/);
    assert.match(run.stdout, /<failure/);
  });
});

describe('help and the catalog', () => {
  for (const command of [[], ['scan'], ['controls']]) {
    it(`bulwark ${command.join(' ')} --help shows an example`, () => {
      const run = bulwark([...command, '--help']);
      assert.equal(run.status, 0);
      assert.match(run.stdout, /Examples:\n\s+\$ bulwark/);
    });
  }

  it('lists the controls as JSON', () => {
    const run = bulwark(['controls', '--format', 'json']);
    assert.equal(run.status, 0, run.stderr);
    const { controls } = JSON.parse(run.stdout) as { controls: { id: string }[] };
    assert.ok(controls.some((c) => c.id === 'pss-privileged'));
  });

  it('docs/controls.md is the generated catalog', () => {
    const run = bulwark(['controls', '--format', 'markdown']);
    assert.equal(run.stdout, readFileSync(join(repoRoot, 'docs', 'controls.md'), 'utf8'), 'run `npm run docs:controls`');
  });
});
