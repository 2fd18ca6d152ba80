// Signing with a transparency log: when a Rekor URL is configured, the Sigstore signing library
// records the signature in the log and puts the log's inclusion evidence in the bundle.
import { DSSEBundleBuilder, MessageSignatureBundleBuilder, RekorWitness, type Signer } from '@sigstore/sign';
import { BulwarkError } from '../../core/index.ts';
import { serializeBundle } from '../formats/bundle.ts';
import { keyHint } from '../keys/algorithm.ts';
import { publicKeyPem } from '../keys/public-key.ts';
import { certificatePem } from '../x509/certificate.ts';
import type { SigningIdentity } from './identity.ts';

export interface TransparencyOptions {
  rekorUrl: string;
  timeoutMs?: number;
}

function signerOf(identity: SigningIdentity): Signer {
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

function witness(options: TransparencyOptions): RekorWitness {
  let url: URL;
  try {
    url = new URL(options.rekorUrl);
  } catch {
    throw new BulwarkError('E_USAGE', `--rekor-url ${options.rekorUrl} is not a URL`);
  }
  if (url.protocol !== 'https:' && !/^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(url.hostname)) {
    throw new BulwarkError('E_USAGE', `--rekor-url must use https (plain http only to a loopback address): ${options.rekorUrl}`);
  }
  return new RekorWitness({ rekorBaseURL: url.href.replace(/\/$/, ''), entryType: 'dsse', timeout: options.timeoutMs ?? 30_000, retry: 2 });
}

async function build<T>(run: () => Promise<T>, rekorUrl: string): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new BulwarkError('E_IO', `transparency log ${rekorUrl}: ${(error as Error).message}`, { cause: error });
  }
}

/** A message-signature bundle with a transparency-log entry (hashedrekord). */
export async function signBlobWithLog(data: Buffer, identity: SigningIdentity, options: TransparencyOptions): Promise<Buffer> {
  const builder = new MessageSignatureBundleBuilder({ signer: signerOf(identity), witnesses: [witness(options)] });
  return serializeBundle(await build(() => builder.create({ data }), options.rekorUrl));
}

/** A DSSE bundle with a transparency-log entry (dsse). */
export async function signEnvelopeWithLog(payloadType: string, payload: Buffer, identity: SigningIdentity, options: TransparencyOptions): Promise<Buffer> {
  const builder = new DSSEBundleBuilder({ signer: signerOf(identity), witnesses: [witness(options)] });
  return serializeBundle(await build(() => builder.create({ data: payload, type: payloadType }), options.rekorUrl));
}
