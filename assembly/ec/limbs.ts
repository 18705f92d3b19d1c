// Fixed-size unsigned integers as little-endian u32 limbs at a pointer (`n` limbs), the
// representation of field elements and scalars in ec/. All helpers are constant time in the
// values (they branch and index only on `n` and on lengths).

/** Masks are all-ones (true) or zero (false) u32 words. */
// @ts-ignore: decorator
@inline export function maskOf(b: u32): u32 {
  return 0 - (b & 1);
}

/** All-ones iff the n-limb a is zero. */
export function isZeroMask(a: usize, n: i32): u32 {
  let acc: u32 = 0;
  for (let i = 0; i < n; i++) acc |= load<u32>(a + (<usize>i << 2));
  return maskOf(<u32>((<u64>acc - 1) >> 63));
}

/** All-ones iff a == b (n limbs). */
export function eqMask(a: usize, b: usize, n: i32): u32 {
  let acc: u32 = 0;
  for (let i = 0; i < n; i++) acc |= load<u32>(a + (<usize>i << 2)) ^ load<u32>(b + (<usize>i << 2));
  return maskOf(<u32>((<u64>acc - 1) >> 63));
}

/** All-ones iff a < b (n limbs). */
export function ltMask(a: usize, b: usize, n: i32): u32 {
  let d: i64 = 0;
  for (let i = 0; i < n; i++) {
    d += <i64>load<u32>(a + (<usize>i << 2)) - <i64>load<u32>(b + (<usize>i << 2));
    d >>= 32;
  }
  return <u32>d; // 0 or -1 (borrow)
}

/** o = mask ? a : o (n limbs). */
export function cmov(o: usize, a: usize, n: i32, mask: u32): void {
  for (let i = 0; i < n; i++) {
    const p = <usize>i << 2;
    const x = load<u32>(o + p);
    store<u32>(o + p, x ^ ((x ^ load<u32>(a + p)) & mask));
  }
}

/** o = a + b; returns the carry (0/1). o may alias. */
export function addN(o: usize, a: usize, b: usize, n: i32): u32 {
  let c: u64 = 0;
  for (let i = 0; i < n; i++) {
    const p = <usize>i << 2;
    c += <u64>load<u32>(a + p) + <u64>load<u32>(b + p);
    store<u32>(o + p, <u32>c);
    c >>= 32;
  }
  return <u32>c;
}

/** o = a - b; returns the borrow (0/1). o may alias. */
export function subN(o: usize, a: usize, b: usize, n: i32): u32 {
  let d: i64 = 0;
  for (let i = 0; i < n; i++) {
    const p = <usize>i << 2;
    d += <i64>load<u32>(a + p) - <i64>load<u32>(b + p);
    store<u32>(o + p, <u32>d);
    d >>= 32;
  }
  return <u32>(d & 1);
}

/** o = (a + b) mod m for a, b < m (n limbs). o may alias. */
export function addMod(o: usize, a: usize, b: usize, m: usize, n: i32, tmp: usize): void {
  const c = addN(o, a, b, n);
  const bw = subN(tmp, o, m, n);
  // keep the difference when there was a carry out or no borrow
  cmov(o, tmp, n, maskOf(c | (bw ^ 1)));
}

/** o = (a - b) mod m for a, b < m (n limbs). o may alias. */
export function subMod(o: usize, a: usize, b: usize, m: usize, n: i32): void {
  const bw = subN(o, a, b, n);
  const mask = maskOf(bw);
  let c: u64 = 0;
  for (let i = 0; i < n; i++) {
    const p = <usize>i << 2;
    c += <u64>load<u32>(o + p) + <u64>(load<u32>(m + p) & mask);
    store<u32>(o + p, <u32>c);
    c >>= 32;
  }
}

/** Sets o to the small value v (n limbs). */
export function setSmall(o: usize, v: u32, n: i32): void {
  memory.fill(o, 0, <usize>n << 2);
  store<u32>(o, v);
}

/** Copies n limbs. */
// @ts-ignore: decorator
@inline export function copyN(o: usize, a: usize, n: i32): void {
  memory.copy(o, a, <usize>n << 2);
}

/**
 * Reads a big-endian byte string of `len` bytes into n limbs. Returns 0 if the value fits in
 * n limbs, -1 if it does not (the limbs then hold the low part). Not constant time in `len`.
 */
export function fromBE(o: usize, src: usize, len: i32, n: i32): i32 {
  memory.fill(o, 0, <usize>n << 2);
  let over: u32 = 0;
  for (let i = 0; i < len; i++) {
    const b = <u32>load<u8>(src + <usize>(len - 1 - i));
    const limb = i >> 2;
    if (limb < n) store<u32>(o + (<usize>limb << 2), load<u32>(o + (<usize>limb << 2)) | (b << ((i & 3) << 3)));
    else over |= b;
  }
  return over ? -1 : 0;
}

/** Writes the low `len` bytes of the n-limb a as big-endian bytes (zero-padded if len > 4n). */
export function toBE(dst: usize, a: usize, len: i32, n: i32): void {
  for (let i = 0; i < len; i++) {
    const limb = i >> 2;
    const b = limb < n ? <u8>(load<u32>(a + (<usize>limb << 2)) >> ((i & 3) << 3)) : <u8>0;
    store<u8>(dst + <usize>(len - 1 - i), b);
  }
}

/** Bit i of the n-limb a (0 when i is out of range). */
// @ts-ignore: decorator
@inline export function bitAt(a: usize, i: i32): u32 {
  return (load<u32>(a + (<usize>(i >> 5) << 2)) >> (i & 31)) & 1;
}

/** Right-shifts the n-limb a in place by s bits (0 <= s < 32). */
export function shrSmall(a: usize, s: i32, n: i32): void {
  if (s == 0) return;
  for (let i = 0; i < n; i++) {
    const p = <usize>i << 2;
    const hi: u32 = i + 1 < n ? load<u32>(a + p + 4) : 0;
    store<u32>(a + p, (load<u32>(a + p) >>> s) | (hi << (32 - s)));
  }
}

/** Parses a hex string (no prefix) as a big-endian number into n limbs (setup only). */
export function fromHex(o: usize, hex: string, n: i32): void {
  memory.fill(o, 0, <usize>n << 2);
  const len = hex.length;
  for (let i = 0; i < len; i++) {
    const c = <u32>hex.charCodeAt(len - 1 - i);
    const v: u32 = c <= 57 ? c - 48 : (c | 32) - 87;
    const limb = i >> 3;
    store<u32>(o + (<usize>limb << 2), load<u32>(o + (<usize>limb << 2)) | (v << ((i & 7) << 2)));
  }
}
