// The RBAC engine: pure, synchronous, exact to the Kubernetes RBAC authorizer. The manifest scan
// (src/checks/access) and the live-cluster scan build an index from their own objects and ask it
// for effective permissions, who-can, holders of risky rules, and escalation paths.
export type { Binding, Namespace, NonResourceRequest, PolicyRule, Request, ResourceRequest, Role, RoleRef, Subject, UserInfo } from './model.ts';
export { isResourceRequest, RBAC_GROUP } from './model.ts';
export { parseBinding, parseRole, parseRule } from './parse.ts';
export { apiGroupMatches, isFullAccessRule, nonResourceURLMatches, resourceMatches, resourceNameMatches, ruleAllows, verbMatches } from './rule-matches.ts';
export { resolveClusterRoles, type ResolvedRule } from './aggregate.ts';
export { BUILTIN_CLUSTER_ROLES, isBuiltinClusterRoleName, isBuiltinRoleName } from './builtin.ts';
export {
  canMatch,
  createRbacIndex,
  describeScope,
  type Decision,
  type GrantedRule,
  type Holder,
  type RbacIndex,
  type RbacIndexOptions,
  type RoleResolution,
  type Scope,
} from './effective.ts';
export { describeGrant, RISKY_PERMISSIONS, riskyGrants, ruleGrantsRisk, type RiskGrant, type RiskId, type RiskyPermission } from './risks.ts';
export { API_SERVER_CLIENT_SIGNER, escalationPaths, NODE_ACCESS_GOAL, type EscalationOptions, type EscalationPath, type EscalationStep } from './escalation.ts';
export { ANONYMOUS_USER, appliesToUser, describeSubject, isPublicSubject, serviceAccountUser } from './subjects.ts';
export { effectivePermissions, type EffectivePermissions } from './permissions.ts';
