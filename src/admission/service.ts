// Assembles the webhook from its configuration: namespace cache, catalog, CEL policies, trust policy,
// digest resolver and ledger, behind the admission route module the HTTPS server mounts.
import { dirname, resolve } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import { allChecks } from '../checks/catalog.ts';
import { BulwarkError } from '../core/index.ts';
import type { RouteModule } from '../server/index.ts';
import type { AdmissionConfig } from './config.ts';
import { AdmissionController, catalogChecks, type ControllerOptions } from './controller.ts';
import { CachingResolver, type DigestResolver } from './images.ts';
import { LedgerRecorder } from './ledger-sink.ts';
import { admissionMetrics } from './metrics.ts';
import { StaticNamespaces, WatchedNamespaces, type Labels, type NamespaceSource } from './namespaces.ts';
import { admissionRoutes } from './routes.ts';

export interface AdmissionServiceOptions {
  config: AdmissionConfig;
  /** Relative paths in the configuration are read from here (the config file's folder). */
  baseDir?: string;
  /** Namespaces are watched through this API server; absent: `staticNamespaces` (or none) are used. */
  kubeconfig?: KubeConfig;
  staticNamespaces?: Readonly<Record<string, Labels>>;
  registry: Registry;
  ledgerDir?: string;
  /** Overrides the registry-backed resolver (tests, benchmarks). */
  resolver?: DigestResolver;
  log?: (message: string) => void;
}

export interface AdmissionService {
  module: RouteModule;
  controller: AdmissionController;
  namespaces: NamespaceSource;
  stop(): Promise<void>;
}

function usesRule(rule: { mode: string; namespaces: Record<string, string> }): boolean {
  return rule.mode !== 'off' || Object.values(rule.namespaces).some((mode) => mode !== 'off');
}

export async function createAdmissionService(options: AdmissionServiceOptions): Promise<AdmissionService> {
  const { config } = options;
  const base = options.baseDir ?? process.cwd();
  const log = options.log ?? (() => {});
  const metrics = admissionMetrics(options.registry);
  const controllerOptions: ControllerOptions = { config, namespaces: new StaticNamespaces(options.staticNamespaces), observe: (rule, outcome) => metrics.decision(rule, outcome) };

  let namespaces: NamespaceSource = controllerOptions.namespaces;
  if (options.kubeconfig !== undefined) {
    const watched = new WatchedNamespaces(options.kubeconfig, (outcome) => metrics.cache('namespaces', outcome));
    // Not awaited: /readyz reports the cache until the first listing arrives.
    watched.start().catch((error: unknown) => log(`namespace watch failed, retrying: ${(error as Error).message}`));
    namespaces = watched;
    controllerOptions.namespaces = watched;
  }

  if (usesRule(config.catalog)) controllerOptions.checks = catalogChecks(allChecks, config.catalog.controls, config.catalog.disabled);

  if (config.policies.paths.length > 0) {
    const { loadPolicySet } = await import('../policy/index.ts');
    const loaded = await loadPolicySet(config.policies.paths.map((path) => resolve(base, path)));
    const errors = loaded.diagnostics.filter((diagnostic) => diagnostic.level === 'error');
    if (errors.length > 0) throw new BulwarkError('E_CONFIG', `policies: ${errors.map((error) => `${error.location?.file ?? ''}:${error.location?.line ?? ''}: ${error.message}`).join('; ')}`);
    controllerOptions.policies = loaded.set;
    log(`loaded ${loaded.set.policies.length} ValidatingAdmissionPolicies`);
  }

  let pool: { resolve(image: string): Promise<{ digest: string }> } | undefined;
  const registryOptions = { insecureHosts: new Set(config.signatures.insecureRegistries), timeoutMs: config.signatures.timeoutMs };
  if (config.signatures.trustPolicy !== undefined && usesRule(config.signatures)) {
    const trust = await import('../trust/index.ts');
    const policy = await trust.loadTrustPolicy(resolve(base, config.signatures.trustPolicy));
    const verifier = new trust.ImageVerifier({ registry: registryOptions, timeoutMs: config.signatures.timeoutMs });
    controllerOptions.signatures = { policy, verify: (image, imagePolicy) => verifier.verify(image, imagePolicy) };
    pool = verifier.pool;
  }

  if (config.mutations.resolveDigests) {
    let inner = options.resolver;
    if (inner === undefined) {
      if (pool === undefined) {
        const { RegistryPool } = await import('../trust/index.ts');
        pool = new RegistryPool(registryOptions);
      }
      const registries = pool;
      inner = { resolve: async (image) => (await registries.resolve(image)).digest };
    }
    controllerOptions.resolver = new CachingResolver(inner, { observe: (outcome) => metrics.cache('digests', outcome) });
  }

  let recorder: LedgerRecorder | undefined;
  if (options.ledgerDir !== undefined) {
    const { openLedger } = await import('../ledger/index.ts');
    const ledger = await openLedger({ dir: options.ledgerDir });
    recorder = new LedgerRecorder(ledger, { onError: (error) => log(`ledger append failed: ${(error as Error).message}`) });
  }

  const controller = new AdmissionController(controllerOptions);
  const module = admissionRoutes({ controller, metrics, recorder, maxBodyBytes: config.limits.maxBodyBytes, ready: () => namespaces.ready() });
  return {
    module,
    controller,
    namespaces,
    async stop() {
      await namespaces.stop();
    },
  };
}

export function configBaseDir(configFile: string | undefined): string {
  return configFile === undefined ? process.cwd() : dirname(resolve(configFile));
}
