// Which identities a binding's subject stands for, as the RBAC authorizer's appliesToUser decides.
import type { Namespace, Subject, UserInfo } from './model.ts';

export const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';
export const ALL_SERVICE_ACCOUNTS = 'system:serviceaccounts';
export const AUTHENTICATED = 'system:authenticated';
export const UNAUTHENTICATED = 'system:unauthenticated';
export const ANONYMOUS = 'system:anonymous';
export const MASTERS = 'system:masters';

/**
 * The identity a ServiceAccount's token authenticates as, with the groups the API server adds
 * (`system:serviceaccounts`, `system:serviceaccounts:<namespace>`, `system:authenticated`).
 */
export function serviceAccountUser(namespace: Namespace, name: string): UserInfo {
  const ns = namespace ?? UNSET_NAMESPACE;
  return {
    name: `${SERVICE_ACCOUNT_PREFIX}${ns}:${name}`,
    groups: [ALL_SERVICE_ACCOUNTS, `${ALL_SERVICE_ACCOUNTS}:${ns}`, AUTHENTICATED],
  };
}

/** What an unauthenticated request is, when the API server allows anonymous requests. */
export const ANONYMOUS_USER: UserInfo = { name: ANONYMOUS, groups: [UNAUTHENTICATED] };

/**
 * The namespace a ServiceAccount subject lives in: its own, or else the binding's. A
 * ClusterRoleBinding's ServiceAccount subject without a namespace matches nobody (undefined).
 * `null` is a manifest namespace chosen at apply time.
 */
export function serviceAccountNamespace(subject: Subject, bindingNamespace: Namespace, clusterScoped: boolean): Namespace | undefined {
  if (subject.namespace.length > 0) return subject.namespace;
  if (clusterScoped) return undefined;
  return bindingNamespace;
}

/**
 * appliesToUser. `bindingNamespace` is the RoleBinding's namespace ('' for a ClusterRoleBinding). A
 * ServiceAccount's username is compared in its parts, as serviceaccount.MatchesUsername does.
 */
export function appliesToUser(user: UserInfo, subject: Subject, bindingNamespace: Namespace, clusterScoped: boolean): boolean {
  switch (subject.kind) {
    case 'User':
      return user.name === subject.name;
    case 'Group':
      return user.groups.includes(subject.name);
    case 'ServiceAccount': {
      const namespace = serviceAccountNamespace(subject, bindingNamespace, clusterScoped);
      if (namespace === undefined || namespace === '') return false;
      return user.name === `${SERVICE_ACCOUNT_PREFIX}${namespace ?? UNSET_NAMESPACE}:${subject.name}`;
    }
    default:
      return false;
  }
}

/**
 * Stand-in for a manifest's unset namespace inside usernames. It contains characters no namespace
 * name may have, so it never collides with a real one.
 */
export const UNSET_NAMESPACE = '<unset>';

/** `ServiceAccount shop/web`, `Group system:authenticated`, `User jane`; unset namespaces as `(unset)`. */
export function describeSubject(subject: Subject, bindingNamespace: Namespace, clusterScoped: boolean): string {
  if (subject.kind === 'ServiceAccount') {
    const namespace = serviceAccountNamespace(subject, bindingNamespace, clusterScoped);
    if (namespace === undefined) return `ServiceAccount ${subject.name} (no namespace: matches nobody)`;
    return `ServiceAccount ${namespace ?? '(unset)'}/${subject.name}`;
  }
  return `${subject.kind} ${subject.name}`;
}

/** Subjects that stand for everyone, or everyone authenticated: granting them anything grants it widely. */
export function isPublicSubject(subject: Subject): 'anonymous' | 'authenticated' | undefined {
  if (subject.kind === 'User' && subject.name === ANONYMOUS) return 'anonymous';
  if (subject.kind === 'Group' && subject.name === UNAUTHENTICATED) return 'anonymous';
  if (subject.kind === 'Group' && subject.name === AUTHENTICATED) return 'authenticated';
  return undefined;
}
