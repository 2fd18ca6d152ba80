import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../../test/support/shared.ts';
import { templateFile, templateSources } from './render.ts';

describe('helm template provenance', () => {
  it('finds the # Source: comment of each rendered document', () => {
    const text = '---\n# Source: web/templates/a.yaml\nkind: A\n---\n# Source: web/charts/db/templates/b.yaml\nkind: B\n';
    assert.deepEqual(templateSources(text), [
      { offset: 4, template: 'web/templates/a.yaml' },
      { offset: 47, template: 'web/charts/db/templates/b.yaml' },
    ]);
    assert.deepEqual(templateSources('kind: A\n'), []);
  });

  it('maps a template to the file inside a chart directory, whatever the chart is called', () => {
    const cwd = join(repoRoot, 'test', 'fixtures', 'render');
    assert.equal(templateFile('chart/web', 'web/templates/deployment.yaml', cwd), join('chart/web', 'templates', 'deployment.yaml'));
    assert.equal(templateFile('chart/web', 'renamed/charts/db/templates/s.yaml', cwd), join('chart/web', 'charts', 'db', 'templates', 's.yaml'));
    assert.equal(templateFile('repo/web', 'web/templates/a.yaml', cwd), 'repo/web//templates/a.yaml');
  });
});
