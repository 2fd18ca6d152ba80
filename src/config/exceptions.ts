import { basename } from 'node:path';
import type { Finding, KubeObject } from '../core/index.ts';
import { hasIgnoreAnnotation, readIgnoreAnnotations, type ConfigDiagnostic, type ObjectIgnores } from './annotations.ts';
import type { Config, ConfigException, ConfigLocation } from './config.ts';
import { expiredExceptionControl } from './expired-control.ts';
import { compileNameGlob } from './glob.ts';
import { applySeverityOverrides, isControlDisabled } from './overrides.ts';

/** Why a finding is not reported. */
export interface Suppression {
  origin: 'config' | 'annotation';
  /** null only for an annotation written without a reason. */
  reason: string | null;
  /** The exception's entry in the configuration file, or the annotation in the manifest. */
  location: ConfigLocation;
  /** `YYYY-MM-DD` for a config exception that has one. */
  expires: string | null;
}

export interface UnusedException {
  index: number;
  location: ConfigLocation;
  reason: string;
}

export interface Suppressor {
  /** The exception that hides this finding about `object`, or null when it is reported. */
  suppress(object: KubeObject, finding: Finding): Suppression | null;
  /** Reads the object's ignore annotations so their problems are reported even if it has no finding. */
  inspect(object: KubeObject): void;
  /** One `exception-expired` finding per expired config exception (none when that control is disabled). */
  expired(): Finding[];
  /** Config exceptions in force that hid no finding in this run. */
  unused(): UnusedException[];
  /**
   * Problems in the ignore annotations of every object seen, and, with `includeUnused`, a note per
   * unused exception (only meaningful when the scan covered everything the configuration is for).
   */
  diagnostics(options?: { includeUnused?: boolean }): ConfigDiagnostic[];
}

export interface SuppressorOptions {
  /** Control ids an annotation may name; without it, annotation ids are not checked. */
  knownControls?: ReadonlySet<string>;
}

const DAY_MS = 86_400_000;

/**
 * The rule for `expires: YYYY-MM-DD`: the exception applies through the whole of that day in UTC,
 * and stops at the next midnight UTC. One rule for every machine and CI runner, whatever its zone.
 */
export function isExpired(expires: string, now: Date): boolean {
  return now.getTime() >= Date.parse(`${expires}T00:00:00Z`) + DAY_MS;
}

interface CompiledException {
  exception: ConfigException;
  matchesControl: (control: string) => boolean;
  /** Namespace, kind and name: everything but the control, so it is decided once per object. */
  matchesObject: (object: ObjectScope) => boolean;
  expired: boolean;
  used: number;
}

/** The fields scopes look at, normalised once per object. */
interface ObjectScope {
  /** Lowercase: kinds are compared without regard to case. */
  kind: string;
  /** A manifest without a namespace is matched as the empty name: only `*`-like globs take it. */
  namespace: string;
  name: string;
}

/** What is known about one object, computed on its first finding. */
interface ObjectExceptions {
  ignores: ObjectIgnores;
  /** The config exceptions in force whose scopes take in this object, in file order. */
  scoped: CompiledException[];
}

const NO_OBJECT_EXCEPTIONS: ObjectExceptions = Object.freeze({
  ignores: Object.freeze({ annotations: [], diagnostics: [] }),
  scoped: [],
});

/** Exceptions from the configuration and from annotations, applied to findings; `now` decides expiry. */
export function createSuppressor(config: Config, now: Date, options: SuppressorOptions = {}): Suppressor {
  const compiled = config.exceptions.map(compile(now));
  const active = compiled.filter((entry) => !entry.expired);
  const perObject = new WeakMap<KubeObject, ObjectExceptions>();
  const diagnostics: ConfigDiagnostic[] = [];

  let lastObject: KubeObject | undefined;
  let lastKnown: ObjectExceptions = NO_OBJECT_EXCEPTIONS;
  // An object usually has several findings; what does not depend on the control is decided once.
  const exceptionsOf = (object: KubeObject): ObjectExceptions => {
    // Findings of one object come one after another: the last answer serves them without a lookup.
    if (object === lastObject) return lastKnown;
    let known: ObjectExceptions | undefined;
    // The common case (no exception in force, no annotation): one shared answer and nothing kept per
    // object. An entry per object in the WeakMap cost more than this test (ephemeron tables of 10,000
    // entries on the 10,000-object benchmark, rehashed as they grew and traced by every collection).
    if (active.length === 0 && !hasIgnoreAnnotation(object)) known = NO_OBJECT_EXCEPTIONS;
    else known = perObject.get(object);
    if (known === undefined) {
      const ignores = readIgnoreAnnotations(object, options.knownControls);
      if (ignores.diagnostics.length > 0) diagnostics.push(...ignores.diagnostics);
      if (active.length === 0 && ignores.annotations.length === 0) {
        known = NO_OBJECT_EXCEPTIONS;
      } else {
        const scope = { kind: object.kind.toLowerCase(), namespace: object.namespace ?? '', name: object.name };
        known = { ignores, scoped: active.filter((entry) => entry.matchesObject(scope)) };
      }
      // Kept even when it exempts nothing, so that its diagnostics are reported once.
      perObject.set(object, known);
    }
    lastObject = object;
    lastKnown = known;
    return known;
  };

  const unused = (): UnusedException[] =>
    active
      .filter((entry) => entry.used === 0)
      .map(({ exception }) => ({ index: exception.index, location: exception.location, reason: exception.reason }));

  return {
    suppress(object, finding) {
      const { ignores, scoped } = exceptionsOf(object);
      // Indexed loops: this runs per finding, and `for…of` allocated iterators each time.
      for (let i = 0; i < ignores.annotations.length; i++) {
        const annotation = ignores.annotations[i]!;
        if (annotation.controls === '*' || annotation.controls.has(finding.control)) {
          return { origin: 'annotation', reason: annotation.reason, location: annotation.location, expires: null };
        }
      }
      for (let i = 0; i < scoped.length; i++) {
        const entry = scoped[i]!;
        if (entry.matchesControl(finding.control)) {
          entry.used++;
          const { reason, location, expires } = entry.exception;
          return { origin: 'config', reason, location, expires };
        }
      }
      return null;
    },
    inspect(object) {
      exceptionsOf(object);
    },
    expired() {
      const file = config.file;
      if (file === null || isControlDisabled(config, expiredExceptionControl.id)) return [];
      return compiled
        .filter((entry) => entry.expired)
        .map((entry) => applySeverityOverrides(expiredFinding(file, entry.exception), config));
    },
    unused,
    diagnostics({ includeUnused = false } = {}) {
      const all = [...diagnostics];
      if (includeUnused) {
        for (const entry of unused()) {
          all.push({
            level: 'note',
            location: entry.location,
            message: `exceptions[${entry.index}] ("${entry.reason}") hid no finding in this scan; remove it if it is no longer needed`,
          });
        }
      }
      return all.sort(compareDiagnostics);
    },
  };
}

function compile(now: Date) {
  return (exception: ConfigException): CompiledException => {
    const { controls, kinds } = exception;
    const lowerKinds = kinds === null ? null : new Set(kinds.map((kind) => kind.toLowerCase()));
    const matchesNamespace = anyGlob(exception.namespaces);
    const matchesName = anyGlob(exception.names);
    return {
      exception,
      matchesControl: controls === '*' ? () => true : (control) => controls.has(control),
      matchesObject: (scope) =>
        (lowerKinds === null || lowerKinds.has(scope.kind)) && matchesNamespace(scope.namespace) && matchesName(scope.name),
      expired: exception.expires !== null && isExpired(exception.expires, now),
      used: 0,
    };
  };
}

function anyGlob(globs: readonly string[] | null): (value: string) => boolean {
  if (globs === null) return () => true;
  const matchers = globs.map(compileNameGlob);
  return (value) => matchers.some((matches) => matches(value));
}

function expiredFinding(file: string, exception: ConfigException): Finding {
  const control = expiredExceptionControl;
  const controls = exception.controls === '*' ? 'all controls' : [...exception.controls].join(', ');
  return {
    control: control.id,
    title: control.title,
    severity: control.severity,
    area: control.area,
    frameworks: control.frameworks,
    object: { apiVersion: 'bulwark.dev/v1', kind: 'Config', namespace: null, name: basename(file) },
    location: { ...exception.location, path: `exceptions[${exception.index}]` },
    message:
      `exception for ${controls} ("${exception.reason}") expired on ${exception.expires} ` +
      'and no longer applies: the findings it covered are reported again',
    remediation: control.remediation,
  };
}

/** By place; several at one place keep the order they were found in (the sort is stable). */
function compareDiagnostics(a: ConfigDiagnostic, b: ConfigDiagnostic): number {
  return (
    compareText(a.location.file, b.location.file) ||
    (a.location.line ?? 0) - (b.location.line ?? 0) ||
    (a.location.column ?? 0) - (b.location.column ?? 0)
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
