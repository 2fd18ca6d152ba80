// Credentials in manifests. A finding names where the secret is and what it looks like (and its
// length), never any part of the value: findings end up in CI logs, SARIF uploads and tickets.
import { asFields, asList, fieldOf, showValue, type ContainerView } from '../../podspec/index.ts';
import type { Check, Violation } from '../check.ts';
import { containerLabel, NO_VIOLATIONS, perPod } from '../compute/workload.ts';
import { classifySecret, isLiteralSecretValue, MAX_SCANNED_LENGTH, scanArguments, scanConfigText, secretValueKind, type SecretMatch } from './secret-patterns.ts';

function envEntries(container: ContainerView): readonly unknown[] | undefined {
  return asList(fieldOf(container.raw, 'env'));
}

function characters(value: { length: number }): string {
  return `${value.length} character${value.length === 1 ? '' : 's'}`;
}

export const secretInEnvCheck: Check = {
  id: 'secret-in-env',
  title: 'Credential written in a container environment variable',
  area: 'storage',
  severity: 'high',
  frameworks: {
    nsa: ['Network separation and hardening: Secrets'],
    mitre: ['T1552.001'],
    kubescape: ['C-0012'],
  },
  description:
    'A password, token or key written as an `env` value is stored in the manifest, in the repository history, in every rendered chart and in the API ' +
    'object that anyone allowed to read the workload can see. High: reading a Deployment is a far weaker permission than reading a Secret. ' +
    'Reported: values in an unmistakable credential format (AWS key IDs, GitHub, GitLab, Slack, Stripe, npm and PyPI tokens, private keys, JWTs, ' +
    'URLs with a password) under any name, and literal values under credential names (`*_PASSWORD`, `API_KEY`, `*_TOKEN`), except references ' +
    '(`$(VAR)`, `${VAR}`), placeholders (`changeme`, `<password>`), paths, plain URLs, numbers and booleans. The value is never printed.',
  remediation:
    'Move the value into a Secret (created from a secret manager, not committed) and mount it as a file, or at least reference it with `valueFrom.secretKeyRef`; then rotate it: it has been exposed.',
  evaluate: perPod((pod, out) => {
    for (const container of pod.containers) {
      const env = envEntries(container);
      if (env === undefined) continue;
      for (let i = 0; i < env.length; i++) {
        const entry = asFields(env[i]);
        const value = fieldOf(entry, 'value');
        if (typeof value !== 'string' || value === '') continue;
        const name = fieldOf(entry, 'name');
        const match = classifySecret(typeof name === 'string' ? name : '', value);
        if (match === undefined) continue;
        out.push({
          path: [...container.path, 'env', i, 'value'],
          message: `env ${showValue(name ?? i)} of ${containerLabel(container)} holds ${match.kind} (${characters(value)})`,
        });
      }
    }
  }),
  fixtures: {
    pass: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: api
        image: api
        env:
        - {name: LOG_LEVEL, value: debug}
        - {name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: db, key: password}}}
        - {name: DB_PASSWORD_FILE, value: /run/secrets/db/password}
        - {name: API_TOKEN, value: "$(TOKEN_FROM_SECRET)"}
        - {name: ADMIN_PASSWORD, value: changeme}
        - {name: TOKEN_TTL, value: "3600"}
        - {name: SECRET_NAME, value: db-credentials}
        - {name: AUTH_URL, value: "https://auth.example.com/token"}
`,
    ],
    fail: [
      `apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers:
  - name: app
    image: app
    env:
    - {name: DB_PASSWORD, value: "s3cr3t-Pa55"}
`,
      `apiVersion: batch/v1
kind: CronJob
metadata: {name: backup}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          initContainers:
          - name: fetch
            image: fetch
            env:
            - {name: GIT_REMOTE, value: "https://ci:hunter2-but-longer@git.example.com/repo.git"}
          containers:
          - name: backup
            image: backup
            env:
            - {name: UPLOAD, value: "AKIAIOSFODNN7EXAMPLE"}
`,
    ],
  },
};

/** `command` then `args`, as the container runs them: a flag at the end of one takes its value from the other. */
function commandLine(container: ContainerView): { argv: unknown[]; commandLength: number } | undefined {
  const command = asList(fieldOf(container.raw, 'command')) ?? [];
  const args = asList(fieldOf(container.raw, 'args')) ?? [];
  if (command.length === 0 && args.length === 0) return undefined;
  return { argv: [...command, ...args], commandLength: command.length };
}

export const secretInArgsCheck: Check = {
  id: 'secret-in-args',
  title: 'Credential written in a container command line',
  area: 'storage',
  severity: 'high',
  frameworks: {
    nsa: ['Network separation and hardening: Secrets'],
    mitre: ['T1552.001'],
    kubescape: ['C-0012'],
  },
  description:
    'A password or token in `command` or `args` is stored in the manifest like an `env` literal, and more: every process on the node can read a command line ' +
    '(`/proc/<pid>/cmdline`, `ps`), and crash reports and process listings print it. High: as `secret-in-env`. Reported: values in an unmistakable credential ' +
    'format anywhere, and literals given to flags or variables with credential names — `--db-password=x`, `--token x`, `PASSWORD=x` inside `sh -c` — with the ' +
    'same names, placeholders and references as `secret-in-env`; shell and Kubernetes expansions (`$DB_PASSWORD`, `$(TOKEN)`) are how a command line reads a ' +
    'Secret and are not reported. The first 256 arguments are scanned; the value is never printed.',
  remediation:
    'Pass the credential through a file mounted from a Secret (most tools take `--password-file` or `--token-file`) or an environment variable from `secretKeyRef` expanded as `$(VAR)`; then rotate it.',
  evaluate: perPod((pod, out) => {
    for (const container of pod.containers) {
      const line = commandLine(container);
      if (line === undefined) continue;
      for (const match of scanArguments(line.argv)) {
        const [list, index] = match.index < line.commandLength ? (['command', match.index] as const) : (['args', match.index - line.commandLength] as const);
        const named = match.flag === undefined ? '' : ` for ${showValue(match.flag)}`;
        out.push({
          path: [...container.path, list, index],
          message: `${list}[${index}] of ${containerLabel(container)} holds ${match.kind}${named} (${characters({ length: match.length })})`,
        });
      }
    }
  }),
  fixtures: {
    pass: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: api
        image: api
        command: [/bin/sh, -c, 'exec api --db-password="$DB_PASSWORD" --token-file=/run/secrets/token']
        args: [--password-stdin, --api-key, "$(API_KEY)", --log-level, debug]
      - name: proxy
        image: proxy
        args: [--secret-name, proxy-tls, --password, changeme]
`,
    ],
    fail: [
      `apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers:
  - name: app
    image: app
    args: [--db-password, "s3cr3t-Pa55"]
`,
      `apiVersion: batch/v1
kind: Job
metadata: {name: backup}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: backup
        image: backup
        command: [sh, -c, "PGPASSWORD=hunter2-but-longer pg_dump -h db app | upload --key AKIAIOSFODNN7EXAMPLE"]
`,
    ],
  },
};

/**
 * A `binaryData` value decoded from base64, at most MAX_SCANNED_LENGTH bytes of it: text (a file
 * stored as binary to keep its bytes) is scanned like `data`; other bytes only for unmistakable
 * formats, read byte for byte (a PEM key inside an archive is still ASCII).
 */
function scanBinaryValue(key: string, value: unknown): SecretMatch | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const encoded = value.length > (MAX_SCANNED_LENGTH / 3) * 4 ? value.slice(0, (MAX_SCANNED_LENGTH / 3) * 4) : value;
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.length === 0) return undefined;
  const text = bytes.includes(0) ? undefined : new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (text !== undefined && !text.includes('\uFFFD')) return scanConfigText(key, text);
  const kind = secretValueKind(bytes.toString('latin1'));
  return kind === undefined ? undefined : { kind };
}

function configMapMessage(key: string, match: SecretMatch): string {
  const where = match.line === undefined ? '' : ` at line ${match.line}${match.key === undefined ? '' : ` (${showValue(match.key)})`}`;
  return `ConfigMap key ${showValue(key)} holds ${match.kind}${where}`;
}

export const secretInConfigMapCheck: Check = {
  id: 'secret-in-configmap',
  title: 'Credential written in a ConfigMap',
  area: 'storage',
  severity: 'high',
  frameworks: {
    nsa: ['Network separation and hardening: Secrets'],
    mitre: ['T1552.001'],
    kubescape: ['C-0012'],
  },
  description:
    'ConfigMaps are meant for configuration that anyone may read: they are not encrypted at rest, their read permission is granted widely, and they are ' +
    'printed by tools and logs. High: a credential in one is as exposed as the namespace\'s least-trusted reader. Each `data` entry is checked as a whole ' +
    'and, for configuration files, line by line (`password = …`, `"apiKey": …`), with the same rules as `secret-in-env`; `binaryData` entries the same way once ' +
    'decoded (the first 64 KiB; bytes that are not text only for unmistakable formats such as private keys). The value is never printed.',
  remediation: 'Move the credential into a Secret (mounted as a file) or a secret manager, reference it from the configuration, and rotate it.',
  evaluate(context) {
    const { object } = context;
    if (object.kind !== 'ConfigMap' || object.apiVersion !== 'v1') return NO_VIOLATIONS;
    const data = asFields(fieldOf(object.raw, 'data'));
    const binary = asFields(fieldOf(object.raw, 'binaryData'));
    if (data === undefined && binary === undefined) return NO_VIOLATIONS;
    const out: Violation[] = [];
    for (const key of Object.keys(data ?? {})) {
      const value = data![key];
      if (typeof value !== 'string' || value === '') continue;
      const match = scanConfigText(key, value);
      if (match !== undefined) out.push({ path: ['data', key], message: configMapMessage(key, match) });
    }
    for (const key of Object.keys(binary ?? {})) {
      const match = scanBinaryValue(key, binary![key]);
      if (match !== undefined) out.push({ path: ['binaryData', key], message: `${configMapMessage(key, match).replace('ConfigMap key', 'ConfigMap binaryData key')} (once decoded)` });
    }
    return out;
  },
  fixtures: {
    pass: [
      `apiVersion: v1
kind: ConfigMap
metadata: {name: app}
data:
  LOG_LEVEL: info
  password_min_length: "12"
  application.properties: |
    spring.datasource.url=jdbc:postgresql://db:5432/app
    spring.datasource.password=\${DB_PASSWORD}
    server.port=8080
binaryData:
  logo.png: iVBORwAAAA1wYXNzd29yZD1ub3RyZWFsbHk=
`,
    ],
    fail: [
      `apiVersion: v1
kind: ConfigMap
metadata: {name: legacy}
binaryData:
  db.properties: ZGIudXNlcj1hcHAKZGIucGFzc3dvcmQ9UHIwZC1QYXNzdzByZCEK
`,
      `apiVersion: v1
kind: ConfigMap
metadata: {name: app}
data:
  application.yaml: |
    server:
      port: 8080
    database:
      password: "n0t-a-placeholder"
`,
      `apiVersion: v1
kind: ConfigMap
metadata: {name: keys}
data:
  tls.key: |
    -----BEGIN RSA PRIVATE KEY-----
    MIIEowIBAAKCAQEA
    -----END RSA PRIVATE KEY-----
`,
    ],
  },
};

export const secretAsEnvCheck: Check = {
  id: 'secret-as-env',
  title: 'Secret consumed as environment variables',
  area: 'storage',
  severity: 'low',
  frameworks: {
    cis: ['5.4.1'],
    nsa: ['Network separation and hardening: Secrets'],
    kubescape: ['C-0207'],
  },
  description:
    'Environment variables leak: applications print them in error reports and debug pages, child processes inherit them, and they sit in ' +
    '`/proc/<pid>/environ`. A Secret mounted as a file is read only where the application opens it, and is updated in place when rotated. ' +
    'Low: the Secret is still protected by RBAC, only its exposure inside the container widens.',
  remediation:
    'Mount the Secret as a volume (`volumes[].secret` + `volumeMounts`, `readOnly: true`) and have the application read the file; many images accept `*_FILE` variables for this.',
  evaluate: perPod((pod, out) => {
    for (const container of pod.containers) {
      const env = envEntries(container);
      if (env !== undefined) {
        for (let i = 0; i < env.length; i++) {
          const entry = asFields(env[i]);
          const ref = asFields(fieldOf(asFields(fieldOf(entry, 'valueFrom')), 'secretKeyRef'));
          if (ref === undefined) continue;
          out.push({
            path: [...container.path, 'env', i, 'valueFrom', 'secretKeyRef'],
            message: `${containerLabel(container)} reads Secret ${showValue(fieldOf(ref, 'name') ?? '')} key ${showValue(fieldOf(ref, 'key') ?? '')} into env ${showValue(fieldOf(entry, 'name') ?? i)}`,
          });
        }
      }
      const envFrom = asList(fieldOf(container.raw, 'envFrom'));
      if (envFrom === undefined) continue;
      for (let i = 0; i < envFrom.length; i++) {
        const ref = asFields(fieldOf(asFields(envFrom[i]), 'secretRef'));
        if (ref === undefined) continue;
        out.push({
          path: [...container.path, 'envFrom', i, 'secretRef'],
          message: `${containerLabel(container)} loads every key of Secret ${showValue(fieldOf(ref, 'name') ?? '')} as environment variables`,
        });
      }
    }
  }),
  fixtures: {
    pass: [
      `apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers:
  - name: app
    image: app
    env: [{name: DB_PASSWORD_FILE, value: /secrets/db/password}]
    envFrom: [{configMapRef: {name: settings}}]
    volumeMounts: [{name: db, mountPath: /secrets/db, readOnly: true}]
  volumes:
  - {name: db, secret: {secretName: db}}
`,
    ],
    fail: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: api
        image: api
        env:
        - {name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: db, key: password}}}
`,
      `apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers:
  - name: app
    image: app
    envFrom: [{secretRef: {name: app-secrets}}]
`,
    ],
  },
};

function decoded(value: unknown, base64: boolean): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (!base64) return value;
  // Only the length and placeholder test need the text; bound what is decoded.
  return Buffer.from(value.length > 4096 ? value.slice(0, 4096) : value, 'base64').toString('utf8');
}

export const secretInManifestCheck: Check = {
  id: 'secret-in-manifest',
  title: 'Secret values written in a manifest',
  area: 'storage',
  severity: 'high',
  frameworks: {
    cis: ['5.4.2'],
    nsa: ['Network separation and hardening: Secrets'],
    mitre: ['T1552.001'],
  },
  description:
    'A Secret whose `data` or `stringData` is written in a manifest file has its values in plain text (base64 is an encoding, not encryption) in the ' +
    'repository and its whole history, in CI logs and in every copy of the chart. High: anyone who can read the repository can read the credentials. ' +
    'Secrets whose every value is empty or a placeholder are not reported, nor objects read from a cluster (they carry `metadata.uid`). The values are never printed.',
  remediation:
    'Keep the values out of the repository: create the Secret from a secret manager (External Secrets, CSI secrets store), or commit it encrypted ' +
    '(Sealed Secrets, SOPS); then rotate the values that were committed.',
  evaluate(context) {
    const { object } = context;
    if (object.kind !== 'Secret' || object.apiVersion !== 'v1') return NO_VIOLATIONS;
    if (fieldOf(asFields(fieldOf(object.raw, 'metadata')), 'uid') !== undefined) return NO_VIOLATIONS;
    const out: Violation[] = [];
    for (const section of ['data', 'stringData'] as const) {
      const values = asFields(fieldOf(object.raw, section));
      if (values === undefined) continue;
      const keys: string[] = [];
      for (const key of Object.keys(values)) {
        const text = decoded(values[key], section === 'data');
        if (text !== undefined && isLiteralSecretValue(text)) keys.push(key);
        // Multi-line values (keys, certificates, config files) fail the one-line literal test but are secrets all the same.
        else if (text !== undefined && text.trim().includes('\n')) keys.push(key);
      }
      if (keys.length === 0) continue;
      const shown = keys.slice(0, 5).map((key) => showValue(key)).join(', ') + (keys.length > 5 ? `, and ${keys.length - 5} more` : '');
      out.push({
        path: [section],
        message: `Secret holds ${keys.length} value${keys.length === 1 ? '' : 's'} in plain ${section} (${shown})`,
      });
    }
    return out;
  },
  fixtures: {
    pass: [
      `apiVersion: v1
kind: Secret
metadata: {name: db}
stringData:
  password: "<set by the pipeline>"
  user: ""
`,
      `apiVersion: v1
kind: Secret
metadata: {name: token, uid: 9b2c1a40-0d0e-4a3b-8f77-1b2c3d4e5f60}
data:
  token: c2VjcmV0LXRva2VuLXZhbHVl
`,
    ],
    fail: [
      `apiVersion: v1
kind: Secret
metadata: {name: db}
type: Opaque
data:
  password: c3VwZXItc2VjcmV0LXBhc3N3b3Jk
`,
      `apiVersion: v1
kind: Secret
metadata: {name: api}
stringData:
  API_KEY: "k-1234-abcd-5678"
`,
    ],
  },
};
