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

  it('refuses an unknown format with a usage error', async () => {
    await assert.rejects(loadReportRenderer('yaml' as ReportFormat), (error: unknown) => error instanceof BulwarkError && error.code === 'E_USAGE');
  });
});
