/**
 * The in-thread CoreApi: runs the core synchronously on the calling thread. Unit tests use
 * it (Node), and so can tiny main-thread ops. Cancellation is checked before each op only.
 */
import { abortError } from '../util/errors.ts';
import type { CallOptions, CoreApi, CoreOps } from './api.ts';
import { instantiateCore, type CoreInstance, type WasmSource } from './instance.ts';

export async function createDirectCore(source: WasmSource): Promise<CoreApi> {
  const inst = await instantiateCore(source);
  return wrapDirect(inst);
}

export function wrapDirect(inst: CoreInstance): CoreApi {
  const api: Record<string, unknown> = { kind: 'direct', close() {} };
  for (const key of Object.keys(inst) as (keyof CoreOps | 'exports' | 'setProgress')[]) {
    if (key === 'exports' || key === 'setProgress') continue;
    const fn = inst[key] as (...a: unknown[]) => unknown;
    api[key] = async (...args: unknown[]) => {
      const last = args[fn.length];
      const opts: CallOptions = (last && typeof last === 'object' ? last : {}) as CallOptions;
      if (opts.signal?.aborted) throw abortError();
      inst.setProgress(opts.onProgress);
      try {
        return fn(...args.slice(0, fn.length));
      } finally {
        inst.setProgress(undefined);
      }
    };
  }
  return api as unknown as CoreApi;
}
