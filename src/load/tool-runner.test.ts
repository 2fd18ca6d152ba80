import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { BulwarkError } from '../core/index.ts';
import { findTool, runTool, toolsBinDir } from './tool-runner.ts';

const node = process.execPath;
const limits = { timeoutMs: 10_000, maxOutputBytes: 1024 * 1024 };

describe('runTool', () => {
  it('returns standard output, passing arguments without a shell', async () => {
    const { stdout } = await runTool(node, ['-e', 'process.stdout.write(process.argv[1])', '$HOME; echo not-a-shell'], 'node', limits);
    assert.equal(stdout, '$HOME; echo not-a-shell');
  });

  it('reports a failing tool with its exit status and error output', async () => {
    await assert.rejects(runTool(node, ['-e', 'console.error("chart not found"); process.exit(3)'], 'helm template x', limits), (error) => {
      assert.ok(error instanceof BulwarkError);
      assert.equal(error.code, 'E_TOOL_FAILED');
      assert.equal(error.message, 'helm template x exited with status 3:\nchart not found');
      return true;
    });
  });

  it('stops a tool that runs past its time limit', async () => {
    await assert.rejects(runTool(node, ['-e', 'setTimeout(() => {}, 60000)'], 'slow', { ...limits, timeoutMs: 300 }), (error) => {
      assert.ok(error instanceof BulwarkError);
      assert.equal(error.code, 'E_TOOL_FAILED');
      assert.match(error.message, /slow did not finish within 0 s and was stopped/);
      return true;
    });
  });

  it('stops a tool that prints more than the bound', async () => {
    const flood = 'const chunk = "x".repeat(65536); const write = () => { while (process.stdout.write(chunk)); }; process.stdout.on("drain", write); write();';
    await assert.rejects(runTool(node, ['-e', flood], 'flood', { ...limits, maxOutputBytes: 100_000 }), (error) => {
      assert.ok(error instanceof BulwarkError);
      assert.equal(error.code, 'E_TOO_LARGE');
      return true;
    });
  });
});

describe('findTool', () => {
  it('finds an executable on PATH, then in the tools cache, else null', () => {
    const root = mkdtempSync(join(tmpdir(), 'bulwark-tools-'));
    try {
      const cacheBin = toolsBinDir({ BULWARK_TOOLS_DIR: root });
      assert.equal(cacheBin, join(root, 'bin'));
      const onPath = join(root, 'path-bin');
      const make = (file: string, mode: number): void => {
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, '#!/bin/sh\n');
        chmodSync(file, mode);
      };
      make(join(onPath, 'kustomize'), 0o755);
      make(join(cacheBin, 'helm'), 0o755);
      make(join(onPath, 'plain'), 0o644);
      const env = { PATH: onPath, BULWARK_TOOLS_DIR: root };
      assert.equal(findTool('kustomize', env), join(onPath, 'kustomize'));
      assert.equal(findTool('helm', env), join(cacheBin, 'helm'));
      assert.equal(findTool('plain', env), null);
      assert.equal(findTool('kubectl', env), null);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
