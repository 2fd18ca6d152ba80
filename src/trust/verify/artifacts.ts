/**
 * Everything fetched from a registry about one image, as untrusted bytes. The fetcher fills it; the
 * pure verification step reads nothing else, so the same input always gives the same verdict.
 */
export interface ImageArtifacts {
  /** The reference as given (tag or digest), for messages. */
  reference: string;
  /** `registry/repository`, normalised. */
  repository: string;
  /** The manifest digest that was resolved and is being verified. */
  digest: string;
  /** cosign classic signatures: layers of the `sha256-<hex>.sig` manifest. */
  signatures: ClassicSignature[];
  /** cosign classic attestations: layers of the `sha256-<hex>.att` manifest. */
  attestations: ClassicAttestation[];
  /** Sigstore bundles attached as OCI referrers (API or tag fallback). */
  bundles: AttachedBundle[];
  /** Problems met while fetching that did not stop it (a malformed manifest, a missing blob). */
  problems: string[];
}

export interface ClassicSignature {
  /** Where it was found, e.g. `sha256-….sig layer 1`. */
  source: string;
  payload: Buffer;
  /** The `dev.cosignproject.cosign/signature` annotation (base64). */
  signature: string;
  /** `dev.sigstore.cosign/certificate` and `…/chain` annotations (PEM), when signed with a certificate. */
  certificate?: string;
  chain?: string;
  /** The `dev.sigstore.cosign/bundle` annotation: a transparency-log entry of this signature (JSON). */
  rekorBundle?: string;
}

export interface ClassicAttestation {
  source: string;
  /** The DSSE envelope (JSON) of the layer. */
  envelope: Buffer;
  certificate?: string;
  chain?: string;
  rekorBundle?: string;
}

export interface AttachedBundle {
  source: string;
  artifactType: string | undefined;
  bundle: Buffer;
}

export function emptyArtifacts(reference: string, repository: string, digest: string): ImageArtifacts {
  return { reference, repository, digest, signatures: [], attestations: [], bundles: [], problems: [] };
}
