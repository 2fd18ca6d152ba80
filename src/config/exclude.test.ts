import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { defaultConfig, type Config } from './config.ts';
import { isExcluded } from './exclude.ts';

const base = join('/', 'work', 'repo');

function withExclude(exclude: string[]): Config {
  return { ...defaultConfig(base), file: '.bulwark.yaml', exclude };
}

describe('isExcluded', () => {
  const config = withExclude(['charts/**/tests/**', '**/*.generated.yaml', 'vendor']);

  it('matches globs relative to the configuration file directory', () => {
    assert.equal(isExcluded(config, join(base, 'charts', 'app', 'tests', 'pod.yaml')), true);
    assert.equal(isExcluded(config, join(base, 'deploy', 'crds.generated.yaml')), true);
    assert.equal(isExcluded(config, join(base, 'deploy', 'app.yaml')), false);
    assert.equal(isExcluded(config, join(base, 'charts', 'app', 'templates', 'pod.yaml')), false);
  });

  it('excludes a whole directory, and every file below it', () => {
    assert.equal(isExcluded(config, join(base, 'vendor')), true);
    assert.equal(isExcluded(config, join(base, 'vendor', 'lib', 'x.yaml')), true);
  });

  it('resolves relative paths against the given working directory', () => {
    assert.equal(isExcluded(config, join('charts', 'app', 'tests', 'pod.yaml'), base), true);
    assert.equal(isExcluded(config, join('..', 'vendor', 'x.yaml'), join(base, 'deploy')), true);
    assert.equal(isExcluded(config, 'app.yaml', base), false);
  });

  it('never excludes what lies outside the configuration file directory, the directory itself, or stdin', () => {
    const everything = withExclude(['**']);
    assert.equal(isExcluded(everything, join(base, 'a.yaml')), true);
    assert.equal(isExcluded(everything, join('/', 'elsewhere', 'a.yaml')), false);
    assert.equal(isExcluded(everything, join(base, '..', 'repo2', 'a.yaml')), false);
    assert.equal(isExcluded(everything, base), false);
    assert.equal(isExcluded(everything, '-'), false);
  });

  it('excludes nothing without globs', () => {
    assert.equal(isExcluded(defaultConfig(base), join(base, 'vendor', 'a.yaml')), false);
  });
});
