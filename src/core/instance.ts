/**
 * Instantiates core.wasm and assembles the synchronous op surface (`CoreOps`) from the
 * per-domain op modules in ./ops. Both the Worker (client.ts + wasm-worker.ts) and the
 * in-thread variant (direct.ts) are thin shells around a `CoreInstance`.
 */
import { CoreError } from '../util/errors.ts';
import { Io } from './io.ts';
import { hashOps, type HashExports, type HashOps } from './ops/hash.ts';
import { kdfOps, type KdfExports, type KdfOps } from './ops/kdf.ts';
import { cipherOps, type CipherExports, type CipherOps } from './ops/cipher.ts';
import { derOps, type DerExports, type DerOps } from './ops/der.ts';
import { ecOps, type EcExports, type EcOps } from './ops/ec.ts';
import { primeOps, type BnExports, type PrimeOps } from './ops/prime.ts';
import { rsaOps, type RsaExports, type RsaOps } from './ops/rsa.ts';

/** Everything core.wasm exports that JS uses. */
export type CoreExports = HashExports & KdfExports & CipherExports & DerExports & EcExports & BnExports & RsaExports;

/** The synchronous operations of the core. Add a domain by intersecting its Ops type. */
export type CoreOps = HashOps & KdfOps & CipherOps & DerOps & EcOps & PrimeOps & RsaOps;

/** Progress of a long operation (RSA key generation): `done` of `total` steps. */
export type ProgressFn = (done: number, total: number) => void;

export interface CoreInstance extends CoreOps {
  readonly exports: CoreExports;
  /** Sets (or clears) the receiver of progress reports for the next op. */
  setProgress(fn: ProgressFn | undefined): void;
}

export type WasmSource = BufferSource | WebAssembly.Module | Response | Promise<Response>;

function readAsString(memory: WebAssembly.Memory, ptr: number): string {
  if (!ptr) return '';
  const len = new Uint32Array(memory.buffer, ptr - 4, 1)[0]! >>> 1;
  return String.fromCharCode(...new Uint16Array(memory.buffer, ptr, len));
}

function randomFill(target: Uint8Array<ArrayBuffer>): void {
  // getRandomValues is limited to 65536 bytes per call.
  for (let o = 0; o < target.length; o += 65536) crypto.getRandomValues(target.subarray(o, Math.min(o + 65536, target.length)));
}

export async function instantiateCore(source: WasmSource): Promise<CoreInstance> {
  let memory: WebAssembly.Memory | undefined;
  let progress: ProgressFn | undefined;
  const imports = {
    env: {
      abort(msg: number, file: number, line: number, col: number): never {
        const m = memory ? readAsString(memory, msg) : '?';
        const f = memory ? readAsString(memory, file) : '?';
        throw new CoreError('abort', `${m} (${f}:${line}:${col})`);
      },
      /** Fills `len` bytes at `ptr` with CSPRNG output. */
      random_fill(ptr: number, len: number): void {
        randomFill(new Uint8Array(memory!.buffer as ArrayBuffer, ptr, len));
      },
      /** Reports progress of a long op. */
      progress(done: number, total: number): void {
        progress?.(done, total);
      },
      seed(): number {
        const b = new Uint32Array(2);
        crypto.getRandomValues(b);
        return b[0]! * 2 ** 21 + (b[1]! >>> 11);
      },
      trace(msg: number, n: number, ...args: number[]): void {
        console.debug('core.trace', memory ? readAsString(memory, msg) : '?', ...args.slice(0, n));
      },
    },
  };
  let instance: WebAssembly.Instance;
  const src = await source;
  if (src instanceof WebAssembly.Module) {
    instance = await WebAssembly.instantiate(src, imports);
  } else if (typeof Response !== 'undefined' && src instanceof Response) {
    if (!src.ok) throw new CoreError('load', `core.wasm: HTTP ${src.status}`);
    if (typeof WebAssembly.instantiateStreaming === 'function' && src.headers.get('content-type')?.startsWith('application/wasm')) {
      instance = (await WebAssembly.instantiateStreaming(src, imports)).instance;
    } else {
      instance = (await WebAssembly.instantiate(await src.arrayBuffer(), imports)).instance;
    }
  } else {
    instance = (await WebAssembly.instantiate(src as BufferSource, imports)).instance;
  }
  const ex = instance.exports as unknown as CoreExports;
  memory = ex.memory;
  const io = new Io(ex);
  const ops: CoreOps = { ...hashOps(ex, io), ...kdfOps(ex, io), ...cipherOps(ex, io), ...derOps(ex, io), ...ecOps(ex, io), ...primeOps(ex, io), ...rsaOps(ex, io) };
  return {
    ...ops,
    exports: ex,
    setProgress(fn) {
      progress = fn;
    },
  };
}
