import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BulwarkError } from '../core/index.ts';
import { connect } from './client.ts';

const home = mkdtempSync(join(tmpdir(), 'bulwark-client-home-'));
after(() => rmSync(home, { recursive: true, force: true }));

/** Runs `body` with HOME and KUBECONFIG replaced, restoring them afterwards. */
async function withEnv<T>(env: { HOME: string; KUBECONFIG?: string }, body: () => Promise<T>): Promise<T> {
  const saved = { HOME: process.env['HOME'], KUBECONFIG: process.env['KUBECONFIG'] };
  process.env['HOME'] = env.HOME;
  if (env.KUBECONFIG === undefined) delete process.env['KUBECONFIG'];
  else process.env['KUBECONFIG'] = env.KUBECONFIG;
  try {
    return await body();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

describe('connect', () => {
  it('without any kubeconfig raises E_CONFIG naming the places looked at and the flags to use', async (t) => {
    if (existsSync('/var/run/secrets/kubernetes.io/serviceaccount/token')) {
      t.skip('this process runs in a Pod with a ServiceAccount token, so a configuration is always found');
      return;
    }
    await withEnv({ HOME: home }, async () => {
      await assert.rejects(connect(), (error: unknown) => {
        assert.ok(error instanceof BulwarkError, `expected a BulwarkError, got ${String(error)}`);
        assert.equal(error.code, 'E_CONFIG');
        assert.match(error.message, /^no usable kubeconfig found \(looked at \$KUBECONFIG \(not set\), /);
        assert.ok(error.message.includes(join(home, '.kube', 'config')), error.message);
        assert.match(error.message, /ServiceAccount token .*pass --kubeconfig FILE \(and --context NAME\)/);
        return true;
      });
    });
  });

  it('still reads a kubeconfig that names a cluster', async () => {
    const file = join(home, 'kubeconfig');
    writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]',
        'users: [{name: u, user: {token: t}}]',
        'contexts: [{name: ctx, context: {cluster: c, user: u}}]',
        'current-context: ctx',
        '',
      ].join('\n'),
    );
    const client = await withEnv({ HOME: home, KUBECONFIG: file }, () => connect());
    assert.equal(client.context, 'ctx');
    assert.equal(client.server, 'https://127.0.0.1:6443');
  });

  it('a missing --kubeconfig file is an E_CONFIG naming it', async () => {
    const missing = join(home, 'no-such-kubeconfig');
    await assert.rejects(connect({ kubeconfig: missing }), (error: unknown) => error instanceof BulwarkError && error.code === 'E_CONFIG' && error.location?.file === missing);
  });
});
