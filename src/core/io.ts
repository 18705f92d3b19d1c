/**
 * The JS half of the memory ABI described in assembly/README.md.
 *
 * `Io.call(parts, fn)` lays out input buffers and output slots in the core's I/O arena,
 * copies the inputs in, runs `fn` with one pointer per part, and zeroes everything it used
 * afterwards (even when `fn` throws), so neither inputs nor outputs linger in linear memory.
 */
export interface IoExports {
  memory: WebAssembly.Memory;
  io_reserve(n: number): number;
  io_capacity(): number;
  io_wipe(): void;
}

/** An input (bytes copied in) or an output slot (that many zero bytes). */
export type IoPart = Uint8Array | number;

const ALIGN = 16;
const align = (n: number) => (n + ALIGN - 1) & ~(ALIGN - 1);

export class Io {
  constructor(private readonly ex: IoExports) {}

  /** A fresh view of linear memory (memory.grow detaches older views). */
  mem(): Uint8Array {
    return new Uint8Array(this.ex.memory.buffer);
  }

  /** Copies `len` bytes out of linear memory. */
  read(ptr: number, len: number): Uint8Array {
    return this.mem().slice(ptr, ptr + len);
  }

  /** Reads a little-endian u32. */
  u32(ptr: number): number {
    return new DataView(this.ex.memory.buffer).getUint32(ptr, true);
  }

  call<T>(parts: readonly IoPart[], fn: (ptrs: number[]) => T): T {
    const offsets: number[] = [];
    let total = 0;
    for (const p of parts) {
      offsets.push(total);
      total = align(total + (typeof p === 'number' ? p : p.length));
    }
    const base = this.ex.io_reserve(Math.max(total, 1));
    const mem = this.mem();
    const ptrs = offsets.map((o) => base + o);
    parts.forEach((p, i) => {
      if (typeof p === 'number') mem.fill(0, ptrs[i]!, ptrs[i]! + p);
      else mem.set(p, ptrs[i]!);
    });
    try {
      return fn(ptrs);
    } finally {
      this.mem().fill(0, base, base + total);
    }
  }
}
