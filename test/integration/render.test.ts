// Renders the fixtures under test/fixtures/render with the real kustomize, kubectl and helm (found on
// PATH or where scripts/install-tools.sh builds them) and checks the objects and their positions.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadInputs } from '../../src/load/index.ts';
import { renderHelm, renderKustomize } from '../../src/load/render.ts';
import { findTool } from '../../src/load/tool-runner.ts';
import { repoRoot } from '../support/shared.ts';

const fixtures = join(repoRoot, 'test', 'fixtures', 'render');
const kustomize = findTool('kustomize');
const kubectl = findTool('kubectl');
const helm = findTool('helm');

const missing = (name: string): string =>
  `${name} not found on PATH or in the tools cache; run scripts/install-tools.sh (or install ${name}) to run this test`;

/** Line `line` (1-based) of `text`. */
const lineAt = (text: string, line: number): string => text.split('\n')[line - 1] ?? '';

describe('rendering through the real tools', () => {
  it('kustomize build: objects of the overlay, positioned in the rendered stream', { skip: kustomize === null && missing('kustomize') }, async () => {
    const result = await loadInputs({ paths: [], kustomize: ['kustomize/overlay'] }, { cwd: fixtures });
    assert.deepEqual(result.diagnostics, []);
    assert.equal(result.files, 1);
    assert.deepEqual(
      result.objects.map((o) => [o.kind, o.namespace, o.name, o.source.file]).sort(),
      [
        ['Deployment', 'prod', 'prod-web', 'kustomize/overlay'],
        ['Service', 'prod', 'prod-web', 'kustomize/overlay'],
      ],
    );
    const deployment = result.objects.find((o) => o.kind === 'Deployment')!;
    assert.equal((deployment.raw.spec as { replicas: number }).replicas, 3);
    const { text } = await renderKustomize('kustomize/overlay', { cwd: fixtures });
    const privileged = deployment.positions.locate(['spec', 'template', 'spec', 'containers', 0, 'securityContext', 'privileged']);
    assert.match(lineAt(text, privileged.line), /^\s+privileged: true$/);
    assert.equal(lineAt(text, privileged.line).indexOf('privileged') + 1, privileged.column);
    assert.match(lineAt(text, deployment.source.line), /^apiVersion: apps\/v1$/);
  });

  it('kubectl kustomize when kustomize is absent', { skip: kubectl === null && missing('kubectl') }, async () => {
    const bin = mkdtempSync(join(tmpdir(), 'bulwark-kubectl-only-'));
    try {
      symlinkSync(kubectl!, join(bin, 'kubectl'));
      const env = { ...process.env, PATH: bin, BULWARK_TOOLS_DIR: join(bin, 'none') };
      const result = await loadInputs({ paths: [], kustomize: ['kustomize/overlay'] }, { cwd: fixtures, env });
      assert.deepEqual(result.diagnostics, []);
      assert.deepEqual(result.objects.map((o) => o.name).sort(), ['prod-web', 'prod-web']);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it('helm template: objects reported at their templates, values applied', { skip: helm === null && missing('helm') }, async () => {
    const chart = { chart: 'chart/web', values: ['chart/values-prod.yaml'], releaseName: 'demo', namespace: 'prod' };
    const result = await loadInputs({ paths: [], helm: chart }, { cwd: fixtures });
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(
      result.objects.map((o) => [o.kind, o.name, o.source.file]).sort(),
      [
        ['Deployment', 'demo-web', join('chart/web', 'templates', 'deployment.yaml')],
        ['Service', 'demo-web', join('chart/web', 'templates', 'service.yaml')],
      ],
    );
    const deployment = result.objects.find((o) => o.kind === 'Deployment')!;
    assert.equal((deployment.raw.spec as { replicas: number }).replicas, 4);
    // Lines count from the template's `# Source:` comment: they match the template's own lines here.
    assert.deepEqual(deployment.source, { file: join('chart/web', 'templates', 'deployment.yaml'), document: 1, line: 1, column: 1 });
    assert.deepEqual(deployment.positions.locate(['spec', 'replicas']), { line: 8, column: 3 });
    assert.deepEqual(deployment.positions.locate(['spec', 'template', 'spec', 'containers', 0, 'securityContext', 'privileged']), {
      line: 21,
      column: 13,
    });
    const { text } = await renderHelm(chart, { cwd: fixtures });
    assert.match(text, /# Source: web\/templates\/deployment\.yaml/);
  });

  it('helm failures carry the tool’s own message', { skip: helm === null && missing('helm') }, async () => {
    const result = await loadInputs({ paths: [], helm: { chart: 'chart/web', values: ['chart/missing-values.yaml'] } }, { cwd: fixtures });
    assert.deepEqual(result.objects, []);
    assert.equal(result.diagnostics.length, 1);
    assert.equal(result.diagnostics[0]!.code, 'E_TOOL_FAILED');
    assert.match(result.diagnostics[0]!.message, /helm template chart\/web exited with status 1:\n.*missing-values\.yaml/);
  });

  it('names the missing binary and how to get it', async () => {
    const env = { PATH: '', BULWARK_TOOLS_DIR: join(tmpdir(), 'bulwark-no-tools') };
    await assert.rejects(renderKustomize('kustomize/overlay', { cwd: fixtures, env }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'E_TOOL_MISSING');
      assert.match(error.message, /needs kustomize or kubectl/);
      assert.match(error.message, /go install sigs\.k8s\.io\/kustomize\/kustomize\/v5@/);
      return true;
    });
    await assert.rejects(renderHelm({ chart: 'chart/web', values: [] }, { cwd: fixtures, env }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'E_TOOL_MISSING');
      assert.match(error.message, /needs helm/);
      assert.match(error.message, /https:\/\/helm\.sh\/docs\/intro\/install\//);
      return true;
    });
  });
});
