import assert from 'node:assert/strict';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BulwarkError } from '../core/index.ts';
import { ConfigError } from './errors.ts';
import { findConfigFile, loadConfig } from './load.ts';

const knownControls = new Set(['pss-privileged', 'pss-host-ports']);

describe('loadConfig', () => {
  let root: string;

  before(async () => {
    // realpath: on some systems the temp dir is a symlink, and paths are compared below.
    root = await realpath(await mkdtemp(join(tmpdir(), 'bulwark-config-')));
    await mkdir(join(root, 'repo', 'apps', 'web', 'base'), { recursive: true });
    await mkdir(join(root, 'repo', 'apps', 'api'), { recursive: true });
    await mkdir(join(root, 'repo', 'both'), { recursive: true });
    await mkdir(join(root, 'repo', 'broken'), { recursive: true });
    await mkdir(join(root, 'repo', 'yml'), { recursive: true });
    await writeFile(join(root, 'repo', '.bulwark.yaml'), 'version: 1\nfailOn: high\n');
    await writeFile(join(root, 'repo', 'apps', 'web', '.bulwark.yaml'), 'version: 1\nfailOn: low\n');
    await writeFile(join(root, 'repo', 'apps', 'web', 'base', 'deploy.yaml'), 'kind: Deployment\n');
    await writeFile(join(root, 'repo', 'both', '.bulwark.yaml'), 'version: 1\n');
    await writeFile(join(root, 'repo', 'both', '.bulwark.yml'), 'version: 1\n');
    await writeFile(join(root, 'repo', 'broken', '.bulwark.yaml'), 'version: 1\nfailOn: hgh\n');
    await writeFile(join(root, 'repo', 'yml', '.bulwark.yml'), '\uFEFFversion: 1\nfailOn: medium\n');
    await writeFile(join(root, 'explicit.yaml'), 'version: 1\nfailOn: critical\n');
  });

  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('finds the nearest file walking up from the start directory', async () => {
    const { config, file } = await loadConfig({ startDir: join(root, 'repo', 'apps', 'web', 'base'), knownControls, cwd: root });
    assert.equal(file, join('repo', 'apps', 'web', '.bulwark.yaml'));
    assert.equal(config.file, file);
    assert.equal(config.failOn, 'low');
    assert.equal(config.baseDir, join(root, 'repo', 'apps', 'web'));
  });

  it('goes further up when the nearer directories have none', async () => {
    const { config, file } = await loadConfig({ startDir: join(root, 'repo', 'apps', 'api'), knownControls, cwd: root });
    assert.equal(file, join('repo', '.bulwark.yaml'));
    assert.equal(config.failOn, 'high');
  });

  it('starts from the directory of a file given as the start', async () => {
    const { file } = await loadConfig({ startDir: join(root, 'repo', 'apps', 'web', 'base', 'deploy.yaml'), knownControls, cwd: root });
    assert.equal(file, join('repo', 'apps', 'web', '.bulwark.yaml'));
  });

  it('reads .bulwark.yml too, without a byte order mark getting in the way', async () => {
    const { config, file } = await loadConfig({ startDir: join(root, 'repo', 'yml'), knownControls, cwd: root });
    assert.equal(file, join('repo', 'yml', '.bulwark.yml'));
    assert.equal(config.failOn, 'medium');
  });

  it('refuses two configuration files in one directory', async () => {
    await assert.rejects(loadConfig({ startDir: join(root, 'repo', 'both'), knownControls, cwd: root }), (error: unknown) => {
      assert.ok(error instanceof BulwarkError);
      assert.equal(error.code, 'E_CONFIG');
      assert.match(error.message, /\.bulwark\.yaml and .*\.bulwark\.yml exist; keep one of them/);
      return true;
    });
  });

  it('gives the defaults when there is no file up to the filesystem root', async () => {
    const empty = await mkdtemp(join(root, 'empty-'));
    // The walk continues above `root`; a stray file there would be found, so search from a fresh tree
    // and only assert the defaults when none exists above it.
    const above = await findConfigFile(root);
    const { config, file } = await loadConfig({ startDir: empty, knownControls, cwd: empty });
    if (above === null) {
      assert.equal(file, null);
      assert.equal(config.file, null);
      assert.equal(config.baseDir, empty);
      assert.deepEqual(config.pss, { level: 'restricted', version: 'latest' });
      assert.equal(config.failOn, undefined);
    } else {
      assert.equal(file, above);
    }
  });

  it('uses an explicit file instead of searching', async () => {
    const { config, file } = await loadConfig({
      explicitPath: 'explicit.yaml',
      startDir: join(root, 'repo', 'apps', 'web'),
      knownControls,
      cwd: root,
    });
    assert.equal(file, 'explicit.yaml');
    assert.equal(config.failOn, 'critical');
    assert.equal(config.baseDir, root);
  });

  it('shows a file outside the working directory by its absolute path', async () => {
    const { file } = await loadConfig({ explicitPath: join(root, 'explicit.yaml'), startDir: root, knownControls, cwd: join(root, 'repo') });
    assert.equal(file, join(root, 'explicit.yaml'));
  });

  it('fails when an explicit file does not exist', async () => {
    await assert.rejects(
      loadConfig({ explicitPath: 'missing.yaml', startDir: root, knownControls, cwd: root }),
      (error: unknown) => {
        assert.ok(error instanceof BulwarkError);
        assert.equal(error.code, 'E_CONFIG');
        assert.equal(error.toString(), 'missing.yaml: configuration file not found');
        return true;
      },
    );
  });

  it('fails when an explicit path is a directory', async () => {
    await assert.rejects(loadConfig({ explicitPath: 'repo', startDir: root, knownControls, cwd: root }), /configuration file not found/);
  });

  it('reports validation errors with the file as found', async () => {
    await assert.rejects(loadConfig({ startDir: join(root, 'repo', 'broken'), knownControls, cwd: root }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(error.location, { file: join('repo', 'broken', '.bulwark.yaml'), line: 2, column: 1 });
      return true;
    });
  });
});
