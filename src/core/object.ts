import type { FieldPath } from './path.ts';

/** 1-based line and column in a source file. */
export interface Position {
  line: number;
  column: number;
}

/**
 * Finds where a field was written. Implementations answer with the position of the deepest
 * segment of `path` that exists in the source, so a finding about a missing field points at the
 * object that should have had it.
 */
export interface PositionLocator {
  locate(path: FieldPath): Position;
}

/**
 * Where an object came from: a file (or `-` for stdin), the document index inside it; or a live
 * cluster (`kind: 'cluster'`), where `file` is `cluster://<context>` and line and column are 0
 * (an API response has no positions; reports then print no line).
 */
export interface ObjectSource {
  /** Absent for files, so the loaders stay as they are. */
  kind?: 'file' | 'cluster';
  file: string;
  /** 0-based index of the YAML document in the file (or of the item inside a List). */
  document: number;
  /** Position of the object itself. */
  line: number;
  column: number;
}

/** A parsed Kubernetes object with the provenance findings need. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  /** null when the manifest names none (namespace decided at apply time) or for cluster-scoped kinds. */
  namespace: string | null;
  name: string;
  /** The object as parsed (YAML 1.1 semantics, as the API server reads it). Never mutated. */
  raw: Readonly<Record<string, unknown>>;
  source: ObjectSource;
  /** Positions of fields inside `raw`; paths are relative to the object's root. */
  positions: PositionLocator;
}

/** The identity printed in reports. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace: string | null;
  name: string;
}

export function objectRef(object: KubeObject): ObjectRef {
  return { apiVersion: object.apiVersion, kind: object.kind, namespace: object.namespace, name: object.name };
}
