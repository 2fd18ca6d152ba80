import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allControls, catalogListing } from '../checks/catalog.ts';
import { BulwarkError } from '../core/index.ts';
import { imageControls } from '../image/checks/config.ts';
import { formatControlsJson, formatControlsMarkdown } from '../report/index.ts';
import { clusterControlIds } from './checks.ts';
import { clusterControls } from './controls.ts';

describe('cluster-only and image controls in the listing', () => {
  const listing = catalogListing({ cluster: clusterControls, image: imageControls });

  it('lists every control a cluster scan may report, beside the catalog, saying where it runs', () => {
    const ids = new Set(listing.map((c) => c.id));
    for (const id of clusterControlIds) assert.ok(ids.has(id), id);
    for (const control of allControls) assert.ok(ids.has(control.id), control.id);
    for (const control of clusterControls) {
      const listed = listing.find((c) => c.id === control.id)!;
      assert.match(listed.description, /Evaluated by `bulwark cluster scan` only/);
      assert.ok(listed.remediation.length > 0 && listed.title.length > 0);
      assert.ok(!('evaluateSet' in listed), 'only the control, not the check');
    }
    for (const control of imageControls) assert.match(listing.find((c) => c.id === control.id)!.description, /`bulwark image scan` only/);
  });

  it('renders them with ids, severity, frameworks and remediation in JSON and Markdown', () => {
    const json = JSON.parse(formatControlsJson(listing)) as { controls: { id: string; severity: string; frameworks: Record<string, unknown>; remediation: string }[] };
    const csr = json.controls.find((c) => c.id === 'cluster-csr-privileged-group')!;
    assert.equal(csr.severity, 'critical');
    assert.ok(Object.keys(csr.frameworks).length > 0 && csr.remediation.length > 0);
    const markdown = formatControlsMarkdown(listing);
    for (const id of [...clusterControlIds, 'image-secret-in-layer']) assert.ok(markdown.includes(`- **Id:** \`${id}\``), id);
  });

  it('refuses an id defined twice', () => {
    assert.throws(() => catalogListing({ cluster: [clusterControls[0]!], image: [clusterControls[0]!] }), (e: BulwarkError) => e.code === 'E_INTERNAL' && e.message.includes(clusterControls[0]!.id));
  });
});
