// The `authorizer` variable and its functions (Kubernetes authz library). Authorization checks ask
// the cluster's authorizer, which an offline evaluation does not have: the expressions compile as
// on the API server and fail when evaluated, so the policy's failurePolicy decides the outcome.
import type { CelFunc, CelValue } from '@bufbuild/cel';
import { isString, memberFn, opaque } from '../overload.ts';
import { asCel, Opaque } from '../values.ts';

export class Authorizer extends Opaque {
  readonly typeName = 'kubernetes.authorization.Authorizer';

  protected identity(): [string, CelValue] {
    return [this.typeName, true];
  }

  toString(): string {
    return 'authorizer';
  }
}

export const AUTHORIZER = asCel(new Authorizer());

const OFFLINE = 'authorizer checks need the cluster: they are not available in an offline evaluation';

const isAuthorizer = opaque(Authorizer);
const fail = (): never => {
  throw new Error(OFFLINE);
};

/** Signatures from k8s.io/apiserver/pkg/cel/library/authz.go; every receiver reached offline is the stub. */
export const authzFunctions: CelFunc[] = [
  memberFn('path', isAuthorizer, [isString], fail),
  memberFn('group', isAuthorizer, [isString], fail),
  memberFn('serviceAccount', isAuthorizer, [isString, isString], fail),
  memberFn('resource', isAuthorizer, [isString], fail),
  memberFn('subresource', isAuthorizer, [isString], fail),
  memberFn('namespace', isAuthorizer, [isString], fail),
  memberFn('name', isAuthorizer, [isString], fail),
  memberFn('check', isAuthorizer, [isString], fail),
  memberFn('allowed', isAuthorizer, [], fail),
  memberFn('reason', isAuthorizer, [], fail),
  memberFn('errored', isAuthorizer, [], fail),
  memberFn('error', isAuthorizer, [], fail),
  memberFn('fieldSelector', isAuthorizer, [isString], fail),
  memberFn('labelSelector', isAuthorizer, [isString], fail),
];
