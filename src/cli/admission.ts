import { Command, InvalidArgumentError } from 'commander';
import { emit } from './output.ts';
import { toolVersion } from './version.ts';

function port(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535) throw new InvalidArgumentError('must be a port number (0-65535)');
  return parsed;
}

function replicas(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 2 || parsed > 100) throw new InvalidArgumentError('must be a whole number from 2 to 100 (one replica makes every rollout an outage)');
  return parsed;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function admissionCommand(): Command {
  const admission = new Command('admission')
    .summary('the validating and mutating admission webhook')
    .description(
      'Run Bulwark as a Kubernetes admission webhook (Pod Security Standards per namespace, extended to ' +
        'pod templates; catalog controls; CEL ValidatingAdmissionPolicies; image registries, digests and ' +
        'signatures; tag-to-digest and securityContext mutations) and print the manifests that install it.',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ bulwark admission install --namespace bulwark-system | kubectl apply -f -
  $ bulwark admission serve --tls-cert-file tls.crt --tls-private-key-file tls.key`,
    );
  admission.addCommand(serveCommand());
  admission.addCommand(installCommand());
  for (const command of admission.commands) command.exitOverride();
  return admission;
}

interface ServeFlags {
  config?: string;
  tlsCertFile: string;
  tlsPrivateKeyFile: string;
  clientCaFile?: string;
  host: string;
  port: number;
  kubeconfig?: string;
  kube: boolean;
  ledger?: string;
}

function serveCommand(): Command {
  return new Command('serve')
    .summary('serve /validate and /mutate over HTTPS')
    .description(
      'Serve the webhook over HTTPS (TLS 1.2+), with /healthz, /readyz and /metrics. With no --config it ' +
        'enforces Pod Security baseline and warns on restricted everywhere but kube-system and kube-node-lease. ' +
        'The certificate and key are re-read every 10 s and swapped in without dropping connections.',
    )
    .option('-c, --config <file>', 'admission configuration (YAML); see docs/admission.md')
    .requiredOption('--tls-cert-file <file>', 'serving certificate (PEM)')
    .requiredOption('--tls-private-key-file <file>', 'private key of the serving certificate (PEM)')
    .option('--client-ca-file <file>', 'require /validate and /mutate callers to present a client certificate signed by this CA')
    .option('--host <address>', 'address to listen on', '0.0.0.0')
    .option('-p, --port <port>', 'port to listen on', port, 8443)
    .option('--kubeconfig <file>', 'read namespace labels through this kubeconfig (default: in-cluster, then $KUBECONFIG)')
    .option('--no-kube', 'do not watch namespaces; every namespace gets the configured Pod Security defaults')
    .option('--ledger <dir>', 'append every decision to the tamper-evident ledger in this directory')
    .addHelpText(
      'after',
      `
Examples:
  $ bulwark admission serve --tls-cert-file /etc/bulwark/tls/tls.crt --tls-private-key-file /etc/bulwark/tls/tls.key
  $ bulwark admission serve --config admission.yaml --no-kube --port 9443 --tls-cert-file c.pem --tls-private-key-file k.pem`,
    )
    .action(async (flags: ServeFlags) => {
      const { serveAdmission } = await import('../admission/serve.ts');
      const log = (message: string): void => {
        process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), component: 'admission', message })}\n`);
      };
      const server = await serveAdmission({
        ...(flags.config === undefined ? {} : { configFile: flags.config }),
        certFile: flags.tlsCertFile,
        keyFile: flags.tlsPrivateKeyFile,
        ...(flags.clientCaFile === undefined ? {} : { clientCaFile: flags.clientCaFile }),
        host: flags.host,
        port: flags.port,
        ...(flags.kubeconfig === undefined ? {} : { kubeconfig: flags.kubeconfig }),
        noKube: !flags.kube,
        ...(flags.ledger === undefined ? {} : { ledgerDir: flags.ledger }),
        log,
      });
      log(`listening on port ${server.port}`);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGTERM', stop);
          process.off('SIGINT', stop);
          void server.close().then(resolve);
        };
        process.on('SIGTERM', stop);
        process.on('SIGINT', stop);
      });
    });
}

interface InstallFlags {
  namespace: string;
  replicas: number;
  image: string;
  mutate: boolean;
  config?: string;
  emitVap: boolean;
  policy: string[];
  output?: string;
}

function installCommand(): Command {
  return new Command('install')
    .summary('print the manifests that install the webhook')
    .description(
      'Print Namespace, ServiceAccount and least-privilege RBAC, Deployment (replicas spread over nodes, ' +
        'restricted Pod Security, read-only root), PodDisruptionBudget, Service, a generated CA and serving ' +
        'certificate, and the webhook configurations (kube-system, kube-node-lease and its own namespace ' +
        'excluded; timeoutSeconds 3; sideEffects None). With --emit-vap, print instead the checks CEL can express ' +
        'as native ValidatingAdmissionPolicies and bindings, to enforce without any webhook.',
    )
    .option('-n, --namespace <namespace>', 'namespace to install into', 'bulwark-system')
    .option('--replicas <n>', 'webhook replicas (at least 2)', replicas, 2)
    .option('--image <image>', 'container image of bulwark', `ghcr.io/bulwark-dev/bulwark:${toolVersion}`)
    .option('--mutate', 'also register the mutating webhook (tag-to-digest, securityContext defaults)', false)
    .option('-c, --config <file>', 'admission configuration to ship in the ConfigMap')
    .option('--emit-vap', 'print ValidatingAdmissionPolicies and bindings instead of the webhook', false)
    .option('--policy <path>', 'ValidatingAdmissionPolicies to enforce (repeatable): shipped in the ConfigMap as policies.yaml (name it in your --config: policies.paths: [policies.yaml]), or printed with --emit-vap', collect, [])
    .option('-o, --output <file>', 'write the manifests to a file instead of stdout')
    .addHelpText(
      'after',
      `
Examples:
  $ bulwark admission install --namespace bulwark-system --replicas 3 | kubectl apply -f -
  $ bulwark admission install --emit-vap --policy policies/ | kubectl apply -f -`,
    )
    .action(async (flags: InstallFlags) => {
      const render = await import('../admission/render.ts');
      let text: string;
      if (flags.emitVap) {
        text = await render.renderVap({ namespace: flags.namespace, policyPaths: flags.policy });
      } else {
        let configYaml: string | undefined;
        if (flags.config !== undefined) {
          const [{ loadConfig }, { readFile }] = await Promise.all([import('../admission/config.ts'), import('node:fs/promises')]);
          // Refuse to ship a configuration the webhook would not start with; this also gives a missing
          // or unreadable file its typed error before the text is read for the ConfigMap.
          await loadConfig(flags.config);
          configYaml = await readFile(flags.config, 'utf8');
        }
        const policies = await render.userPolicies(flags.policy);
        text = await render.renderInstall({
          namespace: flags.namespace,
          replicas: flags.replicas,
          image: flags.image,
          mutate: flags.mutate,
          ...(configYaml === undefined ? {} : { configYaml }),
          ...(policies.length === 0 ? {} : { policiesYaml: render.toYamlStream(policies) }),
        });
      }
      await emit([text], flags.output);
    });
}
