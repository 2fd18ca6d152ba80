// The decision pipeline behind /validate and /mutate: which rules apply to a request, in which mode
// (enforce, warn, audit) for its namespace, and what the API server is told. Each rule runs inside
// its own guard, so a rule that throws fails by its failure policy and never takes the request (or
// the process) down with it.
import type { Check } from '../checks/check.ts';
import type { FieldPath, KubeObject } from '../core/index.ts';
import { runChecks } from '../engine/run.ts';
import { podViews, type PodView } from '../podspec/index.ts';
import { evaluatePod, isPssVersion, pssChecks, PSS_LATEST, type PssVersion } from '../pss/index.ts';
import type { PolicySet, ResourceInfo } from '../policy/index.ts';
import { evaluatePolicyRequest } from '../policy/index.ts';
import type { ImagePolicy, ImageVerification, TrustPolicy } from '../trust/index.ts';
import { decide as decideTrust } from '../trust/index.ts';
import { modeIn, type AdmissionConfig, type FailurePolicy, type Mode, type PssLevelSetting, type PssSetting } from './config.ts';
import { imagesOf, pinnedReference, registryAllowed, tryParseImage, type DigestResolver, type ImageUse } from './images.ts';
import type { Labels, NamespaceSource } from './namespaces.ts';
import { escapePointerToken, toPointer, type PatchOperation } from './patch.ts';
import type { AdmissionRequest } from './review.ts';

export type Outcome = 'pass' | 'deny' | 'warn' | 'audit' | 'error' | 'skip' | 'exempt' | 'mutate';

export interface RuleOutcome {
  rule: string;
  outcome: Outcome;
}

export interface Decision {
  allowed: boolean;
  /** Why the request was refused and what to change; present when not allowed. */
  message?: string;
  warnings: string[];
  auditAnnotations: Record<string, string>;
  patch: PatchOperation[];
  outcomes: RuleOutcome[];
}

/** What signature verification needs: the trust policy and something that verifies against it. */
export interface SignatureVerifier {
  policy: TrustPolicy;
  verify(image: string, policy: ImagePolicy): Promise<ImageVerification>;
}

export interface ControllerOptions {
  config: AdmissionConfig;
  namespaces: NamespaceSource;
  /** Per-object catalog checks (outside Pod Security); absent: the catalog rule is off. */
  checks?: readonly Check[];
  policies?: PolicySet;
  resolver?: DigestResolver;
  signatures?: SignatureVerifier;
  /** Called once per rule and request (metrics). */
  observe?: (rule: string, outcome: Outcome) => void;
}

const LABEL_PREFIX = 'pod-security.kubernetes.io/';
const LEVELS: ReadonlySet<string> = new Set(['privileged', 'baseline', 'restricted']);
/** The API server keeps at most this many warnings per response, and truncates long ones. */
const MAX_WARNINGS = 50;
const MAX_WARNING_LENGTH = 512;
const MAX_ANNOTATION_LENGTH = 4096;

/** The namespace's Pod Security settings for one mode: its labels, else the configured default. */
export function pssSettingFor(labels: Labels | null, mode: 'enforce' | 'warn' | 'audit', defaults: AdmissionConfig['podSecurity']): PssSetting {
  const levelLabel = labels?.[`${LABEL_PREFIX}${mode}`];
  const versionLabel = labels?.[`${LABEL_PREFIX}${mode}-version`];
  let level: PssLevelSetting = defaults[mode];
  let version: PssVersion = defaults[`${mode}Version`];
  // Like the built-in admission: an unreadable label fails closed, to restricted at the latest version.
  if (levelLabel !== undefined) level = LEVELS.has(levelLabel) ? (levelLabel as PssLevelSetting) : 'restricted';
  if (versionLabel !== undefined) version = isPssVersion(versionLabel) ? versionLabel : PSS_LATEST;
  return { level, version };
}

/** Collects a rule's findings into denials, warnings and audit annotations by the rule's mode. */
class Verdict {
  readonly denials: string[] = [];
  readonly warnings: string[] = [];
  readonly audit: Record<string, string> = {};
  readonly outcomes: RuleOutcome[] = [];
  readonly patch: PatchOperation[] = [];
  readonly #observe: (rule: string, outcome: Outcome) => void;

  constructor(observe: (rule: string, outcome: Outcome) => void) {
    this.#observe = observe;
  }

  add(rule: string, mode: Mode, messages: readonly string[]): void {
    if (mode === 'off') return this.outcome(rule, 'skip');
    if (messages.length === 0) return this.outcome(rule, 'pass');
    if (mode === 'enforce') {
      for (const message of messages) this.denials.push(message);
      this.outcome(rule, 'deny');
    } else if (mode === 'warn') {
      for (const message of messages) this.warn(message);
      this.outcome(rule, 'warn');
    } else {
      this.annotate(rule, messages.join('; '));
      this.outcome(rule, 'audit');
    }
  }

  warn(message: string): void {
    if (this.warnings.length >= MAX_WARNINGS) return;
    this.warnings.push(message.length > MAX_WARNING_LENGTH ? `${message.slice(0, MAX_WARNING_LENGTH - 1)}…` : message);
  }

  annotate(key: string, value: string): void {
    // The API server prefixes the webhook's name and requires a qualified-name key.
    const clean = key.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '').slice(0, 63) || 'rule';
    const previous = this.audit[clean];
    const text = previous === undefined ? value : `${previous}; ${value}`;
    this.audit[clean] = text.length > MAX_ANNOTATION_LENGTH ? `${text.slice(0, MAX_ANNOTATION_LENGTH - 1)}…` : text;
  }

  /** A rule that could not decide: its failure policy says whether that refuses the request. */
  failed(rule: string, failurePolicy: FailurePolicy, error: unknown): void {
    const message = `${rule}: could not be evaluated (${error instanceof Error ? error.message : String(error)})`;
    if (failurePolicy === 'Fail') this.denials.push(`${message}; refused because its failurePolicy is Fail`);
    else this.warn(`${message}; ignored because its failurePolicy is Ignore`);
    this.annotate(`${rule}-error`, message);
    this.outcome(rule, 'error');
  }

  outcome(rule: string, outcome: Outcome): void {
    this.outcomes.push({ rule, outcome });
    this.#observe(rule, outcome);
  }

  decision(): Decision {
    const allowed = this.denials.length === 0;
    const decision: Decision = { allowed, warnings: this.warnings, auditAnnotations: this.audit, patch: this.patch, outcomes: this.outcomes };
    if (!allowed) {
      decision.message =
        this.denials.length === 1 ? (this.denials[0] as string) : `${this.denials.length} problems:\n${this.denials.map((denial) => `- ${denial}`).join('\n')}`;
    }
    return decision;
  }
}

function allow(outcome: Outcome, rule: string, observe: (rule: string, outcome: Outcome) => void): Decision {
  observe(rule, outcome);
  return { allowed: true, warnings: [], auditAnnotations: {}, patch: [], outcomes: [{ rule, outcome }] };
}

/** Source-less KubeObject for the engines that take one (catalog, CEL). */
function asKubeObject(raw: Record<string, unknown>, request: AdmissionRequest): KubeObject {
  const metadata = (raw['metadata'] ?? {}) as Record<string, unknown>;
  const name = typeof metadata['name'] === 'string' ? metadata['name'] : typeof metadata['generateName'] === 'string' ? `${metadata['generateName']}*` : request.name;
  const namespace = request.namespace === '' ? null : request.namespace;
  return {
    apiVersion: typeof raw['apiVersion'] === 'string' ? raw['apiVersion'] : request.kind.group === '' ? request.kind.version : `${request.kind.group}/${request.kind.version}`,
    kind: typeof raw['kind'] === 'string' ? raw['kind'] : request.kind.kind,
    namespace,
    name,
    raw,
    source: { file: `admission:${request.namespace}/${name}`, document: 0, line: 0, column: 0 },
    positions: NO_POSITIONS,
  };
}

const NO_POSITIONS = { locate: () => ({ line: 0, column: 0 }) };

function specsUnchanged(pods: readonly PodView[], old: Record<string, unknown> | null): boolean {
  if (old === null) return false;
  const before = podSpecs(old);
  if (before.length !== pods.length) return false;
  return pods.every((pod, index) => JSON.stringify(pod.spec) === before[index]);
}

/** The subresources whose object is a pod to check; every other subresource is not ours to judge. */
const CHECKED_SUBRESOURCES: ReadonlySet<string> = new Set(['', 'ephemeralcontainers']);

/** The pod specs of a workload, compared as the API server stores them (key order is theirs). */
function podSpecs(raw: Record<string, unknown> | null): string[] {
  return raw === null ? [] : podViews(raw).map((view) => JSON.stringify(view.spec));
}

/**
 * The request as ValidatingAdmissionPolicies see it (`request`): the AdmissionRequest as received,
 * with the fields the API server always sets present even when a client left them out.
 */
function policyRequestView(request: AdmissionRequest): Record<string, unknown> {
  const raw = request.raw;
  return {
    ...raw,
    uid: request.uid,
    kind: request.kind,
    resource: request.resource,
    subResource: request.subResource,
    requestKind: raw['requestKind'] ?? request.kind,
    requestResource: raw['requestResource'] ?? request.resource,
    requestSubResource: raw['requestSubResource'] ?? request.subResource,
    name: request.name,
    namespace: request.namespace,
    operation: request.operation,
    userInfo: { extra: {}, ...((raw['userInfo'] as Record<string, unknown> | undefined) ?? {}), username: request.userInfo.username, uid: request.userInfo.uid, groups: [...request.userInfo.groups] },
    dryRun: request.dryRun,
  };
}

export class AdmissionController {
  readonly #options: ControllerOptions;
  readonly #observe: (rule: string, outcome: Outcome) => void;
  readonly #exemptUsers: ReadonlySet<string>;
  readonly #exemptGroups: ReadonlySet<string>;
  readonly #exemptNamespaces: ReadonlySet<string>;
  readonly #excluded: ReadonlySet<string>;

  constructor(options: ControllerOptions) {
    this.#options = options;
    this.#observe = options.observe ?? (() => {});
    const { exemptions, excludedNamespaces } = options.config;
    this.#exemptUsers = new Set([...exemptions.users, ...exemptions.serviceAccounts.map((account) => `system:serviceaccount:${account.replace('/', ':')}`)]);
    this.#exemptGroups = new Set(exemptions.groups);
    this.#exemptNamespaces = new Set(exemptions.namespaces);
    this.#excluded = new Set(excludedNamespaces);
  }

  /** Why the request is not checked at all, or null when it is. */
  #skipReason(request: AdmissionRequest): { outcome: Outcome; reason: string } | null {
    if (this.#excluded.has(request.namespace)) return { outcome: 'skip', reason: 'excluded namespace' };
    if (this.#exemptNamespaces.has(request.namespace)) return { outcome: 'exempt', reason: 'namespace' };
    if (this.#exemptUsers.has(request.userInfo.username)) return { outcome: 'exempt', reason: 'user' };
    if (request.userInfo.groups.some((group) => this.#exemptGroups.has(group))) return { outcome: 'exempt', reason: 'group' };
    return null;
  }

  /**
   * The validating decision. `rules` narrows it to the pod rules (Pod Security, catalog, images,
   * signatures) or to the CEL policies, for webhooks registered for one of them; default both.
   * Pod rules judge what will run, so they see CREATE and UPDATE of objects with pods (and the
   * ephemeralcontainers subresource), never DELETE or CONNECT (exec, attach, port-forward carry
   * options, not a pod: the pod was checked when created). CEL policies see every operation and
   * subresource their own match constraints name, with `oldObject` on UPDATE and DELETE.
   */
  async validate(request: AdmissionRequest, rules: 'all' | 'pods' | 'policies' = 'all'): Promise<Decision> {
    const skip = this.#skipReason(request);
    if (skip !== null) {
      const decision = allow(skip.outcome, 'request', this.#observe);
      if (skip.outcome === 'exempt') decision.auditAnnotations['exempt'] = skip.reason;
      return decision;
    }
    const { config } = this.#options;
    const judgesPods =
      rules !== 'policies' && (request.operation === 'CREATE' || request.operation === 'UPDATE') && CHECKED_SUBRESOURCES.has(request.subResource) && request.object !== null;
    const hasPolicies = rules !== 'pods' && this.#options.policies !== undefined && this.#options.policies.policies.length > 0;
    const object = judgesPods ? (request.object as Record<string, unknown>) : null;
    const pods = object === null ? [] : podViews(object);
    const podChecks = pods.length > 0 && !(request.operation === 'UPDATE' && request.subResource === '' && specsUnchanged(pods, request.oldObject));
    if (!podChecks && !hasPolicies) return allow('skip', 'request', this.#observe);
    const verdict = new Verdict(this.#observe);
    const labels = await this.#options.namespaces.labels(request.namespace);

    if (podChecks && object !== null) {
      const kube = asKubeObject(object, request);
      await this.#guard(verdict, 'pod-security', config.podSecurity.failurePolicy, () => this.#podSecurity(verdict, object, labels));
      if (this.#options.checks !== undefined) {
        const mode = modeIn(config.catalog, request.namespace);
        if (mode !== 'off') await this.#guard(verdict, 'catalog', config.catalog.failurePolicy, () => this.#catalog(verdict, kube, mode, labels));
      }
      const uses = imagesOf(pods);
      const imageMode = modeIn(config.images, request.namespace);
      if (imageMode !== 'off' && (config.images.allowedRegistries.length > 0 || config.images.requireDigest)) {
        await this.#guard(verdict, 'images', 'Fail', () => verdict.add('images', imageMode, this.#imagePolicy(uses)));
      }
      const signatureMode = modeIn(config.signatures, request.namespace);
      if (this.#options.signatures !== undefined && signatureMode !== 'off') {
        await this.#guard(verdict, 'signatures', config.signatures.failurePolicy, () => this.#signatures(verdict, uses, signatureMode));
      }
    }
    if (hasPolicies) {
      const mode = modeIn(config.policies, request.namespace);
      if (mode !== 'off') await this.#guard(verdict, 'policies', 'Fail', () => this.#policies(verdict, request, labels, mode));
    }
    return verdict.decision();
  }

  /**
   * The mutating decision, for Pods and every workload's pod template, on CREATE and UPDATE. An
   * UPDATE that leaves the pod specs as they were is left alone (changing a template on a
   * metadata-only update would roll the workload out for nothing). A Pod's spec is immutable but
   * for its images, so on a Pod UPDATE only the images that changed are pinned and no
   * securityContext default is added.
   */
  async mutate(request: AdmissionRequest): Promise<Decision> {
    const skip = this.#skipReason(request);
    if (skip !== null) return allow(skip.outcome, 'mutate', this.#observe);
    const update = request.operation === 'UPDATE';
    if ((request.operation !== 'CREATE' && !update) || request.subResource !== '' || request.object === null) return allow('skip', 'mutate', this.#observe);
    const { mutations } = this.#options.config;
    const object = request.object;
    const pods = podViews(object);
    if (pods.length === 0) return allow('skip', 'mutate', this.#observe);
    if (update && specsUnchanged(pods, request.oldObject)) return allow('skip', 'mutate', this.#observe);
    const podUpdate = update && request.kind.group === '' && request.kind.kind === 'Pod';
    const verdict = new Verdict(this.#observe);
    if (!podUpdate && Object.values(mutations.securityContext).some((value) => value !== undefined)) {
      await this.#guard(verdict, 'security-context-defaults', mutations.failurePolicy, () => this.#securityContextDefaults(verdict, pods));
    }
    if (mutations.resolveDigests && this.#options.resolver !== undefined) {
      let uses = imagesOf(pods);
      if (podUpdate && request.oldObject !== null) {
        const before = new Map(imagesOf(podViews(request.oldObject)).map((use) => [toPointer(use.path), use.image]));
        uses = uses.filter((use) => before.get(toPointer(use.path)) !== use.image);
      }
      await this.#guard(verdict, 'resolve-digests', mutations.failurePolicy, () => this.#resolveDigests(verdict, uses));
    }
    return verdict.decision();
  }

  async #guard(verdict: Verdict, rule: string, failurePolicy: FailurePolicy, run: () => void | Promise<void>): Promise<void> {
    try {
      await run();
    } catch (error) {
      verdict.failed(rule, failurePolicy, error);
    }
  }

  #podSecurity(verdict: Verdict, object: Record<string, unknown>, labels: Labels | null): void {
    const defaults = this.#options.config.podSecurity;
    const results = new Map<string, string[]>();
    const evaluate = (setting: PssSetting): string[] => {
      const key = `${setting.level}:${setting.version}`;
      let messages = results.get(key);
      if (messages !== undefined) return messages;
      messages = [];
      if (setting.level !== 'privileged') {
        for (const [id, violations] of evaluatePod(object, setting.level, setting.version)) {
          const check = PSS_BY_ID.get(id);
          const detail = violations.map((violation) => violation.message).join('; ');
          messages.push(`[PodSecurity "${key}"] ${check?.title ?? id}: ${detail}. Fix: ${check?.remediation ?? 'see the Pod Security Standards'}`);
        }
      }
      results.set(key, messages);
      return messages;
    };
    const enforce = evaluate(pssSettingFor(labels, 'enforce', defaults));
    verdict.add('pod-security', 'enforce', enforce);
    // A warning that repeats a denial adds nothing; the built-in admission does the same.
    const denied = new Set(enforce);
    const warn = evaluate(pssSettingFor(labels, 'warn', defaults)).filter((message) => !denied.has(message));
    if (warn.length > 0) verdict.add('pod-security', 'warn', warn);
    const audit = evaluate(pssSettingFor(labels, 'audit', defaults));
    if (audit.length > 0) verdict.add('pod-security', 'audit', audit);
  }

  #catalog(verdict: Verdict, kube: KubeObject, mode: Mode, labels: Labels | null): void {
    const setting = pssSettingFor(labels, 'enforce', this.#options.config.podSecurity);
    const level = setting.level === 'privileged' ? 'baseline' : setting.level;
    const { findings } = runChecks([kube], this.#options.checks ?? [], { settings: { pss: { level, version: setting.version } } });
    verdict.add(
      'catalog',
      mode,
      findings.map((finding) => `[${finding.control}] ${finding.title}: ${finding.message} (at ${finding.location.path}). Fix: ${finding.remediation}`),
    );
  }

  #imagePolicy(uses: readonly ImageUse[]): string[] {
    const { allowedRegistries, requireDigest } = this.#options.config.images;
    const messages: string[] = [];
    for (const use of uses) {
      const reference = tryParseImage(use.image);
      if (reference === null) {
        messages.push(`[images] container "${use.container}": ${JSON.stringify(use.image)} is not a valid image reference`);
        continue;
      }
      if (!registryAllowed(reference, allowedRegistries)) {
        messages.push(`[images] container "${use.container}": image ${use.image} is not from an allowed registry; use one of ${allowedRegistries.join(', ')}`);
      }
      if (requireDigest && reference.digest === undefined) {
        messages.push(`[images] container "${use.container}": image ${use.image} is not pinned by digest; write it as ${use.image}@sha256:<digest>`);
      }
    }
    return messages;
  }

  async #signatures(verdict: Verdict, uses: readonly ImageUse[], mode: Mode): Promise<void> {
    const signatures = this.#options.signatures as SignatureVerifier;
    const { failurePolicy } = this.#options.config.signatures;
    const messages: string[] = [];
    const unreachable: string[] = [];
    const seen = new Set<string>();
    await Promise.all(
      uses.map(async (use) => {
        if (seen.has(use.image)) return;
        seen.add(use.image);
        const reference = tryParseImage(use.image);
        if (reference === null) return; // the image rule reports it
        const decision = decideTrust(signatures.policy, `${reference.domain}/${reference.path}`);
        if (decision.action !== 'verify') {
          if (decision.action === 'allow') return;
          messages.push(`[signatures] image ${use.image} is denied by the trust policy${decision.rule === undefined ? ' (no rule matches it and the default action is deny)' : ` (rule ${decision.rule})`}`);
          return;
        }
        const result = await signatures.verify(use.image, decision.policy);
        if (result.verified) return;
        const reason = result.reason ?? { code: 'no-signatures', message: 'no signature verified' };
        const text = `[signatures] image ${use.image} is not signed as trust policy rule ${decision.rule} requires: ${reason.message} (${reason.code})`;
        if (reason.code === 'fetch-failed' || reason.code === 'timeout') unreachable.push(text);
        else messages.push(text);
      }),
    );
    verdict.add('signatures', mode, messages);
    // A registry that cannot be reached is not a bad signature: the failure policy decides.
    if (unreachable.length > 0) verdict.failed('signatures', failurePolicy, new Error(unreachable.join('; ')));
  }

  #policies(verdict: Verdict, request: AdmissionRequest, labels: Labels | null, mode: Mode): void {
    // On DELETE the object is gone: the old one names what the request is about.
    // CONNECT carries options (PodExecOptions…) without a name: the request's name is the pod's.
    const kube = asKubeObject(request.object ?? request.oldObject ?? {}, request);
    const context: KubeObject[] = [];
    if (request.namespace !== '') {
      const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: request.namespace, labels: { ...(labels ?? {}) } } };
      context.push({ ...asKubeObject(namespace, request), namespace: null, name: request.namespace, apiVersion: 'v1', kind: 'Namespace' });
    }
    const info: ResourceInfo = {
      group: request.kind.group,
      version: request.kind.version,
      kind: request.kind.kind,
      resource: request.resource.resource,
      namespaced: request.namespace !== '',
      source: 'builtin',
    };
    const evaluation = evaluatePolicyRequest(
      this.#options.policies as PolicySet,
      {
        subject: kube,
        info,
        subResource: request.subResource,
        operation: request.operation,
        object: request.object,
        oldObject: request.oldObject,
        request: policyRequestView(request),
      },
      context,
    );
    const deny: string[] = [];
    const warn: string[] = [];
    const audit: string[] = [];
    for (const violation of evaluation.violations) {
      if (violation.object !== kube) continue;
      const text = `[policy ${violation.policy}] ${violation.message}${violation.remediation === '' ? '' : `. Fix: ${violation.remediation}`}`;
      if (violation.actions.includes('Deny')) deny.push(text);
      if (violation.actions.includes('Warn')) warn.push(text);
      if (violation.actions.includes('Audit')) audit.push(text);
    }
    // The rule's mode caps what a binding asks for: warn turns denials into warnings, audit records only.
    if (mode === 'enforce') {
      verdict.add('policies', 'enforce', deny);
      if (warn.length > 0) verdict.add('policies', 'warn', warn.filter((text) => !deny.includes(text)));
      if (audit.length > 0) verdict.add('policies', 'audit', audit);
    } else {
      verdict.add('policies', mode, [...new Set([...deny, ...warn, ...audit])]);
    }
    for (const annotation of evaluation.auditAnnotations) {
      if (annotation.object === kube) verdict.annotate(annotation.key.replaceAll('/', '.'), annotation.value);
    }
  }

  #securityContextDefaults(verdict: Verdict, pods: readonly PodView[]): void {
    const defaults = this.#options.config.mutations.securityContext;
    let changed = 0;
    for (const pod of pods) {
      for (const container of pod.containers) {
        const wanted: Record<string, unknown> = {};
        const current = container.securityContext;
        if (defaults.runAsNonRoot !== undefined && container.effective.runAsNonRoot === undefined) wanted['runAsNonRoot'] = defaults.runAsNonRoot;
        if (defaults.allowPrivilegeEscalation !== undefined && current?.['allowPrivilegeEscalation'] === undefined) wanted['allowPrivilegeEscalation'] = defaults.allowPrivilegeEscalation;
        if (defaults.readOnlyRootFilesystem !== undefined && current?.['readOnlyRootFilesystem'] === undefined) wanted['readOnlyRootFilesystem'] = defaults.readOnlyRootFilesystem;
        if (defaults.seccompProfile !== undefined && container.effective.seccompProfile === undefined) wanted['seccompProfile'] = { type: defaults.seccompProfile };
        if (defaults.dropAllCapabilities === true && current?.['capabilities'] === undefined) wanted['capabilities'] = { drop: ['ALL'] };
        if (Object.keys(wanted).length === 0) continue;
        const base: FieldPath = [...container.path, 'securityContext'];
        if (current === undefined) {
          verdict.patch.push({ op: 'add', path: toPointer(base), value: wanted });
        } else {
          for (const [key, value] of Object.entries(wanted)) verdict.patch.push({ op: 'add', path: `${toPointer(base)}/${escapePointerToken(key)}`, value });
        }
        changed++;
      }
    }
    verdict.outcome('security-context-defaults', changed > 0 ? 'mutate' : 'pass');
  }

  async #resolveDigests(verdict: Verdict, uses: readonly ImageUse[]): Promise<void> {
    const resolver = this.#options.resolver as DigestResolver;
    const pending = uses.filter((use) => {
      const reference = tryParseImage(use.image);
      return reference !== null && reference.digest === undefined;
    });
    const digests = await Promise.all(pending.map((use) => resolver.resolve(use.image)));
    pending.forEach((use, index) => {
      verdict.patch.push({ op: 'replace', path: toPointer(use.path), value: pinnedReference(use.image, digests[index] as string) });
    });
    if (pending.length > 0) verdict.annotate('resolved-digests', pending.map((use, index) => `${use.image}@${digests[index] as string}`).join(', '));
    verdict.outcome('resolve-digests', pending.length > 0 ? 'mutate' : 'pass');
  }
}

const PSS_BY_ID = new Map(pssChecks.map((check) => [check.id, check]));

/** The catalog's per-object checks the catalog rule runs: Pod Security has its own rule. */
export function catalogChecks(all: readonly Check[], selected: readonly string[] | undefined, disabled: readonly string[]): Check[] {
  const pss = new Set(pssChecks.map((check) => check.id));
  const only = selected === undefined ? undefined : new Set(selected);
  const off = new Set(disabled);
  return all.filter((check) => !pss.has(check.id) && !off.has(check.id) && (only === undefined || only.has(check.id)));
}
