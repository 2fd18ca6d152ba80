/**
 * Upper bounds on everything read from a file or a registry. A signature, key or manifest is small;
 * these limits are generous for honest input and stop a hostile one from exhausting memory or time.
 */
export const limits = {
  /** A PEM file: a key, a certificate or a chain of a few certificates. */
  pemBytes: 1024 * 1024,
  certificatesPerChain: 10,
  /** OCI recommends that registries accept manifests up to 4 MiB. */
  manifestBytes: 4 * 1024 * 1024,
  /** A simple-signing payload or a bundle carrying one signature. */
  signatureBlobBytes: 4 * 1024 * 1024,
  /** Attestations carry SBOMs, which can be large. */
  attestationBlobBytes: 64 * 1024 * 1024,
  /** A policy file or a trusted root. */
  documentBytes: 8 * 1024 * 1024,
  /** Layers in one cosign signature or attestation manifest, and referrers of one image. */
  signaturesPerImage: 128,
  referrersPerImage: 512,
  /** Blobs that must be held whole to sign (Ed25519 has no streaming form). */
  inMemoryArtifactBytes: 512 * 1024 * 1024,
  /** Depth of nested JSON accepted from untrusted input. */
  jsonDepth: 64,
} as const;
