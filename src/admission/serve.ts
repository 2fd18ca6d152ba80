// `bulwark admission serve`: the configuration, the admission service and the HTTPS server, started
// together and stopped together.
import { KubeConfig } from '@kubernetes/client-node';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { BulwarkError } from '../core/index.ts';
import { collectStartupGarbage } from '../server/heap.ts';
import { startServer, type RouteModule, type RunningServer } from '../server/index.ts';
import { defaultConfig, loadConfig } from './config.ts';
import { configBaseDir, createAdmissionService } from './service.ts';

export interface ServeOptions {
  configFile?: string;
  certFile: string;
  keyFile: string;
  clientCaFile?: string;
  host?: string;
  port: number;
  /** A kubeconfig file; absent: in-cluster credentials when running in a pod, else $KUBECONFIG/~/.kube/config. */
  kubeconfig?: string;
  /** Run without an API server: namespaces have no labels, the configured defaults apply. */
  noKube?: boolean;
  ledgerDir?: string;
  /** More route modules on the same server (the audit receiver). */
  extraModules?: readonly RouteModule[];
  log?: (message: string) => void;
}

function kubeConfig(file: string | undefined): KubeConfig {
  const config = new KubeConfig();
  try {
    if (file !== undefined) config.loadFromFile(file);
    else if (process.env['KUBERNETES_SERVICE_HOST'] !== undefined) config.loadFromCluster();
    else config.loadFromDefault();
  } catch (error) {
    throw new BulwarkError('E_CONFIG', `cannot load Kubernetes credentials${file === undefined ? '' : ` from ${file}`}: ${(error as Error).message}; pass --kubeconfig or --no-kube`);
  }
  if (config.getCurrentCluster() === null) throw new BulwarkError('E_CONFIG', 'no Kubernetes cluster configured; pass --kubeconfig or --no-kube');
  return config;
}

export async function serveAdmission(options: ServeOptions): Promise<RunningServer> {
  const config = options.configFile === undefined ? defaultConfig() : await loadConfig(options.configFile);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const service = await createAdmissionService({
    config,
    baseDir: configBaseDir(options.configFile),
    ...(options.noKube === true ? {} : { kubeconfig: kubeConfig(options.kubeconfig) }),
    registry,
    ...(options.ledgerDir === undefined ? {} : { ledgerDir: options.ledgerDir }),
    ...(options.log === undefined ? {} : { log: options.log }),
  });
  collectStartupGarbage();
  const server = await startServer({
    port: options.port,
    ...(options.host === undefined ? {} : { host: options.host }),
    tls: { certFile: options.certFile, keyFile: options.keyFile, ...(options.clientCaFile === undefined ? {} : { clientCaFile: options.clientCaFile }) },
    modules: [service.module, ...(options.extraModules ?? [])],
    registry,
    requestTimeoutMs: config.limits.requestTimeoutMs,
    ...(options.log === undefined ? {} : { log: options.log }),
  }).catch(async (error: unknown) => {
    await service.stop();
    throw error;
  });
  return {
    ...server,
    async close() {
      await server.close();
      await service.stop();
    },
  };
}
