// How `bulwark policy test` prints its results: an aligned table for people, stable JSON for tools.
import type { TestRun } from './test-runner.ts';

export interface TestTableOptions {
  color: boolean;
}

export function formatTestTable(run: TestRun, options: TestTableOptions): string {
  const paint = (code: string, text: string): string => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const rows: string[][] = [['TEST', 'POLICY', 'RESOURCE', 'EXPECTED', 'ACTUAL', 'RESULT']];
  const reasons: string[] = [];
  for (const file of run.files) {
    for (const c of file.results) {
      rows.push([file.name, c.policy, c.resource, c.expected, c.actual, c.passed ? 'ok' : 'FAIL']);
      if (!c.passed) reasons.push(`${file.file}: ${c.policy} on ${c.resource}: ${c.reason ?? 'failed'}`);
    }
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((row, r) =>
    row
      .map((cell, i) => {
        const padded = i === row.length - 1 ? cell : cell.padEnd(widths[i]!);
        if (r === 0) return paint('1', padded);
        if (i === row.length - 1) return cell === 'ok' ? paint('32', padded) : paint('31;1', padded);
        return padded;
      })
      .join('  ')
      .trimEnd(),
  );
  const { summary } = run;
  const tail = `${summary.passed} passed, ${summary.failed} failed (${summary.results} results in ${summary.files} test file${summary.files === 1 ? '' : 's'})`;
  const body = rows.length > 1 ? `${lines.join('\n')}\n` : '';
  return `${body}${reasons.length > 0 ? `\n${reasons.join('\n')}\n` : ''}\n${tail}\n`;
}

/** `{"schemaVersion":"1","tool":…,"tests":[…],"summary":{…}}` */
export function formatTestJson(run: TestRun, tool: { name: string; version: string }): string {
  const document = {
    schemaVersion: '1',
    tool,
    tests: run.files.map((file) => ({
      file: file.file,
      name: file.name,
      results: file.results.map((c) => ({
        policy: c.policy,
        resource: c.resource,
        expected: c.expected,
        actual: c.actual,
        passed: c.passed,
        ...(c.message === undefined ? {} : { message: c.message }),
        messages: c.messages,
        ...(c.reason === undefined ? {} : { reason: c.reason }),
      })),
    })),
    diagnostics: run.diagnostics.map((d) => ({ level: d.level, message: d.message, location: d.location })),
    summary: run.summary,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
