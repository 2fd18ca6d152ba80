// A real Kubernetes control plane (etcd + kube-apiserver, built by testenv/build.sh) for integration
// tests and for people trying Bulwark against an API server: `startControlPlane()` and its helpers.
export { startControlPlane } from './control-plane.ts';
export type { AuditOptions, ControlPlane, ControlPlaneCa, ControlPlaneOptions, Identity, StartTimings } from './control-plane.ts';
export { encryptionConfiguration, METADATA_AUDIT_POLICY } from './apiserver-config.ts';
export type { AuditWebhookTarget, ConfigDocument, EncryptionProvider } from './apiserver-config.ts';
export { createCertificateAuthority, issueCertificate } from './certificates.ts';
export type { CertificateAuthority, CertificateRequest, KeyPairPem } from './certificates.ts';
export { etcdGet, etcdKeys } from './etcd.ts';
export type { EtcdConnection } from './etcd.ts';
export { binariesDir, missingControlPlane, pins, requireBinaries } from './paths.ts';
export type { ControlPlaneBinaries, Pins } from './paths.ts';
