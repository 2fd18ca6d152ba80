import type { Check, SetCheck } from '../check.ts';
import { allowAllIngressCheck } from './allow-all-ingress.ts';
import { noDefaultDenyCheck, podUnrestrictedCheck } from './coverage.ts';
import { databaseOpenToAllNamespacesCheck } from './database-reachability.ts';
import { externalServiceCheck, hostNetworkServiceCheck, ingressWithoutTlsCheck } from './exposure.ts';
import { gatewayListenerNoCertificateCheck, gatewayPlainHttpCheck } from './gateway.ts';
import { meshMtlsCheck } from './mesh.ts';

/** The network area's per-object checks, in the order they run and are listed. */
export const networkChecks: readonly Check[] = [allowAllIngressCheck, externalServiceCheck, ingressWithoutTlsCheck, gatewayListenerNoCertificateCheck, meshMtlsCheck];

/** The network area's cross-object checks: policy coverage and what Services put in front of. */
export const networkSetChecks: readonly SetCheck[] = [noDefaultDenyCheck, podUnrestrictedCheck, hostNetworkServiceCheck, gatewayPlainHttpCheck, databaseOpenToAllNamespacesCheck];
