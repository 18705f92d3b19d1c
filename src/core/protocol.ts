/** Messages between client.ts and wasm-worker.ts. */
export interface WorkerRequest {
  id: number;
  op: string;
  args: unknown[];
}

export interface SerializedError {
  name: string;
  message: string;
  code?: string | undefined;
  op?: string | undefined;
  /** domain error detail (EcError.reason, DerError.reason) */
  reason?: string | undefined;
  offset?: number | undefined;
}

export type WorkerReply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: SerializedError }
  | { id: number; progress: [number, number] };

/** ArrayBuffers found in a value (one level deep into arrays/objects), for transfer lists. */
export function transferablesOf(value: unknown): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  const visit = (v: unknown, depth: number) => {
    if (v instanceof Uint8Array) {
      if (v.buffer instanceof ArrayBuffer && v.byteOffset === 0 && v.byteLength === v.buffer.byteLength) out.add(v.buffer);
    } else if (depth < 2 && Array.isArray(v)) v.forEach((x) => visit(x, depth + 1));
    else if (depth < 2 && v && typeof v === 'object') Object.values(v).forEach((x) => visit(x, depth + 1));
  };
  visit(value, 0);
  return [...out];
}
