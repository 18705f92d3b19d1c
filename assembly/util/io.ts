// The per-call I/O arena shared with JavaScript (see assembly/README.md, "Memory ABI").
//
// JS asks for `io_reserve(n)`, copies inputs into the returned region, calls an op
// with pointers into that region, copies the outputs out and finally calls
// `io_wipe()` so that no secret stays in linear memory after the call.

let ioBuf: StaticArray<u8> = new StaticArray<u8>(4096);

/** Returns a pointer to a buffer of at least `n` bytes (contents undefined). */
export function io_reserve(n: u32): usize {
  if (<u32>ioBuf.length < n) {
    memory.fill(changetype<usize>(ioBuf), 0, <usize>ioBuf.length);
    let size: u32 = <u32>ioBuf.length;
    while (size < n) size <<= 1;
    ioBuf = new StaticArray<u8>(<i32>size);
  }
  return changetype<usize>(ioBuf);
}

/** Current capacity of the arena in bytes. */
export function io_capacity(): u32 {
  return <u32>ioBuf.length;
}

/** Zeroes the whole arena. */
export function io_wipe(): void {
  memory.fill(changetype<usize>(ioBuf), 0, <usize>ioBuf.length);
}
