import { hash } from 'node:crypto';
import type { Control, Finding, Severity } from '../core/index.ts';
import { batched, indentedJson, joinParts } from './chunks.ts';
import { frameworkLabels } from './frameworks.ts';
import { jsonFrameworks } from './json.ts';
import { objectLabel, sameObject, type ScanReport } from './model.ts';
import { artifactAddress, directoryUri, type AddressOptions, type ArtifactAddress } from './uri.ts';

export const SARIF_SCHEMA_URI = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

/** The base every relative artifact URI is resolved against; named in `originalUriBaseIds`. */
export const SRCROOT = 'SRCROOT';

/** Versioned so that a change of what identifies a finding can be told apart from a new finding. */
export const FINGERPRINT_KEY = 'bulwarkFinding/v1';

export interface SarifOptions extends AddressOptions {
  /** The project's home page, shown by viewers as the tool's link. */
  informationUri?: string | undefined;
}

type Level = 'error' | 'warning' | 'note';

/**
 * Code scanning viewers (GitHub) show `level` to everyone, so high and critical must read as errors;
 * low and info are advice.
 */
const LEVEL: Readonly<Record<Severity, Level>> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

/**
 * `security-severity` is the CVSS-like score GitHub code scanning reads to rank security alerts:
 * above 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low. Each score sits well inside its
 * band so that the band, not the number, is what users see. `info` gets none: an informational
 * finding is not a vulnerability, and without a score GitHub falls back to the `note` level
 * instead of raising a "low" security alert.
 */
const SECURITY_SEVERITY: Readonly<Record<Severity, string | undefined>> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '2.0',
  info: undefined,
};

/** SARIF 2.1.0: one run, rules = the controls that ran, one result per finding. */
export function formatSarif(report: ScanReport, options: SarifOptions = {}): string {
  return joinParts(sarifParts(report, options));
}

/** The same text as `formatSarif`, in pieces of about 64 KiB. */
export function sarifChunks(report: ScanReport, options: SarifOptions = {}): Generator<string> {
  return batched(sarifParts(report, options));
}

/**
 * The run's header (tool, rules, artifacts) is indented for reading; results, which can number in
 * the tens of thousands, are written one compact line each, which keeps the file small for upload
 * limits and still greppable and diffable per finding.
 */
function* sarifParts(report: ScanReport, options: SarifOptions): Generator<string> {
  // Rules and artifacts come before results in the document, so they are collected first.
  const rules = new RuleTable(report.controls);
  const artifacts = new ArtifactTable(options);
  for (const finding of report.findings) {
    rules.indexOf(finding);
    artifacts.indexOf(finding.location.file);
  }

  const driver: Record<string, unknown> = { name: report.tool.name, version: report.tool.version };
  if (SEMVER.test(report.tool.version)) driver.semanticVersion = report.tool.version;
  if (options.informationUri !== undefined) driver.informationUri = options.informationUri;
  driver.rules = rules.descriptors;

  const header: Record<string, unknown> = {
    tool: { driver },
    invocations: [{ executionSuccessful: report.summary.errors === 0 }],
  };
  if (options.baseDir !== undefined) {
    header.originalUriBaseIds = { [SRCROOT]: { uri: directoryUri(options.baseDir) } };
  }
  header.artifacts = artifacts.entries;
  // Columns are offsets in JavaScript strings.
  header.columnKind = 'utf16CodeUnits';

  let run = indentedJson(header, 4);
  run = run.slice(0, run.length - '\n    }'.length);
  yield `{\n  "$schema": ${JSON.stringify(SARIF_SCHEMA_URI)},\n  "version": "2.1.0",\n  "runs": [\n    ${run},\n      "results": [`;

  const fingerprints = new FingerprintCounter();
  const results = new ResultWriter();
  let separator = '\n        ';
  for (const finding of report.findings) {
    const artifact = artifacts.indexOf(finding.location.file);
    yield separator + results.write(finding, rules.prefixOf(finding), artifact, fingerprints.next(finding, artifact.address));
    separator = ',\n        ';
  }
  yield report.findings.length === 0 ? ']\n    }\n  ]\n}\n' : '\n      ]\n    }\n  ]\n}\n';
}

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

class RuleTable {
  readonly descriptors: object[] = [];
  readonly #index = new Map<string, number>();
  readonly #prefix = new Map<string, string>();

  constructor(controls: readonly Control[]) {
    for (const control of controls) this.#add(control);
  }

  /** A finding whose control did not run as a rule (a meta finding, a user policy) still gets one. */
  indexOf(finding: Finding): number {
    return this.#index.get(finding.control) ?? this.#add({ ...finding, id: finding.control, description: finding.title });
  }

  /** `{"ruleId":…,"ruleIndex":…,`: the start of every result of this rule. */
  prefixOf(finding: Finding): string {
    let prefix = this.#prefix.get(finding.control);
    if (prefix === undefined) {
      prefix = `{"ruleId":${JSON.stringify(finding.control)},"ruleIndex":${this.indexOf(finding)},`;
      this.#prefix.set(finding.control, prefix);
    }
    return prefix;
  }

  #add(control: Control): number {
    const existing = this.#index.get(control.id);
    if (existing !== undefined) return existing;
    const index = this.descriptors.length;
    this.descriptors.push(ruleDescriptor(control));
    this.#index.set(control.id, index);
    return index;
  }
}

function ruleDescriptor(control: Control): object {
  const frameworks = frameworkLabels(control.frameworks);
  const properties: Record<string, unknown> = {
    tags: ['security', 'kubernetes', control.area, ...frameworkTags(control)],
  };
  const score = SECURITY_SEVERITY[control.severity];
  if (score !== undefined) properties['security-severity'] = score;
  properties.severity = control.severity;
  properties.area = control.area;
  properties.frameworks = jsonFrameworks(control.frameworks);

  const frameworkText = frameworks.length > 0 ? `\n\nFrameworks: ${frameworks.join('; ')}` : '';
  const frameworkMarkdown = frameworks.length > 0 ? `\n\n**Frameworks:** ${frameworks.join('; ')}` : '';
  return {
    id: control.id,
    name: ruleName(control.id),
    shortDescription: { text: control.title },
    fullDescription: { text: control.description, markdown: control.description },
    help: {
      text: `${control.description}\n\nRemediation: ${control.remediation}${frameworkText}`,
      markdown: `${control.description}\n\n**Remediation:** ${control.remediation}${frameworkMarkdown}`,
    },
    defaultConfiguration: { level: LEVEL[control.severity] },
    properties,
  };
}

/** `pss:restricted`, `cis:5.2.2`: one tag per framework id, so viewers can filter by them. */
function frameworkTags(control: Control): string[] {
  const { pss, cis, nsa, mitre, kubescape } = control.frameworks;
  const tags: string[] = [];
  if (pss !== undefined) tags.push(`pss:${pss}`);
  for (const id of cis ?? []) tags.push(`cis:${id}`);
  for (const id of nsa ?? []) tags.push(`nsa:${id}`);
  for (const id of mitre ?? []) tags.push(`mitre:${id}`);
  for (const id of kubescape ?? []) tags.push(`kubescape:${id}`);
  return tags;
}

/** SARIF wants a readable identifier without spaces: `pss-run-as-non-root` → `PssRunAsNonRoot`. */
function ruleName(id: string): string {
  const name = id
    .split(/[^A-Za-z0-9]+/)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
  return name === '' ? 'Control' : name;
}

interface ArtifactRef {
  index: number;
  address: ArtifactAddress;
  /** The result's `artifactLocation`, serialised once per artifact. */
  locationJson: string;
}

class ArtifactTable {
  readonly entries: object[] = [];
  readonly #byFile = new Map<string, ArtifactRef>();
  readonly #options: AddressOptions;

  constructor(options: AddressOptions) {
    this.#options = options;
  }

  #last: ArtifactRef | undefined;
  #lastFile: string | undefined;

  indexOf(file: string): ArtifactRef {
    // Findings arrive grouped by file: most lookups are for the file of the previous one.
    if (file === this.#lastFile && this.#last !== undefined) return this.#last;
    let ref = this.#byFile.get(file);
    if (ref === undefined) {
      const address = artifactAddress(file, this.#options);
      const index = this.entries.length;
      ref = { index, address, locationJson: JSON.stringify(artifactLocation(address, index)) };
      const entry: Record<string, unknown> = { location: artifactLocation(address) };
      const mimeType = mimeTypeOf(file);
      if (mimeType !== undefined) entry.mimeType = mimeType;
      entry.roles = ['analysisTarget'];
      this.entries.push(entry);
      this.#byFile.set(file, ref);
    }
    this.#last = ref;
    this.#lastFile = file;
    return ref;
  }
}

function artifactLocation(address: ArtifactAddress, index?: number): Record<string, unknown> {
  const location: Record<string, unknown> =
    address.kind === 'relative'
      ? { uri: address.uri, uriBaseId: SRCROOT }
      : address.kind === 'absolute'
        ? { uri: address.uri }
        : { description: { text: address.description } };
  if (index !== undefined) location.index = index;
  return location;
}

function mimeTypeOf(file: string): string | undefined {
  const lower = file.toLowerCase();
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'application/yaml';
  if (lower.endsWith('.json')) return 'application/json';
  return undefined;
}

const LEVEL_JSON: Readonly<Record<Severity, string>> = {
  critical: '"level":"error",',
  high: '"level":"error",',
  medium: '"level":"warning",',
  low: '"level":"note",',
  info: '"level":"note",',
};

/** What every result about one object repeats, computed once per object. */
interface ObjectContext {
  finding: Finding;
  /** `"Deployment shop/web: ` (JSON, unclosed), the start of every message. */
  labelJson: string;
  /** `"apps/v1/Deployment/shop/web` (JSON, unclosed); cluster-scoped objects have no namespace segment. */
  identityJson: string;
}

/** Results in order, each compact, sharing what the previous finding about the same object computed. */
class ResultWriter {
  #context: ObjectContext | undefined;

  write(finding: Finding, prefix: string, artifact: ArtifactRef, fingerprint: string): string {
    const q = JSON.stringify;
    const context = this.#contextOf(finding);
    const { line, column, path } = finding.location;
    let region = '';
    if (Number.isSafeInteger(line) && line >= 1) {
      region =
        Number.isSafeInteger(column) && column >= 1
          ? `,"region":{"startLine":${line},"startColumn":${column}}`
          : `,"region":{"startLine":${line}}`;
    }
    // JSON escapes character by character, so a quoted concatenation is the open quoted prefix
    // followed by the quoted suffix without its opening quote: the shared prefixes are quoted once.
    let logical: string;
    if (path === '') {
      logical = `{"name":${q(finding.object.name)},"fullyQualifiedName":${context.identityJson}","kind":"object"}`;
    } else {
      const pathJson = q(path);
      logical = `{"name":${pathJson},"fullyQualifiedName":${context.identityJson}:${pathJson.slice(1)},"kind":"property"}`;
    }
    return (
      prefix +
      (LEVEL_JSON[finding.severity] ?? '"level":"warning",') +
      `"message":{"text":${context.labelJson}${q(finding.message).slice(1)}},` +
      `"locations":[{"physicalLocation":{"artifactLocation":${artifact.locationJson}${region}},"logicalLocations":[${logical}]}],` +
      `"partialFingerprints":{"${FINGERPRINT_KEY}":"${fingerprint}"},` +
      `"properties":{"severity":${q(finding.severity)}}}`
    );
  }

  #contextOf(finding: Finding): ObjectContext {
    if (this.#context !== undefined && sameObject(this.#context.finding, finding)) return this.#context;
    const { apiVersion, kind, namespace, name } = finding.object;
    const identity = `${apiVersion}/${kind}/${namespace === null ? '' : `${namespace}/`}${name}`;
    this.#context = {
      finding,
      labelJson: JSON.stringify(`${objectLabel(finding.object)}: `).slice(0, -1),
      identityJson: JSON.stringify(identity).slice(0, -1),
    };
    return this.#context;
  }
}

/**
 * What stays the same when lines move: the control, the object's identity (API group, not version,
 * so a migration from `extensions/v1beta1` keeps its alerts), the field path and the artifact. The
 * artifact is part of it because the same object name in two overlays is two problems, not one.
 * Identical findings in one artifact (a document pasted twice) are numbered so that each keeps an
 * identity of its own; findings arrive grouped by file, so only the current artifact's are kept.
 */
class FingerprintCounter {
  #artifact: ArtifactAddress | undefined;
  #seen = new Map<string, number>();

  next(finding: Finding, address: ArtifactAddress): string {
    if (address !== this.#artifact) {
      this.#artifact = address;
      this.#seen = new Map();
    }
    const { apiVersion, kind, namespace, name } = finding.object;
    const slash = apiVersion.lastIndexOf('/');
    const group = slash === -1 ? '' : apiVersion.slice(0, slash);
    const artifact = address.kind === 'described' ? address.description : address.uri;
    // NUL cannot occur in names, paths or URIs, so the joined parts stay unambiguous; a null
    // namespace is told apart from an empty one. Lone surrogates hash as U+FFFD (UTF-8 encoding).
    const digest = hash(
      'sha256',
      `${finding.control}\u0000${group}\u0000${kind}\u0000${namespace ?? '\u0001'}\u0000${name}\u0000${finding.location.path}\u0000${artifact}`,
    );
    const occurrence = (this.#seen.get(digest) ?? 0) + 1;
    this.#seen.set(digest, occurrence);
    return `${digest}:${occurrence}`;
  }
}
