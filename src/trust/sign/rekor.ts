// Signing with Sigstore services: when a Rekor URL is configured, the Sigstore signing library records
// the signature in the log and puts the log's inclusion evidence in the bundle; when a Fulcio URL is
// configured too (keyless), a short-lived certificate for an ephemeral key is first obtained from the
// CA (./fulcio.ts), in exchange for an OIDC identity token.
import { DSSEBundleBuilder, MessageSignatureBundleBuilder, RekorWitness, type Signer } from '@sigstore/sign';
import { BulwarkError } from '../../core/index.ts';
import { serializeBundle } from '../formats/bundle.ts';
import { keyHint } from '../keys/algorithm.ts';
import { publicKeyPem } from '../keys/public-key.ts';
import { certificatePem } from '../x509/certificate.ts';
import { requestSigningCertificate } from './fulcio.ts';
import { rememberIssuedChain, type KeylessOptions, type SigningIdentity } from './identity.ts';

export interface TransparencyOptions {
  rekorUrl: string;
  timeoutMs?: number;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/;

/** A service URL: HTTPS, or plain HTTP to a loopback address only (a local test or a port-forward). */
export function serviceUrl(text: string, flag: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new BulwarkError('E_USAGE', `${flag} ${text} is not a URL`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.test(url.hostname))) {
    throw new BulwarkError('E_USAGE', `${flag} must use https (plain http only to a loopback address): ${text}`);
  }
  return url.href.replace(/\/$/, '');
}

function keySigner(identity: SigningIdentity): Signer {
  return {
    sign: async (data: Buffer) => ({
      signature: await identity.key.sign(data),
      key:
        identity.certificate === undefined
          ? { $case: 'publicKey', publicKey: publicKeyPem(identity.key.publicKey), hint: keyHint(identity.key.publicKey) }
          : { $case: 'x509Certificate', certificate: certificatePem(identity.certificate) },
    }),
  };
}

/**
 * A Fulcio-certified signer. The first signature obtains the certificate (proving possession of the
 * key by signing the token's subject); later ones in the same run reuse it, so signing an image in
 * both layouts asks the CA once. The chain above the certificate is kept for classic layers.
 */
function keylessSigner(identity: SigningIdentity, keyless: KeylessOptions): Signer {
  let issued: Promise<string> | undefined;
  const certify = async (): Promise<string> => {
    const { certificate, chain } = await requestSigningCertificate({
      fulcioUrl: serviceUrl(keyless.fulcioUrl, '--fulcio-url'),
      identityToken: keyless.identityToken,
      key: identity.key,
      timeoutMs: keyless.timeoutMs ?? 30_000,
      retries: 2,
    });
    rememberIssuedChain(identity, chain);
    return certificatePem(certificate);
  };
  return {
    sign: async (data: Buffer) => {
      issued ??= certify();
      const certificate = await issued;
      return { signature: await identity.key.sign(data), key: { $case: 'x509Certificate', certificate } };
    },
  };
}

const signers = new WeakMap<SigningIdentity, Signer>();

function signerOf(identity: SigningIdentity): Signer {
  let signer = signers.get(identity);
  if (signer === undefined) {
    signer = identity.keyless === undefined ? keySigner(identity) : keylessSigner(identity, identity.keyless);
    signers.set(identity, signer);
  }
  return signer;
}

function witness(options: TransparencyOptions): RekorWitness {
  return new RekorWitness({ rekorBaseURL: serviceUrl(options.rekorUrl, '--rekor-url'), entryType: 'dsse', timeout: options.timeoutMs ?? 30_000, retry: 2 });
}

async function build<T>(run: () => Promise<T>, identity: SigningIdentity, options: TransparencyOptions): Promise<T> {
  try {
    return await run();
  } catch (error) {
    // The CA client raises its own errors (naming the CA); anything else comes from the log's client.
    if (error instanceof BulwarkError) throw error;
    const cause = (error as { cause?: Error }).cause;
    const message = cause?.message && !(error as Error).message.includes(cause.message) ? `${(error as Error).message}: ${cause.message}` : (error as Error).message;
    throw new BulwarkError('E_IO', `transparency log ${options.rekorUrl}: ${redact(message, identity)}`, { cause: error });
  }
}

function redact(message: string, identity: SigningIdentity): string {
  const token = identity.keyless?.identityToken;
  return token === undefined || token === '' ? message : message.replaceAll(token, '<identity token>');
}

/** A message-signature bundle with a transparency-log entry (hashedrekord). */
export async function signBlobWithLog(data: Buffer, identity: SigningIdentity, options: TransparencyOptions): Promise<Buffer> {
  const builder = new MessageSignatureBundleBuilder({ signer: signerOf(identity), witnesses: [witness(options)] });
  return serializeBundle(await build(() => builder.create({ data }), identity, options));
}

/** A DSSE bundle with a transparency-log entry (dsse). */
export async function signEnvelopeWithLog(payloadType: string, payload: Buffer, identity: SigningIdentity, options: TransparencyOptions): Promise<Buffer> {
  const builder = new DSSEBundleBuilder({ signer: signerOf(identity), witnesses: [witness(options)] });
  return serializeBundle(await build(() => builder.create({ data: payload, type: payloadType }), identity, options));
}
