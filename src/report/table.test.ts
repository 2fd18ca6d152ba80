import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Finding } from '../core/index.ts';
import { admin, defaultDeny, findingOf, privileged, reportOf, runAsNonRoot, sampleFindings, web } from './fixtures/sample.ts';
import { formatTable, tableChunks } from './table.ts';
import { displayWidth } from './terminal.ts';

const ANSI = /\u001b\[/;

describe('formatTable', () => {
  it('groups findings under a header naming the object and its file', () => {
    const text = formatTable(reportOf(sampleFindings));
    const lines = text.split('\n');
    assert.equal(lines[0], 'Deployment shop/web  examples/web.yaml');
    assert.match(lines[1] ?? '', /^ {2}CRITICAL {2}pss-privileged +14:13 +spec\.template\.spec\.containers\[0\]\.securityContext\.privileged +container "web" sets/);
    assert.match(lines[2] ?? '', /^ {2}MEDIUM {4}pss-run-as-non-root +9:7 +spec\.template\.spec\.securityContext +runAsNonRoot/);
    assert.ok(lines.includes('ClusterRole admin  examples/rbac.yaml'), 'cluster-scoped objects have no namespace');
    assert.ok(lines.includes('Deployment shop/web  (stdin)'), 'stdin is named, not printed as -');
  });

  it('aligns the columns of one object', () => {
    const lines = formatTable(reportOf(sampleFindings)).split('\n');
    const messageStart = (line: string, message: string): number => line.indexOf(message);
    assert.equal(messageStart(lines[1] ?? '', 'container "web"'), messageStart(lines[2] ?? '', 'runAsNonRoot'));
  });

  it('ends with the counts per severity and the scope of the scan', () => {
    const text = formatTable(reportOf(sampleFindings, undefined, { objects: 12, files: 3, suppressed: 2, errors: 1 }));
    const lines = text.trimEnd().split('\n');
    assert.equal(lines.at(-2), '4 findings: 1 critical, 0 high, 1 medium, 1 low, 1 info');
    assert.equal(lines.at(-1), 'Scanned 12 objects in 3 files; 2 findings suppressed by exceptions; 1 input could not be read or parsed.');
    assert.ok(text.endsWith('.\n'));
  });

  it('says so when there are no findings', () => {
    assert.equal(formatTable(reportOf([], undefined, { objects: 1, files: 1 })), 'No findings.\nScanned 1 object in 1 file.\n');
  });

  it('uses no ANSI escapes without colour, and colours severities and headers with it', () => {
    const report = reportOf(sampleFindings, undefined, { errors: 1 });
    assert.doesNotMatch(formatTable(report, { color: false }), ANSI);
    assert.doesNotMatch(formatTable(report), ANSI, 'colour is off unless asked for');
    const coloured = formatTable(report, { color: true });
    assert.ok(coloured.includes('\u001b[1;31mCRITICAL\u001b[0m'));
    assert.ok(coloured.includes('\u001b[1mDeployment shop/web\u001b[0m'));
    assert.equal(coloured.replace(/\u001b\[[0-9;]*m/g, ''), formatTable(report, { color: false }));
  });

  it('ends no line with spaces, whatever the message or path ends with', () => {
    const findings = [
      findingOf(privileged, web, { line: 3, column: 5, path: 'spec.a' }, 'trailing spaces  '),
      findingOf(privileged, web, { line: 4, column: 5, path: 'spec.b' }, 'trailing no-break space\u00a0'),
      findingOf(privileged, web, { line: 5, column: 5, path: 'spec.c' }, ''),
      findingOf(runAsNonRoot, admin, { line: 6, column: 1, path: '' }, ''),
      findingOf(runAsNonRoot, admin, { line: 7, column: 1, path: 'spec.d\u3000' }, 'x '.repeat(60)),
    ];
    const oneLine = formatTable(reportOf(findings)).split('\n');
    for (const line of oneLine) assert.doesNotMatch(line, /\s$/, JSON.stringify(line));
    assert.ok(oneLine.some((line) => line.endsWith('trailing spaces')));
    assert.ok(oneLine.some((line) => line.endsWith('trailing no-break space')));
    // Wrapped messages keep their words; the finding lines above them still end cleanly.
    const wrapped = formatTable(reportOf(findings), { width: 60 }).split('\n');
    const findingLines = wrapped.filter((line) => /^ {2}[A-Z]/.test(line));
    assert.equal(findingLines.length, findings.length);
    for (const line of findingLines) assert.doesNotMatch(line, /\s$/, JSON.stringify(line));
    assert.equal(formatTable(reportOf([findings[2] as Finding])).split('\n')[1], '  CRITICAL  pss-privileged  5:5  spec.c');
    assert.equal(formatTable(reportOf([findings[3] as Finding])).split('\n')[1], '  MEDIUM    pss-run-as-non-root  6:1');
  });

  it('moves messages that do not fit the width onto wrapped lines under the finding', () => {
    const long = `container "web" ${'sets a very long explanation '.repeat(6)}end`;
    const report = reportOf([findingOf(privileged, web, { line: 3, column: 5, path: 'spec.template.spec.containers[0]' }, long)]);
    const lines = formatTable(report, { width: 80 }).split('\n');
    assert.equal(lines[1], '  CRITICAL  pss-privileged  3:5  spec.template.spec.containers[0]');
    const wrapped = lines.slice(2, lines.indexOf(''));
    assert.ok(wrapped.length > 1);
    for (const line of wrapped) {
      assert.ok(line.startsWith(' '.repeat(12)));
      assert.ok(displayWidth(line) <= 80, `${line} fits`);
    }
    assert.equal(wrapped.map((line) => line.trim()).join(' '), long);
    assert.equal(formatTable(report).split('\n')[1]?.endsWith('end'), true, 'no width: one line');
  });

  it('cuts a runaway message after a few lines', () => {
    const report = reportOf([findingOf(privileged, web, {}, 'word '.repeat(10_000))]);
    const lines = formatTable(report, { width: 60 }).split('\n');
    const wrapped = lines.slice(2, lines.indexOf(''));
    assert.equal(wrapped.length, 6);
    assert.ok(wrapped.at(-1)?.endsWith('…'));
  });

  it('shows control characters and bidirectional overrides from manifests as visible escapes', () => {
    const hostile = 'web\u001b]0;pwned\u0007\u202Eevil\nnext';
    const report = reportOf([findingOf(privileged, { ...web, name: hostile }, { file: hostile, path: hostile }, hostile)]);
    for (const color of [false, true]) {
      const text = formatTable(report, { color });
      const withoutOurColours = text.replace(/\u001b\[[0-9;]*m/g, '');
      assert.doesNotMatch(withoutOurColours, /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u202E]/);
      assert.ok(withoutOurColours.includes('web\\x1b]0;pwned\\x07\\u202eevil\\nnext'));
    }
  });

  it('keeps objects apart when they share a name in different files or namespaces', () => {
    const findings = [
      findingOf(privileged, web, { file: 'a.yaml' }),
      findingOf(privileged, { ...web, namespace: 'other' }, { file: 'a.yaml', line: 20 }),
      findingOf(runAsNonRoot, web, { file: 'b.yaml' }),
      findingOf(defaultDeny, admin, { file: 'b.yaml', line: 30 }),
    ];
    const headers = formatTable(reportOf(findings))
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith(' '))
      .slice(0, -2);
    assert.deepEqual(headers, [
      'Deployment shop/web  a.yaml',
      'Deployment other/web  a.yaml',
      'Deployment shop/web  b.yaml',
      'ClusterRole admin  b.yaml',
    ]);
  });

  it('is deterministic and the same whether written whole or in chunks', () => {
    const report = reportOf(sampleFindings);
    assert.equal(formatTable(report, { width: 70 }), formatTable(reportOf([...sampleFindings]), { width: 70 }));
    assert.equal([...tableChunks(report, { width: 70 })].join(''), formatTable(report, { width: 70 }));
  });

  it('never exceeds the width with wrapped messages, whatever the message', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), fc.integer({ min: 50, max: 200 }), (message, width) => {
        const report = reportOf([findingOf(privileged, web, { path: 'spec.template.spec.containers[0].securityContext.privileged' }, message)]);
        const lines = formatTable(report, { width }).split('\n');
        for (const line of lines.slice(2, lines.indexOf(''))) assert.ok(displayWidth(line) <= width, line);
      }),
      { numRuns: 200 },
    );
  });
});
