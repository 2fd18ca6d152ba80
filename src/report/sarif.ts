import { hash } from 'node:crypto';
import type { Control, Finding, Severity } from '../core/index.ts';
import { findingHoldsWide, findingPieces, indentedJson, joinParts, type FindingLineWriter } from './chunks.ts';
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
  return joinParts(sarifChunks(report, options));
}

/**
 * The same text as `formatSarif`, in pieces of about `CHUNK_SIZE` characters.
 *
 * The run's header (tool, rules, artifacts) is indented for reading; results, which can number in
 * the tens of thousands, are written one compact line each, which keeps the file small for upload
 * limits and still greppable and diffable per finding.
 */
export function* sarifChunks(report: ScanReport, options: SarifOptions = {}): Generator<string> {
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
  const head = `{\n  "$schema": ${JSON.stringify(SARIF_SCHEMA_URI)},\n  "version": "2.1.0",\n  "runs": [\n    ${run},\n      "results": [`;
  const { rest, any } = yield* findingPieces(head, report.findings, new ResultLines(rules, artifacts));
  yield rest + (any ? '\n      ]\n    }\n  ]\n}\n' : ']\n    }\n  ]\n}\n');
}

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** What every result of one rule at one severity starts and ends with. */
interface ResultFrame {
  /** `,\n        {"ruleId":…,"ruleIndex":…,"level":…,"message":{"text":` */
  head: string;
  /** `"},"properties":{"severity":…}}`, after the fingerprint. */
  tail: string;
}

class RuleTable {
  readonly descriptors: object[] = [];
  readonly #index = new Map<string, number>();
  readonly #frames = new Map<string, Map<Severity, ResultFrame>>();

  constructor(controls: readonly Control[]) {
    for (const control of controls) this.#add(control);
  }

  /** A finding whose control did not run as a rule (a meta finding, a user policy) still gets one. */
  indexOf(finding: Finding): number {
    return this.#index.get(finding.control) ?? this.#add({ ...finding, id: finding.control, description: finding.title });
  }

  /** The start and end of every result of this rule at this severity (overrides change the level). */
  resultFrameOf(finding: Finding): ResultFrame {
    let frames = this.#frames.get(finding.control);
    if (frames === undefined) {
      frames = new Map();
      this.#frames.set(finding.control, frames);
    }
    let frame = frames.get(finding.severity);
    if (frame === undefined) {
      const level = Object.hasOwn(LEVEL, finding.severity) ? LEVEL[finding.severity] : 'warning';
      const severity = JSON.stringify(finding.severity);
      frame = {
        head: `,\n        {"ruleId":${JSON.stringify(finding.control)},"ruleIndex":${this.indexOf(finding)},"level":"${level}","message":{"text":`,
        tail: `"},"properties":{"severity":${severity}}}`,
      };
      frames.set(finding.severity, frame);
    }
    return frame;
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

/** What every result about one object in one file repeats, computed once per object. */
interface ObjectText {
  finding: Finding;
  /** `"Deployment shop/web: ` (JSON, unclosed), the start of every message. */
  label: string;
  /** `},"locations":[{"physicalLocation":{"artifactLocation":{…},"region":{"startLine":` */
  region: string;
  /** `},"locations":[{"physicalLocation":{"artifactLocation":{…}},"logicalLocations":[`, for results without a line. */
  noRegion: string;
  /** `,"fullyQualifiedName":"apps/v1/Deployment/shop/web:` (JSON, unclosed): what precedes a field path. */
  qualifiedName: string;
  /** The logical location of a finding about the whole object (no field path), up to the fingerprint. */
  wholeObject: string;
  /** `\0group\0kind\0namespace\0name\0`: the fingerprint's text between control and field path. */
  fingerprintObject: string;
  /** `\0artifact`: the end of the fingerprint's text. */
  fingerprintArtifact: string;
  address: ArtifactAddress;
}

const FINGERPRINT_START = `]}],"partialFingerprints":{"${FINGERPRINT_KEY}":"`;
const PROPERTY_END = `,"kind":"property"}${FINGERPRINT_START}`;

/**
 * Writes `,\n        ` and one result, compact, from parts serialised once per rule and severity
 * and once per object, whose findings arrive one after another.
 *
 * The line is appended to piece by piece, with as few pieces as the shared parts allow, because
 * copying a chunk out costs per piece: building the region or the logical location as strings of
 * their own first measured 1.5 to 2 times slower on a report of 19,000 findings.
 */
class ResultLines implements FindingLineWriter {
  /** Whether the line `next` returned last holds a character beyond Latin-1. */
  wide = false;
  readonly #rules: RuleTable;
  readonly #artifacts: ArtifactTable;
  readonly #fingerprints = new FingerprintCounter();
  #object: ObjectText | undefined;

  constructor(rules: RuleTable, artifacts: ArtifactTable) {
    this.#rules = rules;
    this.#artifacts = artifacts;
  }

  next(finding: Finding): string {
    this.wide = findingHoldsWide(finding);
    const object = this.#objectOf(finding);
    const { line, column, path } = finding.location;
    const fingerprint = this.#fingerprints.next(
      finding.control + object.fingerprintObject + path + object.fingerprintArtifact,
      object.address,
    );
    const frame = this.#rules.resultFrameOf(finding);
    let out = frame.head;
    out += object.label;
    // JSON escapes character by character, so a quoted concatenation is the open quoted prefix
    // followed by the quoted suffix without its opening quote: the shared prefixes are quoted once.
    out += JSON.stringify(finding.message).slice(1);
    if (Number.isSafeInteger(line) && line >= 1) {
      out += object.region;
      out += line;
      if (Number.isSafeInteger(column) && column >= 1) {
        out += ',"startColumn":';
        out += column;
      }
      out += '}},"logicalLocations":[';
    } else {
      out += object.noRegion;
    }
    if (path === '') {
      out += object.wholeObject;
    } else {
      const pathJson = JSON.stringify(path);
      out += '{"name":';
      out += pathJson;
      out += object.qualifiedName;
      out += pathJson.slice(1);
      out += PROPERTY_END;
    }
    out += fingerprint;
    out += frame.tail;
    return out;
  }

  #objectOf(finding: Finding): ObjectText {
    if (this.#object !== undefined && sameObject(this.#object.finding, finding)) return this.#object;
    const { apiVersion, kind, namespace, name } = finding.object;
    const artifact = this.#artifacts.indexOf(finding.location.file);
    const { address } = artifact;
    const identity = JSON.stringify(`${apiVersion}/${kind}/${namespace === null ? '' : `${namespace}/`}${name}`).slice(0, -1);
    const location = `},"locations":[{"physicalLocation":{"artifactLocation":${artifact.locationJson}`;
    // The fingerprint names the API group, not the version, so a migration from
    // `extensions/v1beta1` keeps its alerts.
    const slash = apiVersion.lastIndexOf('/');
    const group = slash === -1 ? '' : apiVersion.slice(0, slash);
    this.#object = {
      finding,
      label: JSON.stringify(`${objectLabel(finding.object)}: `).slice(0, -1),
      region: `${location},"region":{"startLine":`,
      noRegion: `${location}},"logicalLocations":[`,
      qualifiedName: `,"fullyQualifiedName":${identity}:`,
      wholeObject: `{"name":${JSON.stringify(name)},"fullyQualifiedName":${identity}","kind":"object"}${FINGERPRINT_START}`,
      // NUL cannot occur in names, paths or URIs, so the joined parts stay unambiguous; a null
      // namespace is told apart from an empty one.
      fingerprintObject: `\u0000${group}\u0000${kind}\u0000${namespace ?? '\u0001'}\u0000${name}\u0000`,
      fingerprintArtifact: `\u0000${address.kind === 'described' ? address.description : address.uri}`,
      address,
    };
    return this.#object;
  }
}

/**
 * What stays the same when lines move: the control, the object's identity (API group, not version),
 * the field path and the artifact. The artifact is part of it because the same object name in two
 * overlays is two problems, not one. Identical findings in one artifact (a document pasted twice)
 * are numbered so that each keeps an identity of its own; findings arrive grouped by file, so only
 * the current artifact's are kept.
 */
class FingerprintCounter {
  #artifact: ArtifactAddress | undefined;
  #seen = new Map<string, number>();

  /** `identity` is the identifying text; lone surrogates hash as U+FFFD (UTF-8 encoding). */
  next(identity: string, address: ArtifactAddress): string {
    if (address !== this.#artifact) {
      this.#artifact = address;
      this.#seen = new Map();
    }
    const digest = hash('sha256', identity);
    const occurrence = (this.#seen.get(digest) ?? 0) + 1;
    this.#seen.set(digest, occurrence);
    return `${digest}:${occurrence}`;
  }
}
