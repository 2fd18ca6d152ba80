import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { BulwarkError } from '../core/index.ts';
import { defaultConfig, loadConfig, modeIn, parseConfig } from './config.ts';

describe('admission configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-admission-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('defaults to enforce baseline, warn and audit restricted, kube-system and kube-node-lease excluded', () => {
    const config = defaultConfig();
    assert.deepEqual(
      { enforce: config.podSecurity.enforce, warn: config.podSecurity.warn, audit: config.podSecurity.audit },
      { enforce: 'baseline', warn: 'restricted', audit: 'restricted' },
    );
    assert.deepEqual(config.excludedNamespaces, ['kube-system', 'kube-node-lease']);
    assert.equal(config.catalog.mode, 'off');
    assert.equal(config.mutations.resolveDigests, false);
  });

  it('reads a file and resolves per-namespace modes', async () => {
    const file = join(dir, 'admission.yaml');
    writeFileSync(file, 'apiVersion: bulwark.dev/v1alpha1\nkind: AdmissionConfiguration\ncatalog:\n  mode: warn\n  namespaces: {payments: enforce}\n');
    const config = await loadConfig(file);
    assert.equal(modeIn(config.catalog, 'payments'), 'enforce');
    assert.equal(modeIn(config.catalog, 'shop'), 'warn');
  });

  it('names the field that is wrong', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'podSecurity:\n  enforce: strict\n');
    await assert.rejects(loadConfig(file), (error: unknown) => error instanceof BulwarkError && error.code === 'E_CONFIG' && /podSecurity\.enforce/.test(error.message));
    assert.throws(() => parseConfig({ podSecurity: { enforceVersion: 'v2.0' } }), /podSecurity\.enforceVersion: must be "latest"/);
    assert.throws(() => parseConfig({ exemptions: { serviceAccounts: ['no-slash'] } }), /namespace\/name/);
    assert.throws(() => parseConfig({ surprise: true }), BulwarkError);
  });

  it('never throws anything but a typed error (fuzzed documents)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        try {
          parseConfig(value);
        } catch (error) {
          assert.ok(error instanceof BulwarkError, String(error));
        }
      }),
      { numRuns: 500 },
    );
  });
});
