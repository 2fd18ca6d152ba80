import type { Control } from '../../core/index.ts';
import type { ImageConfig } from '../oci/manifest.ts';
import { secretRulesMatching } from '../secrets/scan.ts';

/** One thing wrong with an image's configuration, at a field path inside the config JSON. */
export interface ConfigViolation {
  path: string;
  /** Names what is wrong; never a secret value. */
  message: string;
}

/**
 * An image configuration check: data plus one pure function of the parsed config, with configs that
 * must fail and configs that must pass beside it (the raw JSON shape of an image config).
 */
export interface ImageConfigCheck extends Control {
  evaluate(config: ImageConfig): Iterable<ConfigViolation>;
  fixtures: { pass: readonly object[]; fail: readonly object[] };
}

const SECRET_NAME = /(?:PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?|AUTH)(?:$|_)/i;
/** Names that only point at where a secret lives. */
const SECRET_REFERENCE_NAME = /_(?:FILE|PATH|DIR|URL_FILE|HOST|PORT|USER|USERNAME|NAME|ID|ENABLED|TYPE|METHOD)$/i;

function secretLikeValue(value: string): boolean {
  // Empty, a variable reference, a path or a boolean/number is configuration, not a credential.
  return value.length >= 8 && !/^\$\{?[A-Za-z_]/.test(value) && !value.startsWith('/') && !/^(?:true|false|yes|no|\d+)$/i.test(value);
}

const ROOT_USERS = new Set(['', 'root', '0']);

export const runsAsRoot: ImageConfigCheck = {
  id: 'image-runs-as-root',
  title: 'Image runs as root',
  area: 'distribute',
  severity: 'high',
  frameworks: { mitre: ['T1611'] },
  description:
    'With no `USER` (or `USER root`/`0`) every container of the image runs as root unless the pod overrides it. A root process that escapes the container is root on the node.',
  remediation: 'Add `USER 10001` (a numeric, non-zero UID, so Kubernetes `runAsNonRoot` can verify it) to the Dockerfile after installing packages.',
  *evaluate(config) {
    const user = config.user.trim();
    const name = user.split(':')[0] ?? '';
    if (ROOT_USERS.has(name)) {
      yield { path: 'config.User', message: user === '' ? 'the image sets no USER, so it runs as root' : `USER is "${user}", which is root` };
    }
  },
  fixtures: {
    fail: [{ config: {} }, { config: { User: 'root' } }, { config: { User: '0:0' } }],
    pass: [{ config: { User: '10001' } }, { config: { User: 'app:app' } }],
  },
};

export const secretInEnv: ImageConfigCheck = {
  id: 'image-secret-in-env',
  title: 'Secret in image environment',
  area: 'distribute',
  severity: 'high',
  frameworks: { mitre: ['T1552.001'] },
  description:
    '`ENV` values are stored in the image config: anyone who can pull the image reads them (`docker inspect`), and every container inherits them.',
  remediation: 'Pass secrets at run time (a Kubernetes Secret mounted as a file or env var) and remove the ENV line; rotate the exposed secret.',
  *evaluate(config) {
    for (const [i, entry] of config.env.entries()) {
      const eq = entry.indexOf('=');
      const name = eq < 0 ? entry : entry.slice(0, eq);
      const value = eq < 0 ? '' : entry.slice(eq + 1);
      const rules = secretRulesMatching(value);
      if (rules.length > 0) {
        yield { path: `config.Env[${i}]`, message: `ENV ${name} holds a value that looks like a ${rules[0]} (value not shown)` };
      } else if (SECRET_NAME.test(name) && !SECRET_REFERENCE_NAME.test(name) && secretLikeValue(value)) {
        yield { path: `config.Env[${i}]`, message: `ENV ${name} is set in the image to a ${value.length}-character value (value not shown)` };
      }
    }
  },
  fixtures: {
    fail: [{ config: { Env: ['PATH=/usr/bin', 'DB_PASSWORD=s3cr3t-passw0rd'] } }, { config: { Env: ['GH=ghp_0123456789abcdefghijABCDEFGHIJ012345'] } }],
    pass: [{ config: { Env: ['PATH=/usr/bin', 'DB_PASSWORD_FILE=/run/secrets/db', 'API_TOKEN=${API_TOKEN}', 'TOKEN_ENABLED=true'] } }],
  },
};

const HISTORY_ASSIGNMENT = /(?:^|[\s|])([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|\S+)/g;
const PASSWORD_FLAG = /(?:^|\s)(?:--password|--passwd|--token|--api-key|-p)[=\s]+(?!\$)(\S{6,})/;

export const secretInHistory: ImageConfigCheck = {
  id: 'image-secret-in-history',
  title: 'Secret in image build history',
  area: 'distribute',
  severity: 'high',
  frameworks: { mitre: ['T1552.001'] },
  description:
    'The config keeps every build step (`docker history`), including `ARG` values passed to `RUN` and command lines with passwords: deleting the secret in a later step does not remove it.',
  remediation: 'Use BuildKit secret mounts (`RUN --mount=type=secret,id=…`) instead of ARG/ENV or command-line passwords; rotate the exposed secret and rebuild.',
  *evaluate(config) {
    for (const [i, entry] of config.history.entries()) {
      const line = entry.createdBy;
      const rules = secretRulesMatching(line);
      if (rules.length > 0) {
        yield { path: `history[${i}].created_by`, message: `build step ${i + 1} contains a ${rules[0]} (value not shown)` };
        continue;
      }
      let reported = false;
      for (const match of line.matchAll(HISTORY_ASSIGNMENT)) {
        const name = match[1]!;
        const value = match[2]!.replace(/^["']|["']$/g, '');
        if (SECRET_NAME.test(name) && !SECRET_REFERENCE_NAME.test(name) && secretLikeValue(value)) {
          yield { path: `history[${i}].created_by`, message: `build step ${i + 1} sets ${name} to a literal value (value not shown)` };
          reported = true;
          break;
        }
      }
      if (!reported && PASSWORD_FLAG.test(line)) {
        yield { path: `history[${i}].created_by`, message: `build step ${i + 1} passes a password or token on the command line (value not shown)` };
      }
    }
  },
  fixtures: {
    fail: [
      { history: [{ created_by: '|1 NPM_TOKEN=abcdef0123456789 /bin/sh -c npm ci' }] },
      { history: [{ created_by: '/bin/sh -c mysql -u root --password=hunter22 < init.sql' }] },
    ],
    pass: [{ history: [{ created_by: '/bin/sh -c apt-get update && apt-get install -y curl' }, { created_by: 'ARG NPM_TOKEN' }, { created_by: 'RUN --mount=type=secret,id=npm npm ci # buildkit' }] }],
  },
};

/** Ports of remote shells and unauthenticated daemons: an image exposing them invites access around the application. */
const REMOTE_ACCESS_PORTS: Readonly<Record<string, string>> = { '22': 'SSH', '23': 'Telnet', '2375': 'the unencrypted Docker API', '3389': 'RDP', '5900': 'VNC' };

export const exposesRemoteAccess: ImageConfigCheck = {
  id: 'image-exposes-remote-access-port',
  title: 'Image exposes a remote-access port',
  area: 'distribute',
  severity: 'medium',
  frameworks: { mitre: ['T1021'] },
  description: 'An image that exposes SSH (22), Telnet, RDP, VNC or the Docker API usually runs a remote-access daemon: a way into the container around the application and its audit trail.',
  remediation: 'Remove the daemon and the `EXPOSE` line; use `kubectl exec` (audited by the API server) or ephemeral debug containers instead.',
  *evaluate(config) {
    for (const port of config.exposedPorts) {
      const number = port.split('/')[0] ?? port;
      const service = REMOTE_ACCESS_PORTS[number];
      if (service !== undefined) yield { path: `config.ExposedPorts["${port}"]`, message: `the image exposes ${port} (${service})` };
    }
  },
  fixtures: {
    fail: [{ config: { ExposedPorts: { '22/tcp': {} } } }, { config: { ExposedPorts: { '8080/tcp': {}, '5900/tcp': {} } } }],
    pass: [{ config: { ExposedPorts: { '8080/tcp': {}, '443/tcp': {} } } }, { config: {} }],
  },
};

export const missingHealthcheck: ImageConfigCheck = {
  id: 'image-no-healthcheck',
  title: 'Image has no HEALTHCHECK',
  area: 'distribute',
  severity: 'low',
  frameworks: {},
  description:
    'Without a `HEALTHCHECK` a container that hangs looks healthy to Docker and Compose. Kubernetes ignores HEALTHCHECK and uses the pod\'s probes, so this matters mostly outside a cluster.',
  remediation: 'Add `HEALTHCHECK CMD …` to the Dockerfile, or make sure every workload that runs the image declares liveness and readiness probes.',
  *evaluate(config) {
    if (config.healthcheck === null || config.healthcheck.test.length === 0) {
      yield { path: 'config.Healthcheck', message: 'the image declares no HEALTHCHECK' };
    } else if (config.healthcheck.test[0] === 'NONE') {
      yield { path: 'config.Healthcheck.Test', message: 'the image disables the health check inherited from its base (HEALTHCHECK NONE)' };
    }
  },
  fixtures: {
    fail: [{ config: {} }, { config: { Healthcheck: { Test: ['NONE'] } } }],
    pass: [{ config: { Healthcheck: { Test: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'] } } }],
  },
};

export const imageConfigChecks: readonly ImageConfigCheck[] = [runsAsRoot, secretInEnv, secretInHistory, exposesRemoteAccess, missingHealthcheck];

export const secretInLayerControl: Control = {
  id: 'image-secret-in-layer',
  title: 'Secret in image layer',
  area: 'distribute',
  severity: 'critical',
  frameworks: { mitre: ['T1552.001'] },
  description:
    'A private key, cloud credential or token stored in a layer is readable by everyone who can pull the image, even when a later layer deletes the file.',
  remediation: 'Remove the secret from the build context (`.dockerignore`), use BuildKit secret mounts for build-time credentials, rebuild, and rotate the secret.',
};

export const imageControls: readonly Control[] = [...imageConfigChecks, secretInLayerControl];
