/**
 * The Worker-backed CoreApi the app ships. Requests carry copies of their byte arguments
 * (callers keep theirs); replies transfer their buffers back. Aborting an op terminates the
 * worker (the only way to stop a long RSA key generation) and a fresh one is started for the
 * next call.
 */
import { CoreError, PkiError, abortError } from '../util/errors.ts';
import type { CallOptions, CoreApi } from './api.ts';
import type { ProgressFn } from './instance.ts';
import type { WorkerReply, WorkerRequest } from './protocol.ts';
import { trustedScriptUrl } from '../util/trusted-types.ts';
// The worker chunk's URL (not `new Worker(new URL(...))`: the URL must pass a Trusted Types policy).
import workerUrl from './wasm-worker.ts?worker&url';

/** Op names and their arity (CallOptions follows the positional arguments). */
const OPS: Record<string, number> = {
  digest: 2,
  hmac: 3,
  pbkdf2: 5,
  pkcs12Kdf: 6,
  encryptCbc: 5,
  decryptCbc: 5,
  encryptEcb: 4,
  decryptEcb: 4,
  derScan: 2,
  crlSerials: 1,
  ecPrepare: 1,
  ecGenerate: 1,
  ecSign: 4,
  ecSignDigest: 4,
  ecVerify: 5,
  ecVerifyDigest: 5,
  ecConvertKey: 2,
  ecKeyInfo: 1,
  ecCompressPoint: 2,
  ecDecompressPoint: 2,
  isProbablePrime: 1,
  rsaGenerate: 2,
  rsaKeyInfo: 1,
  rsaCacheClear: 0,
  rsaConvertKey: 2,
  rsaPublicRaw: 2,
  rsaPrivateRaw: 2,
  rsaSignPkcs1: 3,
  rsaVerifyPkcs1: 4,
  rsaSignPkcs1Digest: 3,
  rsaVerifyPkcs1Digest: 4,
  rsaSignPss: 5,
  rsaVerifyPss: 6,
  rsaSignPssDigest: 5,
  rsaVerifyPssDigest: 6,
  rsaEncryptOaep: 5,
  rsaDecryptOaep: 5,
  rsaEncryptPkcs1: 2,
  rsaDecryptPkcs1: 2,
};

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  onProgress?: ProgressFn | undefined;
}

export interface WorkerCoreOptions {
  /** Creates the worker; the default is the bundled module worker. */
  spawn?: () => Worker;
}

export function createWorkerCore(opts: WorkerCoreOptions = {}): CoreApi {
  const spawn = opts.spawn ?? (() => new Worker(trustedScriptUrl(new URL(workerUrl, import.meta.url)), { type: 'module', name: 'trustpoint-core' }));
  let worker: Worker | undefined;
  let nextId = 1;
  const pending = new Map<number, Pending>();

  const failAll = (e: unknown) => {
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };

  const ensure = (): Worker => {
    if (worker) return worker;
    const w = spawn();
    w.onmessage = (ev: MessageEvent<WorkerReply>) => {
      const m = ev.data;
      const p = pending.get(m.id);
      if (!p) return;
      if ('progress' in m) {
        p.onProgress?.(m.progress[0], m.progress[1]);
        return;
      }
      pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else {
        const { name, message, code, op, reason, offset } = m.error;
        if (name === 'TypeError') p.reject(new TypeError(message));
        else if (name === 'RangeError') p.reject(new RangeError(message));
        else if (name === 'CoreError') p.reject(Object.assign(new CoreError(op ?? 'op', ''), { message }));
        else {
          // Domain errors (EcError, DerError, ...) come back as PkiError with their extra fields.
          const err = new PkiError(code ?? 'core', message);
          err.name = name;
          if (reason !== undefined) Object.assign(err, { reason });
          if (offset !== undefined) Object.assign(err, { offset });
          p.reject(err);
        }
      }
    };
    w.onerror = (ev) => {
      ev.preventDefault();
      failAll(new CoreError('worker', ev.message || 'the core worker failed to start'));
      w.terminate();
      if (worker === w) worker = undefined;
    };
    worker = w;
    return w;
  };

  const call = (op: string, arity: number, args: unknown[]): Promise<unknown> => {
    const callOpts = (args.length > arity ? args[arity] : undefined) as CallOptions | undefined;
    const positional = args.slice(0, arity).map((a) => (a instanceof Uint8Array ? a.slice() : a));
    const signal = callOpts?.signal;
    if (signal?.aborted) return Promise.reject(abortError());
    const w = ensure();
    const id = nextId++;
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        // Stop the computation for real: kill the worker; every op in flight fails.
        pending.delete(id);
        reject(abortError());
        w.terminate();
        if (worker === w) worker = undefined;
        failAll(new CoreError('worker', 'restarted after a cancelled operation'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      pending.set(id, {
        resolve: (v) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(v);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
        onProgress: callOpts?.onProgress,
      });
      const msg: WorkerRequest = { id, op, args: positional };
      w.postMessage(msg, positional.filter((a): a is Uint8Array<ArrayBuffer> => a instanceof Uint8Array).map((a) => a.buffer));
    });
  };

  const api: Record<string, unknown> = {
    kind: 'worker',
    close() {
      worker?.terminate();
      worker = undefined;
      failAll(new CoreError('worker', 'closed'));
    },
  };
  for (const [op, arity] of Object.entries(OPS)) api[op] = (...args: unknown[]) => call(op, arity, args);
  return api as unknown as CoreApi;
}
