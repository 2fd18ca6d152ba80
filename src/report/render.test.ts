import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BulwarkError } from '../core/index.ts';
import { bulkReport, reportOf, sampleFindings } from './fixtures/sample.ts';
import { REPORT_FORMATS, renderReport, type ReportFormat } from './index.ts';
import { loadReportRenderer } from './render.ts';

describe('loadReportRenderer', () => {
  const options = { baseDir: '/repo', width: 80, color: true };

  it('renders every format exactly as renderReport does', async () => {
    for (const report of [reportOf(sampleFindings), bulkReport(3000)]) {
      for (const format of REPORT_FORMATS) {
        const render = await loadReportRenderer(format);
        assert.equal([...render(report, options)].join(''), renderReport(report, format, options), format);
      }
    }
  });

  it('hands out a finding holding a character beyond Latin-1 as a piece of its own, the text unchanged', async () => {
    const base = bulkReport(2000);
    const report = { ...base, findings: base.findings.map((finding, index) => (index % 101 === 7 ? { ...finding, message: `${finding.message} → ClusterRole view` } : finding)) };
    for (const [format, marker] of [['json', '"control":'], ['sarif', '"ruleId":']] as const) {
      const render = await loadReportRenderer(format);
      const chunks = [...render(report, options)];
      const wide = chunks.filter((chunk) => chunk.includes('→'));
      assert.equal(wide.length, 20, format);
      for (const chunk of wide) assert.equal(chunk.split(marker).length, 2, `${format}: one finding per wide piece`);
      assert.equal(chunks.join(''), renderReport(report, format, options), format);
    }
  });

  it('refuses an unknown format with a usage error', async () => {
    await assert.rejects(loadReportRenderer('yaml' as ReportFormat), (error: unknown) => error instanceof BulwarkError && error.code === 'E_USAGE');
  });
});
