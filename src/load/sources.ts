// Everything a scan reads, turned into Kubernetes objects: named files and directories, stdin,
// Kustomize overlays and Helm charts. Problems become diagnostics; nothing here throws for bad input,
// and one bad input never stops the others.
import { resolve } from 'node:path';
import type { BulwarkError, KubeObject } from '../core/index.ts';
import { diagnosticFromThrown, errorDiagnostic, note, type Diagnostic } from './diagnostic.ts';
import { decode, discoverFiles, readManifest, readStream, tooLarge, type FileContent } from './files.ts';
import { DEFAULT_MAX_FILE_BYTES } from './limits.ts';
import { documentObjects, documentsToObjects, type Provenance } from './objects.ts';
import { renderHelm, renderKustomize, templateFile, templateSources, type HelmInput, type Rendered, type TemplateSource } from './render.ts';
import { parseYamlStream, streamYamlSegments, streamYamlText, type ParsedDocument, type ParseOutcome } from './yaml.ts';

export interface LoadInputs {
  /** Files, directories (searched recursively for .yaml, .yml, .json), or `-` for stdin. */
  paths: readonly string[];
  /** Directories to render with `kustomize build` (or `kubectl kustomize`). */
  kustomize?: readonly string[];
  /** Charts to render with `helm template`. */
  helm?: HelmInput | readonly HelmInput[];
  /** Reads standard input for `-` (injectable for tests); defaults to process.stdin. */
  readStdin?: () => Promise<string>;
}

export interface LoadOptions {
  /** Directory relative paths are resolved against (default: the process's). */
  cwd?: string;
  /** Files larger than this are refused with an error (default 50 MiB). */
  maxFileBytes?: number;
  /** Leaves out files and directories found under a directory input (the config's path excludes). */
  exclude?: (path: string) => boolean;
  /** Environment for finding and running kustomize/kubectl/helm (default: the process's). */
  env?: NodeJS.ProcessEnv;
  /** Time limit for one render, in milliseconds (default 120 s). */
  renderTimeoutMs?: number;
}

export interface LoadResult {
  objects: KubeObject[];
  diagnostics: Diagnostic[];
  /** Files (and stdin, and rendered streams) read. */
  files: number;
}

/** The name stdin has in locations. */
export const STDIN = '-';

/** What one source (a file, stdin, one rendered chart or overlay) yielded. */
export interface LoadedUnit {
  /** The file name as reported in locations (`-` for stdin, the overlay or chart for renders). */
  file: string;
  objects: KubeObject[];
  diagnostics: Diagnostic[];
  /** True when the source was read and parsed (false for a skipped binary or an unreadable file). */
  read: boolean;
  /**
   * More of this source follows. A file is handed out in parts of a few objects as it is parsed, so
   * that each part can be evaluated and let go of before the next is read; its last unit carries
   * `read` and all of its diagnostics (parse errors, then notes), as a whole-file unit would.
   */
  partial?: boolean;
}

export async function loadInputs(inputs: LoadInputs | readonly string[], options: LoadOptions = {}): Promise<LoadResult> {
  const result: LoadResult = { objects: [], diagnostics: [], files: 0 };
  for await (const unit of streamInputs(inputs, options)) {
    result.objects.push(...unit.objects);
    result.diagnostics.push(...unit.diagnostics);
    if (unit.read) result.files++;
  }
  return result;
}

/**
 * The same inputs as `loadInputs`, one source at a time and in the same order, so that a caller can
 * evaluate each file's objects and let them go: memory stays bounded by the largest file rather
 * than the whole scan, and the garbage collector never has to move a whole corpus.
 */
export async function* streamInputs(inputs: LoadInputs | readonly string[], options: LoadOptions = {}): AsyncGenerator<LoadedUnit> {
  const request: LoadInputs = isPathList(inputs) ? { paths: inputs } : inputs;
  const cwd = options.cwd ?? process.cwd();
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;

  const discovered = await discoverInputs(request.paths, options);
  if (discovered.diagnostics.length > 0) {
    yield { file: request.paths[0] ?? '', objects: [], diagnostics: discovered.diagnostics, read: false };
  }
  const files = discovered.files;

  // One file at a time, in order. A regular file is read synchronously from the page cache (see
  // files.ts): reading ahead would overlap nothing and only keep more texts alive.
  for (const file of files) {
    let content: FileContent;
    try {
      content = await (file === STDIN ? readStdin(request, maxBytes) : readManifest(resolve(cwd, file), maxBytes, file));
    } catch (error) {
      yield { file, objects: [], diagnostics: [diagnosticFromThrown(error, file)], read: false };
      continue;
    }
    if (content.kind === 'binary') {
      yield { file, objects: [], diagnostics: [note('E_INPUT', `skipped: binary file (${content.reason})`, { file })], read: false };
      continue;
    }
    const errors: BulwarkError[] = [];
    const documents = content.kind === 'segments' ? streamYamlSegments(content.segments, file, errors) : streamYamlText(content.text, file, errors);
    yield* fileParts(documents, errors, file);
  }

  for (const dir of request.kustomize ?? []) {
    yield await renderedUnit(dir, () => renderKustomize(dir, renderOptions(options, cwd)), maxBytes);
  }
  const charts = request.helm === undefined ? [] : Array.isArray(request.helm) ? request.helm : [request.helm as HelmInput];
  for (const chart of charts) {
    yield await renderedUnit(chart.chart, () => renderHelm(chart, renderOptions(options, cwd)), maxBytes, (document, sources) =>
      helmProvenance(document, sources, chart.chart, cwd),
    );
  }
}

export interface DiscoveredInputs {
  /** Files to read, stdin (`-`) among them, in input order then path order, each once. */
  files: string[];
  /** Paths that could not be listed. */
  diagnostics: Diagnostic[];
}

/** The files `paths` name or contain, exactly as `streamInputs` reads them. */
export async function discoverInputs(paths: readonly string[], options: LoadOptions = {}): Promise<DiscoveredInputs> {
  const cwd = options.cwd ?? process.cwd();
  const files: string[] = [];
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  const add = (file: string): void => {
    const key = file === STDIN ? STDIN : resolve(cwd, file);
    if (seen.has(key)) return;
    seen.add(key);
    files.push(file);
  };
  for (const path of paths) {
    if (path === STDIN) {
      add(STDIN);
      continue;
    }
    const discovery = await discoverFiles(path, options.exclude, cwd);
    for (const problem of discovery.problems) diagnostics.push(errorDiagnostic(problem, path));
    discovery.files.forEach(add);
  }
  return { files, diagnostics };
}

function isPathList(inputs: LoadInputs | readonly string[]): inputs is readonly string[] {
  return Array.isArray(inputs);
}

function renderOptions(options: LoadOptions, cwd: string) {
  return { cwd, env: options.env, timeoutMs: options.renderTimeoutMs };
}

async function readStdin(request: LoadInputs, maxBytes: number): Promise<FileContent> {
  if (request.readStdin === undefined) return readStream(process.stdin, STDIN, maxBytes);
  // An injected reader hands over text: bound and check it as the bytes it stands for.
  const bytes = Buffer.from(await request.readStdin(), 'utf8');
  if (bytes.length > maxBytes) throw tooLarge(STDIN, bytes.length, maxBytes);
  return decode(bytes);
}

/**
 * Objects per part of a file (see LoadedUnit.partial): their parse trees are what is alive of the
 * file when a collection comes. Whole files (~200 objects on the benchmark) kept ~1 MB of trees
 * alive at each minor collection of a PSS-only scan, all of it copied.
 */
const OBJECTS_PER_PART = 16;

function* fileParts(documents: Iterable<ParsedDocument>, errors: readonly BulwarkError[], file: string): Generator<LoadedUnit> {
  const where: Provenance = { file, lineShift: 0 };
  const notes: Diagnostic[] = [];
  let objects: KubeObject[] = [];
  for (const document of documents) {
    documentObjects(document, where, objects, notes);
    if (objects.length >= OBJECTS_PER_PART) {
      yield { file, objects, diagnostics: [], read: false, partial: true };
      objects = [];
    }
  }
  yield { file, objects, diagnostics: [...errors.map((error) => errorDiagnostic(error, file)), ...notes], read: true };
}

function streamUnit(
  outcome: ParseOutcome,
  file: string,
  provenance?: (document: ParsedDocument) => Provenance,
): LoadedUnit {
  const { objects, diagnostics } = documentsToObjects(outcome.documents, file, provenance);
  return { file, objects, diagnostics: [...outcome.errors.map((error) => errorDiagnostic(error, file)), ...diagnostics], read: true };
}

async function renderedUnit(
  name: string,
  render: () => Promise<Rendered>,
  maxBytes: number,
  provenance?: (document: ParsedDocument, sources: TemplateSource[]) => Provenance,
): Promise<LoadedUnit> {
  let rendered: Rendered;
  try {
    rendered = await render();
  } catch (error) {
    return { file: name, objects: [], diagnostics: [diagnosticFromThrown(error, name)], read: false };
  }
  if (Buffer.byteLength(rendered.text, 'utf8') > maxBytes) {
    const diagnostic: Diagnostic = {
      level: 'error',
      code: 'E_TOO_LARGE',
      message: `the output of rendering ${name} is larger than the file size limit; it was not scanned`,
      location: { file: name },
    };
    return { file: name, objects: [], diagnostics: [diagnostic], read: false };
  }
  const outcome = parseYamlStream(rendered.text, rendered.display);
  const sources = provenance ? templateSources(rendered.text) : [];
  return streamUnit(outcome, rendered.display, provenance ? (document) => provenance(document, sources) : undefined);
}

/**
 * A Helm document is reported at its template (from helm's `# Source:` comment), with lines counted
 * from that comment: line 1 is the first line of the template's rendered output.
 */
function helmProvenance(document: ParsedDocument, sources: TemplateSource[], chart: string, cwd: string): Provenance {
  let source: TemplateSource | undefined;
  for (const candidate of sources) {
    if (candidate.offset > document.offset) break;
    source = candidate;
  }
  if (source === undefined) return { file: chart, lineShift: 0 };
  const commentLine = document.positions.lineOf(source.offset);
  return { file: templateFile(chart, source.template, cwd), lineShift: commentLine };
}
