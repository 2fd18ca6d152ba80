import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileNameGlob, matchesPathGlob } from './glob.ts';

describe('compileNameGlob', () => {
  it('matches a plain name exactly', () => {
    const matches = compileNameGlob('kube-system');
    assert.equal(matches('kube-system'), true);
    assert.equal(matches('kube-system-2'), false);
    assert.equal(matches('Kube-system'), false);
  });

  it('takes * as any run of characters, also none', () => {
    const matches = compileNameGlob('monitoring-*');
    assert.equal(matches('monitoring-'), true);
    assert.equal(matches('monitoring-prod'), true);
    assert.equal(matches('monitoring'), false);
    assert.equal(matches('team-monitoring-prod'), false);
    assert.equal(compileNameGlob('*')(''), true);
    assert.equal(compileNameGlob('*-exporter*')('node-exporter-abc'), true);
    assert.equal(compileNameGlob('*-exporter')('node-exporter'), true);
    assert.equal(compileNameGlob('*-exporter')('node-exporter-abc'), false);
    assert.equal(compileNameGlob('a*b*')('axxbyy'), true);
    assert.equal(compileNameGlob('a*b*')('axxcyy'), false);
  });

  it('takes ? as exactly one character', () => {
    const matches = compileNameGlob('web-?');
    assert.equal(matches('web-1'), true);
    assert.equal(matches('web-'), false);
    assert.equal(matches('web-12'), false);
  });

  it('keeps every other character literal, regex syntax included', () => {
    assert.equal(compileNameGlob('a.b')('a.b'), true);
    assert.equal(compileNameGlob('a.b')('axb'), false);
    assert.equal(compileNameGlob('a+[b]*')('a+[b]c'), true);
    assert.equal(compileNameGlob('a+[b]*')('aab'), false);
  });
});

describe('matchesPathGlob', () => {
  it('matches the path itself', () => {
    assert.equal(matchesPathGlob('charts/app/tests/a.yaml', 'charts/**/tests/**'), true);
    assert.equal(matchesPathGlob('deploy/app.generated.yaml', '**/*.generated.yaml'), true);
    assert.equal(matchesPathGlob('deploy/app.yaml', '**/*.generated.yaml'), false);
  });

  it('matches a directory above the path, so a directory name excludes everything below it', () => {
    assert.equal(matchesPathGlob('vendor/x/deploy.yaml', 'vendor'), true);
    assert.equal(matchesPathGlob('vendored/deploy.yaml', 'vendor'), false);
    assert.equal(matchesPathGlob('apps/vendor/deploy.yaml', 'vendor'), false);
    assert.equal(matchesPathGlob('apps/vendor/deploy.yaml', '**/vendor'), true);
  });
});
