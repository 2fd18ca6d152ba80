// Fixture builders for the cross-object checks: the Deployment and Service scaffolding (selector,
// template labels, the Service selecting them) that every fixture repeats, so that a fixture shows
// only what it is about. Output is YAML text ending in a newline; join documents with `---`.

function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text
    .trimEnd()
    .split('\n')
    .map((line) => `${pad}${line}`)
    .join('\n');
}

/** `metadata: {name: web, namespace: shop}`, the namespace left out when undefined. */
function metadata(name: string, namespace: string | undefined): string {
  return namespace === undefined ? `{name: ${name}}` : `{name: ${name}, namespace: ${namespace}}`;
}

/**
 * A Deployment whose selector and pod labels are `app: <name>`; `pod` is the pod spec as YAML at
 * column 0 (default: one container named and imaged after the Deployment).
 */
export function deploymentFixture(name: string, options: { namespace?: string; pod?: string } = {}): string {
  const pod = options.pod ?? `containers: [{name: ${name}, image: ${name}}]`;
  return `apiVersion: apps/v1
kind: Deployment
metadata: ${metadata(name, options.namespace)}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
${indent(pod, 6)}
`;
}

/** A Service selecting `app: <name>` on one port; `type` left out for ClusterIP. */
export function serviceFixture(name: string, options: { namespace?: string; type?: string; port?: number } = {}): string {
  return `apiVersion: v1
kind: Service
metadata: ${metadata(name, options.namespace)}
spec:
${options.type === undefined ? '' : `  type: ${options.type}\n`}  selector: {app: ${name}}
  ports: [{port: ${options.port ?? 80}}]
`;
}
