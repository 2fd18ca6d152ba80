import { DEFAULT_CHECK_OPTIONS, type CheckOptions } from '../checks/check.ts';
import type { PssLevel, Severity } from '../core/index.ts';
import type { PssVersion } from '../pss/version.ts';

/** A place in the configuration file; line and column are 1-based. */
export interface ConfigLocation {
  file: string;
  line: number;
  column: number;
}

/** One entry of `exceptions:`. A dimension left out of the file is `null`: it matches anything. */
export interface ConfigException {
  /** 0-based position in the `exceptions` list, for messages (`exceptions[2]`). */
  index: number;
  /** `'*'` for every control. */
  controls: '*' | ReadonlySet<string>;
  /** Name globs (`*`, `?`). */
  namespaces: readonly string[] | null;
  /** Exact kinds, compared without regard to case (`daemonset` is `DaemonSet`). */
  kinds: readonly string[] | null;
  /** Name globs (`*`, `?`). */
  names: readonly string[] | null;
  reason: string;
  /** `YYYY-MM-DD`; the exception applies through the whole of that day in UTC. */
  expires: string | null;
  location: ConfigLocation;
}

/** The configuration with every default filled in. */
export interface Config {
  /** The file it came from, as it is shown in messages; null when no file was found. */
  file: string | null;
  /** Absolute directory that `exclude` globs are relative to. */
  baseDir: string;
  pss: { level: PssLevel; version: PssVersion };
  /** Findings at or above this severity fail the run; undefined: none does. */
  failOn: Severity | undefined;
  /** Path globs relative to `baseDir`, `/`-separated. */
  exclude: readonly string[];
  controls: {
    disable: ReadonlySet<string>;
    severity: ReadonlyMap<string, Severity>;
  };
  exceptions: readonly ConfigException[];
  /** What configurable checks read (`checks:`), with the opt-in controls of `controls.enable`. */
  checks: CheckOptions;
  /** `cluster:` settings of `bulwark cluster scan`; absent: its defaults. */
  cluster?: {
    /** Namespace names or globs left out of findings (`--exclude-namespaces`); absent: the default list. */
    excludeNamespaces?: readonly string[];
  };
}

export const DEFAULT_PSS: Config['pss'] = { level: 'restricted', version: 'latest' };

/** What a run uses when there is no configuration file. */
export function defaultConfig(baseDir: string): Config {
  return {
    file: null,
    baseDir,
    pss: { ...DEFAULT_PSS },
    failOn: undefined,
    exclude: [],
    controls: { disable: new Set(), severity: new Map() },
    exceptions: [],
    checks: DEFAULT_CHECK_OPTIONS,
  };
}

/** A configuration file larger than this is refused (it is a few KiB in practice). */
export const MAX_CONFIG_BYTES = 1024 * 1024;
