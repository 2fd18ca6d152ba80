// Namespace labels decide the Pod Security level of a request, so they are read on every request:
// from a cache fed by list+watch, with a bounded live lookup for a namespace the watch has not
// delivered yet (one created a moment before its first pod).
import { CoreV1Api, KubeConfig, makeInformer, type V1Namespace } from '@kubernetes/client-node';

export type Labels = Readonly<Record<string, string>>;

export interface NamespaceSource {
  /** The namespace's labels; null when it does not exist or cannot be read in time. */
  labels(name: string): Promise<Labels | null>;
  /** True once the cache holds a full listing. */
  ready(): boolean;
  stop(): Promise<void>;
}

export type CacheOutcome = 'hit' | 'miss';

/** Fixed labels (tests, `--no-kube`): every namespace not listed has none. */
export class StaticNamespaces implements NamespaceSource {
  readonly #labels: ReadonlyMap<string, Labels>;
  constructor(labels: Readonly<Record<string, Labels>> = {}) {
    this.#labels = new Map(Object.entries(labels));
  }
  labels(name: string): Promise<Labels | null> {
    return Promise.resolve(this.#labels.get(name) ?? {});
  }
  ready(): boolean {
    return true;
  }
  async stop(): Promise<void> {}
}

const LOOKUP_TIMEOUT_MS = 1_000;

export class WatchedNamespaces implements NamespaceSource {
  readonly #cache = new Map<string, Labels>();
  readonly #informer: ReturnType<typeof makeInformer<V1Namespace>>;
  readonly #api: CoreV1Api;
  readonly #observe: (outcome: CacheOutcome) => void;
  #synced = false;
  #stopped = false;

  constructor(kubeconfig: KubeConfig, observe: (outcome: CacheOutcome) => void = () => {}) {
    this.#api = kubeconfig.makeApiClient(CoreV1Api);
    this.#observe = observe;
    this.#informer = makeInformer<V1Namespace>(kubeconfig, '/api/v1/namespaces', () => this.#api.listNamespace());
    const put = (namespace: V1Namespace): void => {
      const name = namespace.metadata?.name;
      if (name !== undefined) this.#cache.set(name, namespace.metadata?.labels ?? {});
    };
    this.#informer.on('add', put);
    this.#informer.on('update', put);
    this.#informer.on('delete', (namespace) => {
      const name = namespace.metadata?.name;
      if (name !== undefined) this.#cache.delete(name);
    });
    this.#informer.on('connect', () => {
      this.#synced = true;
    });
    // The informer does not retry by itself: come back after a pause, as a controller would.
    this.#informer.on('error', () => {
      if (this.#stopped) return;
      setTimeout(() => {
        if (!this.#stopped) void this.#informer.start().catch(() => {});
      }, 2_000).unref();
    });
  }

  async start(): Promise<void> {
    await this.#informer.start();
    for (const namespace of this.#informer.list()) {
      const name = namespace.metadata?.name;
      if (name !== undefined) this.#cache.set(name, namespace.metadata?.labels ?? {});
    }
    this.#synced = true;
  }

  ready(): boolean {
    return this.#synced;
  }

  async labels(name: string): Promise<Labels | null> {
    const cached = this.#cache.get(name);
    if (cached !== undefined) {
      this.#observe('hit');
      return cached;
    }
    this.#observe('miss');
    let timer: NodeJS.Timeout | undefined;
    try {
      const namespace = await Promise.race([
        this.#api.readNamespace({ name }),
        new Promise<null>((resolve) => {
          timer = setTimeout(() => resolve(null), LOOKUP_TIMEOUT_MS);
        }),
      ]);
      if (namespace === null) return null;
      const labels = namespace.metadata?.labels ?? {};
      this.#cache.set(name, labels);
      return labels;
    } catch {
      return null;
    } finally {
      clearTimeout(timer);
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#informer.stop();
  }
}
