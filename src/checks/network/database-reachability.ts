// A datastore any pod of the cluster can connect to: one compromised pod anywhere, in any team's
// namespace, is then one password (often a default one) away from the data. Answered with the
// reachability engine for an abstract source: a pod of a namespace other than the database's, with
// labels no policy can count on.
import type { SetCheck } from '../check.ts';
import { asFields, asList, fieldOf } from '../../podspec/index.ts';
import { reachability, containerPorts, type Protocol } from './reachability.ts';
import { describeNamespace, workloadIndex, WORKLOAD_KINDS, type Workload } from './workloads.ts';

/** Datastores by image name (the last path segment of the repository), with the port they listen on by default. */
const DATASTORES: ReadonlyMap<string, number> = new Map([
  ['postgres', 5432], ['postgresql', 5432], ['postgis', 5432], ['timescaledb', 5432], ['mysql', 3306], ['mariadb', 3306], ['percona-server', 3306],
  ['mongo', 27017], ['mongodb', 27017], ['redis', 6379], ['redis-stack-server', 6379], ['valkey', 6379], ['keydb', 6379], ['memcached', 11211],
  ['elasticsearch', 9200], ['opensearch', 9200], ['cassandra', 9042], ['scylla', 9042], ['couchdb', 5984], ['etcd', 2379], ['influxdb', 8086],
  ['clickhouse-server', 9000], ['neo4j', 7687], ['cockroach', 26257], ['minio', 9000],
]);

/** `docker.io/bitnami/postgresql:16@sha256:…` → `postgresql`. */
export function imageName(image: string): string {
  let name = image;
  const at = name.indexOf('@');
  if (at !== -1) name = name.slice(0, at);
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > slash) name = name.slice(0, colon);
  return name.slice(slash + 1).toLowerCase();
}

/** The datastore a workload runs (by its containers' images) and the ports it serves it on. */
export function datastoreOf(workload: Workload): { name: string; ports: { port: number; protocol: Protocol }[] } | undefined {
  for (const item of asList(fieldOf(workload.spec, 'containers')) ?? []) {
    const image = fieldOf(asFields(item), 'image');
    if (typeof image !== 'string') continue;
    const name = imageName(image);
    const port = DATASTORES.get(name);
    if (port === undefined) continue;
    const declared = containerPorts(workload).filter((entry) => entry.protocol === 'TCP');
    // The declared ports when there are any (a datastore moved to another port declares it), else its default.
    const ports = declared.length > 0 ? declared.map((entry) => ({ port: entry.port, protocol: entry.protocol })) : [{ port, protocol: 'TCP' as const }];
    return { name, ports };
  }
  return undefined;
}

const db = (extra = '') => `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - name: postgres
        image: docker.io/library/postgres:16
        ports: [{name: pg, containerPort: 5432}]
${extra}`;
const ingressPolicy = (from: string) => `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  policyTypes: [Ingress]
  ingress:
  - from: ${from}
    ports: [{port: pg}]
`;

export const databaseOpenToAllNamespacesCheck: SetCheck = {
  id: 'network-datastore-open-to-all-namespaces',
  title: 'Datastore accepts connections from every namespace',
  area: 'network',
  severity: 'medium',
  frameworks: { cis: ['5.3.2'], nsa: ['Network separation and hardening: network policies'], mitre: ['T1210', 'T1046'] },
  description:
    'A database, cache or search engine (recognised by its image: PostgreSQL, MySQL/MariaDB, MongoDB, Redis/Valkey, Memcached, Elasticsearch/OpenSearch, Cassandra, ' +
    'CouchDB, etcd, InfluxDB, ClickHouse, Neo4j, CockroachDB, MinIO) whose NetworkPolicies let a pod of any other namespace connect on its port — because no policy ' +
    'restricts its ingress, or one allows `namespaceSelector: {}` with any pod, or every address. Computed by the reachability engine, which applies NetworkPolicy as ' +
    'the data plane does (named ports, endPort, egress and ingress). Medium: the data is then guarded by its password alone, against every workload of the cluster. ' +
    'Pods on the host network (which NetworkPolicy does not cover) are left to `network-host-network-service`.',
  remediation:
    'Add a NetworkPolicy selecting the datastore\'s pods with `policyTypes: [Ingress]` and allow only its clients: `podSelector` (same namespace) or `namespaceSelector` plus `podSelector`, on its port.',
  kinds: [...WORKLOAD_KINDS, 'NetworkPolicy', 'Namespace'],
  *evaluateSet(set) {
    const workloads = workloadIndex(set);
    let engine: ReturnType<typeof reachability> | undefined;
    for (const workload of workloads.all) {
      if (workload.hostNetwork) continue;
      const store = datastoreOf(workload);
      if (store === undefined) continue;
      engine ??= reachability(set);
      const open = store.ports.filter(({ port, protocol }) => engine!.canReach({ kind: 'any-namespace' }, workload, port, protocol));
      if (open.length === 0) continue;
      const isolating = engine.selecting(workload).filter((policy) => policy.ingress !== undefined);
      const why = isolating.length === 0 ? 'no NetworkPolicy restricts its ingress' : `NetworkPolicy ${isolating.map((policy) => policy.object.name).join(', ')} allow${isolating.length === 1 ? 's' : ''} every namespace`;
      yield {
        object: workload.object,
        path: [...workload.metadataPath, 'labels'],
        message: `${workload.object.kind} ${workload.object.name} (${store.name}) in ${describeNamespace(workload.namespace)} accepts connections on ${open.map((entry) => `${entry.port}/${entry.protocol}`).join(', ')} from pods of every namespace: ${why}`,
      };
    }
  },
  fixtures: {
    fail: [
      db(),
      `${db()}${ingressPolicy('[{namespaceSelector: {}}]')}`,
      `${db()}${ingressPolicy('[{ipBlock: {cidr: 0.0.0.0/0}}]')}`,
    ],
    pass: [
      `${db()}${ingressPolicy('[{podSelector: {matchLabels: {app: api}}}]')}`,
      `${db()}${ingressPolicy('[{namespaceSelector: {matchLabels: {team: shop}}, podSelector: {}}]')}`,
      // Open on another port only: the database port is not reachable.
      `${db()}---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: metrics, namespace: shop}
spec:
  podSelector: {}
  ingress: [{from: [{namespaceSelector: {}}], ports: [{port: 9187}]}]
`,
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx:1.27, ports: [{containerPort: 80}]}]
`,
    ],
  },
};
