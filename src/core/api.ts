/**
 * The asynchronous core API that the rest of the app uses. Two implementations share it:
 * the Worker client (client.ts, what the app ships) and the in-thread variant (direct.ts,
 * unit tests and tiny main-thread ops). The composition root picks one.
 */
import type { CoreOps, ProgressFn } from './instance.ts';

export type { HashAlg } from './ops/hash.ts';
export type { Pkcs12KdfId } from './ops/kdf.ts';
export type { CbcAlg, EcbAlg, CipherOptions } from './ops/cipher.ts';
export type { DerScanOptions } from './ops/der.ts';
export type { EcCurve, EcSigFormat, EcKeyFormat, EcKeyPair, EcKeyInfo } from './ops/ec.ts';
export type { RsaKeyFormat, RsaKeyInfo, RsaKeyPair } from './ops/rsa.ts';
export type { CoreOps, ProgressFn } from './instance.ts';

/** Per-call options: cancellation and progress. */
export interface CallOptions {
  signal?: AbortSignal;
  onProgress?: ProgressFn;
}

type Async<T> = {
  [K in keyof T]: T[K] extends (...a: infer A) => infer R ? (...a: [...A, CallOptions?]) => Promise<Awaited<R>> : never;
};

export type CoreApi = Async<CoreOps> & {
  /** Which implementation this is (for diagnostics). */
  readonly kind: 'worker' | 'direct';
  /** Releases the worker (if any). */
  close(): void;
};
