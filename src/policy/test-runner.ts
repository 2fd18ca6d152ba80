// `bulwark policy test`: runs policies against fixture objects and compares each outcome with the
// one a test file expects, like `kyverno test`. A test file (`bulwark-test.yaml`) names the policy
// files, the resources to evaluate, optional params (and namespaces, CRDs) and the expected result
// of each policy on each resource:
//
//   apiVersion: bulwark.dev/v1alpha1
//   kind: PolicyTest
//   metadata: {name: replica-limit}
//   policies: [policy.yaml]
//   params: [params.yaml]
//   resources: [resources.yaml]
//   userInfo: {username: alice, groups: [dev]}
//   results:
//     - policy: replica-limit
//       resources: [Deployment/shop/web]      # name, Kind/name or Kind/namespace/name
//       result: fail                          # pass | fail | error | skip
//       message: replicas must be at most 5   # optional: one of the failure messages, exactly
import { readdir, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { formatPath, type Diagnostic, type FieldPath, type KubeObject } from '../core/index.ts';
import { loadInputs } from '../load/index.ts';
import { compilePolicySet } from './compile.ts';
import { evaluatePolicySet, type PolicyOutcome, type PolicyResult, type UserInfo } from './evaluate.ts';

export const TEST_FILE_NAMES = ['bulwark-test.yaml', 'bulwark-test.yml'];
const OUTCOMES: readonly PolicyOutcome[] = ['pass', 'fail', 'error', 'skip'];
/** Directories deeper than this are not searched for test files. */
const MAX_SEARCH_DEPTH = 32;

export interface TestCaseResult {
  policy: string;
  resource: string;
  expected: PolicyOutcome;
  /** `missing` when the resource is not among the test's resources (or is ambiguous). */
  actual: PolicyOutcome | 'missing';
  /** The expected message, when the test names one. */
  message?: string;
  /** What the evaluation reported for this policy and resource. */
  messages: string[];
  passed: boolean;
  /** Why it did not pass, in words. */
  reason?: string;
}

export interface TestFileResult {
  /** As given or found, relative to the working directory. */
  file: string;
  name: string;
  results: TestCaseResult[];
}

export interface TestRun {
  files: TestFileResult[];
  diagnostics: Diagnostic[];
  summary: { files: number; results: number; passed: number; failed: number; errors: number };
  /** 0 all passed, 1 an outcome differed, 2 a test or policy could not be read. */
  exitCode: 0 | 1 | 2;
}

export async function runPolicyTests(paths: readonly string[], options: { cwd: string }): Promise<TestRun> {
  const diagnostics: Diagnostic[] = [];
  const files = await findTestFiles(paths.length === 0 ? ['.'] : paths, options.cwd, diagnostics);
  const results: TestFileResult[] = [];
  for (const file of files) {
    const result = await runTestFile(file, options.cwd, diagnostics);
    if (result !== undefined) results.push(result);
  }
  if (files.length === 0 && diagnostics.length === 0) {
    diagnostics.push({ level: 'error', code: 'E_INPUT', message: `no ${TEST_FILE_NAMES[0]} found`, location: { file: paths.join(' ') || '.' } });
  }
  const cases = results.flatMap((f) => f.results);
  const errors = diagnostics.filter((d) => d.level === 'error').length;
  const failed = cases.filter((c) => !c.passed).length;
  return {
    files: results,
    diagnostics,
    summary: { files: results.length, results: cases.length, passed: cases.length - failed, failed, errors },
    exitCode: errors > 0 ? 2 : failed > 0 ? 1 : 0,
  };
}

async function findTestFiles(paths: readonly string[], cwd: string, diagnostics: Diagnostic[]): Promise<string[]> {
  const found: string[] = [];
  for (const path of paths) {
    const absolute = resolve(cwd, path);
    let info;
    try {
      info = await stat(absolute);
    } catch {
      diagnostics.push({ level: 'error', code: 'E_IO', message: 'no such file or directory', location: { file: path } });
      continue;
    }
    if (info.isFile()) found.push(absolute);
    else await walk(absolute, 0, found);
  }
  return [...new Set(found)].map((file) => relative(cwd, file) || file);
}

async function walk(dir: string, depth: number, found: string[]): Promise<void> {
  if (depth > MAX_SEARCH_DEPTH) return;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await walk(path, depth + 1, found);
    else if (entry.isFile() && TEST_FILE_NAMES.includes(entry.name)) found.push(path);
  }
}

interface Expected {
  policy: string;
  resources: string[];
  result: PolicyOutcome;
  message: string | undefined;
}

interface TestSpec {
  name: string;
  policies: string[];
  resources: string[];
  params: string[];
  userInfo: UserInfo | undefined;
  results: Expected[];
}

async function runTestFile(file: string, cwd: string, diagnostics: Diagnostic[]): Promise<TestFileResult | undefined> {
  const loaded = await loadInputs([file], { cwd });
  diagnostics.push(...loaded.diagnostics.filter((d) => d.level === 'error'));
  const document = loaded.objects.find((o) => o.kind === 'PolicyTest');
  if (document === undefined) {
    if (!loaded.diagnostics.some((d) => d.level === 'error')) {
      diagnostics.push({ level: 'error', code: 'E_INPUT', message: 'not a test file: expected an object of kind PolicyTest', location: { file } });
    }
    return undefined;
  }
  const spec = readSpec(document, diagnostics);
  if (spec === undefined) return undefined;
  const base = dirname(resolve(cwd, file));
  const at = (paths: string[]): string[] => paths.map((p) => relative(cwd, resolve(base, p)) || '.');

  const [policies, params, resources] = await Promise.all([
    loadInputs(at(spec.policies), { cwd }),
    loadInputs(at(spec.params), { cwd }),
    loadInputs(at(spec.resources), { cwd }),
  ]);
  for (const part of [policies, params, resources]) diagnostics.push(...part.diagnostics.filter((d) => d.level === 'error'));
  const compiled = compilePolicySet(policies.objects);
  diagnostics.push(...compiled.diagnostics.filter((d) => d.level === 'error'));
  const set = { ...compiled.set, resources: [...compiled.set.resources, ...params.objects] };
  const evaluation = evaluatePolicySet(set, resources.objects, { collectResults: true, userInfo: spec.userInfo });

  const byPolicy = new Map<string, PolicyResult[]>();
  for (const result of evaluation.results) {
    let list = byPolicy.get(result.policy);
    if (list === undefined) byPolicy.set(result.policy, (list = []));
    list.push(result);
  }
  const cases: TestCaseResult[] = [];
  for (const expected of spec.results) {
    const policyKnown = set.policies.some((p) => p.name === expected.policy);
    for (const resource of expected.resources) {
      const base: Omit<TestCaseResult, 'actual' | 'passed' | 'messages'> = { policy: expected.policy, resource, expected: expected.result };
      if (expected.message !== undefined) base.message = expected.message;
      if (!policyKnown) {
        cases.push({ ...base, actual: 'missing', messages: [], passed: false, reason: `no policy "${expected.policy}" among the test's policies` });
        continue;
      }
      const matches = findResource(resources.objects, resource);
      if (matches.length !== 1) {
        const reason = matches.length === 0 ? `no resource ${resource} among the test's resources` : `${resource} names ${matches.length} resources; use Kind/namespace/name`;
        cases.push({ ...base, actual: 'missing', messages: [], passed: false, reason });
        continue;
      }
      const result = byPolicy.get(expected.policy)?.find((r) => r.object === matches[0]);
      const actual = result?.outcome ?? 'skip';
      const messages = result?.messages ?? [];
      let passed = actual === expected.result;
      let reason: string | undefined;
      if (!passed) reason = `expected ${expected.result}, got ${actual}${messages.length > 0 ? `: ${messages.join('; ')}` : ''}`;
      else if (expected.message !== undefined && !messages.includes(expected.message)) {
        passed = false;
        reason = `no failure message equals the expected one; got: ${messages.length === 0 ? '(none)' : messages.map((m) => JSON.stringify(m)).join(', ')}`;
      }
      cases.push({ ...base, actual, messages, passed, ...(reason === undefined ? {} : { reason }) });
    }
  }
  return { file, name: spec.name, results: cases };
}

/** `name`, `Kind/name` or `Kind/namespace/name`. */
function findResource(objects: readonly KubeObject[], id: string): KubeObject[] {
  const parts = id.split('/');
  if (parts.length === 1) return objects.filter((o) => o.name === parts[0]);
  if (parts.length === 2) return objects.filter((o) => o.kind === parts[0] && o.name === parts[1]);
  if (parts.length === 3) return objects.filter((o) => o.kind === parts[0] && (o.namespace ?? '') === parts[1] && o.name === parts[2]);
  return [];
}

function readSpec(document: KubeObject, diagnostics: Diagnostic[]): TestSpec | undefined {
  const raw = document.raw;
  let ok = true;
  const error = (path: FieldPath, message: string): void => {
    ok = false;
    const at = document.positions.locate(path);
    diagnostics.push({ level: 'error', code: 'E_INPUT', message: `${formatPath(path)}: ${message}`, location: { file: document.source.file, line: at.line, column: at.column } });
  };
  const stringList = (key: string, required: boolean): string[] => {
    const value = raw[key];
    if (value === undefined || value === null) {
      if (required) error([key], 'is required: a list of files or directories');
      return [];
    }
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v === '')) {
      error([key], 'must be a list of files or directories');
      return [];
    }
    return value as string[];
  };
  const policies = stringList('policies', true);
  const resources = stringList('resources', true);
  const params = stringList('params', false);
  let userInfo: UserInfo | undefined;
  if (raw.userInfo !== undefined && raw.userInfo !== null) {
    const u = raw.userInfo as Record<string, unknown>;
    if (typeof u !== 'object' || Array.isArray(u)) error(['userInfo'], 'must be a mapping (username, uid, groups)');
    else {
      userInfo = {};
      if (typeof u.username === 'string') userInfo.username = u.username;
      if (typeof u.uid === 'string') userInfo.uid = u.uid;
      if (Array.isArray(u.groups) && u.groups.every((g) => typeof g === 'string')) userInfo.groups = u.groups as string[];
    }
  }
  const results: Expected[] = [];
  if (!Array.isArray(raw.results) || raw.results.length === 0) error(['results'], 'is required: a list of expected results');
  else {
    raw.results.forEach((entry: unknown, i: number) => {
      const at: FieldPath = ['results', i];
      if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
        error(at, 'must be a mapping (policy, resources, result)');
        return;
      }
      const e = entry as Record<string, unknown>;
      if (typeof e.policy !== 'string' || e.policy === '') error([...at, 'policy'], 'is required');
      const list = e.resources ?? (e.resource === undefined ? undefined : [e.resource]);
      if (!Array.isArray(list) || list.length === 0 || list.some((r) => typeof r !== 'string' || r === '')) {
        error([...at, 'resources'], 'is required: a list of name, Kind/name or Kind/namespace/name');
      }
      if (typeof e.result !== 'string' || !(OUTCOMES as readonly string[]).includes(e.result)) error([...at, 'result'], `must be one of ${OUTCOMES.join(', ')}`);
      if (e.message !== undefined && typeof e.message !== 'string') error([...at, 'message'], 'must be a string');
      if (ok) {
        results.push({
          policy: e.policy as string,
          resources: list as string[],
          result: e.result as PolicyOutcome,
          message: e.message as string | undefined,
        });
      }
    });
  }
  if (!ok) return undefined;
  return { name: document.name || document.source.file, policies, resources, params, userInfo, results };
}
