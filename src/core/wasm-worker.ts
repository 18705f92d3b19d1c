/// <reference lib="webworker" />
/**
 * The core's module Worker: instantiates core.wasm and answers `{id, op, args}` requests
 * with `{id, ok, result | error}`; long ops also post `{id, progress: [done, total]}`.
 */
import wasmUrl from './gen/core.wasm?url';
import { instantiateCore, type CoreInstance } from './instance.ts';
import { transferablesOf, type WorkerReply, type WorkerRequest } from './protocol.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;
// The worker has its own Content-Security-Policy (deploy/csp.ts); a violation here would
// otherwise pass unseen: say it on the console, where the page's reports go too.
scope.addEventListener('securitypolicyviolation', (e) => {
  const v = e as SecurityPolicyViolationEvent;
  console.error(`Content-Security-Policy violation in the core worker: ${v.effectiveDirective} blocked ${v.blockedURI || '(inline)'}`);
});
const ready: Promise<CoreInstance> = instantiateCore(fetch(wasmUrl));

scope.onmessage = async (ev: MessageEvent<WorkerRequest>) => {
  const { id, op, args } = ev.data;
  let reply: WorkerReply;
  try {
    const inst = await ready;
    const fn = (inst as unknown as Record<string, unknown>)[op];
    if (typeof fn !== 'function' || op === 'setProgress') throw new TypeError(`core: unknown op ${op}`);
    inst.setProgress((done, total) => scope.postMessage({ id, progress: [done, total] } satisfies WorkerReply));
    try {
      reply = { id, ok: true, result: (fn as (...a: unknown[]) => unknown).apply(inst, args) };
    } finally {
      inst.setProgress(undefined);
    }
  } catch (e) {
    const err = e as { name?: string; message?: string; code?: string; op?: string; reason?: string; offset?: number };
    reply = { id, ok: false, error: { name: err.name ?? 'Error', message: err.message ?? String(e), code: err.code, op: err.op, reason: err.reason, offset: err.offset } };
  }
  scope.postMessage(reply, transferablesOf(reply.ok ? reply.result : undefined));
};
