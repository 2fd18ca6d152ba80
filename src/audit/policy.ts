// The audit Policy Bulwark recommends: enough for every built-in detection, no secret material, and
// no flood of routine traffic. Rules are tried in order and the first that matches decides.
//   - Secrets, TokenRequests and TokenReviews: Metadata only — their bodies are credentials.
//   - RBAC and CSR changes: RequestResponse — the rules granted and the certificate issued matter.
//   - Writes to workloads, pods, services, ConfigMaps, namespaces…: Request — the detections read
//     the object being created (privileged containers, host paths, NodePort, credentials in a
//     ConfigMap; a ConfigMap's values are then in the audit trail, which the ledger keeps encrypted).
//   - Everything else: Metadata (who did what to which object, and the outcome).
// ResponseStarted is kept: it is the stage at which exec, attach and port-forward show.
import { load } from 'js-yaml';

const POLICY = `# Audit policy recommended by Bulwark (bulwark audit policy). First matching rule wins.
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  # Probes and routine chatter: nothing to detect, most of the volume.
  - level: None
    nonResourceURLs: ["/healthz*", "/livez*", "/readyz*", "/version"]
  - level: None
    resources:
      - group: "coordination.k8s.io"
        resources: ["leases"]
    verbs: ["get", "list", "watch", "update"]
  - level: None
    resources:
      - group: ""
        resources: ["events"]
      - group: "events.k8s.io"
        resources: ["events"]
  - level: None
    users: ["system:kube-proxy"]
    verbs: ["watch"]
    resources:
      - group: ""
        resources: ["endpoints", "services"]
      - group: "discovery.k8s.io"
        resources: ["endpointslices"]
  # Credentials: who touched them, never their contents.
  - level: Metadata
    resources:
      - group: ""
        resources: ["secrets", "serviceaccounts/token"]
      - group: "authentication.k8s.io"
        resources: ["tokenreviews"]
  # Changes to who may do what, and certificates issued: the full request and response.
  - level: RequestResponse
    verbs: ["create", "update", "patch", "delete", "deletecollection"]
    resources:
      - group: "rbac.authorization.k8s.io"
        resources: ["roles", "clusterroles", "rolebindings", "clusterrolebindings"]
      - group: "certificates.k8s.io"
        resources: ["certificatesigningrequests", "certificatesigningrequests/approval", "certificatesigningrequests/status"]
  # Objects being created or changed: the request body, which the detections read.
  - level: Request
    verbs: ["create", "update", "patch"]
    resources:
      - group: ""
      - group: "apps"
      - group: "batch"
      - group: "networking.k8s.io"
      - group: "policy"
  # Everything else: who, what, which object, the outcome.
  - level: Metadata
`;

export function recommendedAuditPolicyYaml(): string {
  return POLICY;
}

export function recommendedAuditPolicy(): Record<string, unknown> {
  return load(POLICY) as Record<string, unknown>;
}
