/**
 * Chain of trust: keys and certificates, signing and verifying images and artifacts in the formats
 * cosign and the Sigstore clients read and write.
 *
 * For an admission controller the entry points are:
 *  - `loadTrustPolicy(file)` once, then `decide(policy, "registry/repo")` per image → an `ImagePolicy`;
 *  - `new ImageVerifier({ cache })` once, then `verifier.verify(reference, imagePolicy)` per image:
 *    resolves the digest, fetches signatures (`fetchImageArtifacts`), verifies (`verifyImageSignatures`,
 *    pure: no I/O, deterministic for a given `now`), caches the verdict per digest and policy, and
 *    answers within `timeoutMs`.
 */
export type { TrustFailure, TrustFailureCode } from './errors.ts';
export { limits } from './limits.ts';

export { keyAlgorithms, keyHint, keyId, describeScheme, type KeyAlgorithm, type SignatureScheme } from './keys/algorithm.ts';
export { generateKeyPair, type KeyPair } from './keys/generate.ts';
export { loadPrivateKey, exportPrivateKey, type PassphraseSource, type PrivateKeyFormat } from './keys/private-key.ts';
export { parsePublicKeys, publicKeyPem, type PublicKeyRef } from './keys/public-key.ts';
export { passphraseSource, DEFAULT_PASSPHRASE_ENV, type PassphraseOptions } from './keys/passphrase.ts';
export { registerKeyProvider, keyProviders, providerFor, type KeyProvider, type SigningKey } from './keys/signing-key.ts';
export { generateKeyFiles, openKeyFile, readBoundedFile } from './keys/file-provider.ts';
export { openSigningKey } from './keys/open.ts';

export { parseCertificate, parseCertificatesPem, identitiesOf, certificatePem, type Certificate } from './x509/certificate.ts';
export { validateChain, type ChainOptions, type ChainResult } from './x509/chain.ts';
export { compilePattern, matchesIdentity, type IdentityMatcher } from './x509/identity.ts';
// The private CA (`initCa`, `issueCertificate`, `caTrustedRoot`) lives in ./x509/ca.ts: it loads the
// X.509 generator library, which verification never needs.

export { parseBundle, BUNDLE_V03_MEDIA_TYPE, type ParsedBundle } from './formats/bundle.ts';
export { parseEnvelope, preAuthEncoding, serializeEnvelope, type DsseEnvelope } from './formats/dsse.ts';
export { parseStatement, predicateTypeUri, predicateTypes, buildStatement, INTOTO_PAYLOAD_TYPE, COSIGN_SIGN_PREDICATE, type Statement } from './formats/intoto.ts';
export { parseSimpleSigning, buildSimpleSigning, type SimpleSigningPayload } from './formats/simple-signing.ts';
export { parseTrustedRoot, publicGoodTrustedRoot, type SigstoreTrust } from './formats/trusted-root.ts';
export { parseRekorBundle, rekorAnnotation, type RekorBundle } from './formats/rekor-bundle.ts';

export { RegistryClient, type RegistryClientOptions } from '../image/registry/client.ts';

export { checkAuthority, describeSigner, type Authority, type Signer } from './verify/authority.ts';
export type { ImageArtifacts, ClassicSignature, ClassicAttestation, AttachedBundle } from './verify/artifacts.ts';
export { verifyImageSignatures, type ImagePolicy, type ImageVerification, type AttestationRequirement, type VerifiedSignature, type VerifiedAttestation } from './verify/image.ts';
export { verifyBundle, type Evidence } from './verify/bundle.ts';
export { verifyClassicSignature, verifyClassicAttestation, type ClassicCandidate } from './verify/classic.ts';
export { verifyBlob, type BlobVerification } from './verify/blob.ts';
export type { PredicateCondition } from './verify/conditions.ts';
export { fetchImageArtifacts, type FetchTarget } from './verify/fetch.ts';
export { VerificationCache, type CacheOptions } from './verify/cache.ts';
export { ImageVerifier, RegistryPool, type ImageVerifierOptions, type RegistryOptions } from './verify/verifier.ts';

export { loadTrustPolicy, parseTrustPolicy, decide, type TrustPolicy, type PolicyDecision } from './policy/load.ts';
export { verifyWithPolicy, type PolicyOutcome } from './policy/enforce.ts';

export { signingIdentity, type SigningIdentity, type KeylessOptions } from './sign/identity.ts';
export { loadSigningIdentity, IDENTITY_TOKEN_ENV, type SignerFlags } from './sign/load.ts';
export { signBlob, signEnvelope, signEnvelopeBundle } from './sign/blob.ts';
export { signImage, attestImage, type SignLayout, type SignResult } from './sign/image.ts';
