// The kubeconfig handed to tests and people: one cluster, one user and one context per identity
// (credentials embedded, so the file alone is enough), the admin context current.
import { dump } from 'js-yaml';

export interface KubeconfigUser {
  /** Also the context's name. */
  name: string;
  /** PEM client certificate and key. */
  cert: string;
  key: string;
}

const CLUSTER = 'bulwark-testenv';
const b64 = (pem: string): string => Buffer.from(pem, 'utf8').toString('base64');

export function buildKubeconfig(server: string, ca: string, users: readonly KubeconfigUser[], current: string): string {
  return dump({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: CLUSTER, cluster: { server, 'certificate-authority-data': b64(ca) } }],
    users: users.map((user) => ({ name: user.name, user: { 'client-certificate-data': b64(user.cert), 'client-key-data': b64(user.key) } })),
    contexts: users.map((user) => ({ name: user.name, context: { cluster: CLUSTER, user: user.name } })),
    'current-context': current,
  });
}
