// Rendering Kustomize overlays and Helm charts to manifests with the real tools, so what is scanned
// is exactly what would be applied.
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BulwarkError } from '../core/index.ts';
import { findTool, runTool, toolsBinDir } from './tool-runner.ts';

export interface HelmInput {
  /** A chart directory, a packaged chart, or a chart reference helm understands. */
  chart: string;
  /** `--values` files, in order. */
  values: readonly string[];
  releaseName?: string;
  namespace?: string;
}

export interface RenderOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  maxOutputBytes?: number;
}

export interface Rendered {
  /** The manifests the tool printed. */
  text: string;
  /** How the stream is named in diagnostics (`overlays/prod (kustomize build)`). */
  display: string;
}

const DEFAULT_TIMEOUT_MS = 120_000;
const DEFAULT_MAX_OUTPUT = 256 * 1024 * 1024;

const KUSTOMIZE_HELP =
  'install kustomize (go install sigs.k8s.io/kustomize/kustomize/v5@v5.8.2, or run scripts/install-tools.sh from the Bulwark repository) or kubectl (https://kubernetes.io/docs/tasks/tools/), which includes it';
const HELM_HELP =
  'install helm (https://helm.sh/docs/intro/install/, or go install helm.sh/helm/v3/cmd/helm@v3.22.0, or run scripts/install-tools.sh from the Bulwark repository)';

/** `kustomize build DIR`, or `kubectl kustomize DIR` when only kubectl is installed. */
export async function renderKustomize(dir: string, options: RenderOptions = {}): Promise<Rendered> {
  const env = options.env ?? process.env;
  const target = resolve(options.cwd ?? process.cwd(), dir);
  const kustomize = findTool('kustomize', env);
  const kubectl = kustomize === null ? findTool('kubectl', env) : null;
  if (kustomize === null && kubectl === null) {
    throw new BulwarkError(
      'E_TOOL_MISSING',
      `--kustomize ${dir} needs kustomize or kubectl, and neither was found on PATH or in ${toolsBinDir(env)}: ${KUSTOMIZE_HELP}`,
      { location: { file: dir } },
    );
  }
  const [executable, args, display] =
    kustomize !== null
      ? [kustomize, ['build', target], `kustomize build ${dir}`]
      : [kubectl!, ['kustomize', target], `kubectl kustomize ${dir}`];
  const { stdout } = await run(executable, args, display, dir, options);
  return { text: stdout, display: dir };
}

/** `helm template [NAME] CHART [--values F]... [--namespace NS]`. */
export async function renderHelm(input: HelmInput, options: RenderOptions = {}): Promise<Rendered> {
  const env = options.env ?? process.env;
  const helm = findTool('helm', env);
  if (helm === null) {
    throw new BulwarkError('E_TOOL_MISSING', `--helm ${input.chart} needs helm, which was not found on PATH or in ${toolsBinDir(env)}: ${HELM_HELP}`, {
      location: { file: input.chart },
    });
  }
  const cwd = options.cwd ?? process.cwd();
  const args = ['template'];
  if (input.releaseName !== undefined) args.push(input.releaseName);
  // A local chart (directory or package) is passed resolved; anything else is a reference for helm.
  args.push(existsSync(resolve(cwd, input.chart)) ? resolve(cwd, input.chart) : input.chart);
  for (const values of input.values) args.push('--values', resolve(cwd, values));
  if (input.namespace !== undefined) args.push('--namespace', input.namespace);
  const { stdout } = await run(helm, args, `helm template ${input.chart}`, input.chart, options);
  return { text: stdout, display: input.chart };
}

async function run(executable: string, args: string[], display: string, file: string, options: RenderOptions) {
  try {
    return await runTool(executable, args, display, {
      cwd: options.cwd,
      env: options.env,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxOutputBytes: options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT,
    });
  } catch (error) {
    if (error instanceof BulwarkError && error.location === undefined) {
      throw new BulwarkError(error.code, error.message, { location: { file }, cause: error.cause });
    }
    throw error;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

const SOURCE_COMMENT = /^# Source: (.+)$/gm;

export interface TemplateSource {
  /** Offset of the `# Source:` comment line. */
  offset: number;
  /** The template's path in the chart as helm prints it (`chart/templates/x.yaml`). */
  template: string;
}

/** The `# Source:` comments helm writes at the top of each rendered document, in order. */
export function templateSources(text: string): TemplateSource[] {
  const sources: TemplateSource[] = [];
  SOURCE_COMMENT.lastIndex = 0;
  for (let m = SOURCE_COMMENT.exec(text); m !== null; m = SOURCE_COMMENT.exec(text)) {
    sources.push({ offset: m.index, template: m[1]!.trim() });
  }
  return sources;
}

/**
 * The file a template stands for: for a chart directory, the template inside it (helm names
 * templates after the chart's name, which need not be the directory's); otherwise `chart//template`.
 */
export function templateFile(chart: string, template: string, cwd: string): string {
  const slash = template.indexOf('/');
  const inside = slash === -1 ? template : template.slice(slash + 1);
  return isDirectory(resolve(cwd, chart)) ? join(chart, inside) : `${chart}//${inside}`;
}
