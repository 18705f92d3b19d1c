// Plain multi-precision integers: little-endian u32 limbs at a pointer, `n` limbs long.
// The representation of keys, exponents and every value outside the Montgomery engine.
//
// Unless a name says otherwise (…VT), the helpers are constant time in the values: they
// branch and index only on the lengths.

/** Largest supported number, in bits (RSA moduli up to 8192 bits; products need twice that). */
export const MAX_BITS: i32 = 8192;
/** MAX_BITS in limbs. */
export const MAX_LIMBS: i32 = MAX_BITS / 32;

/** All-ones if bit 0 of b is set, else zero. */
// @ts-ignore: decorator
@inline export function maskOf(b: u32): u32 {
  return 0 - (b & 1);
}

/** All-ones iff x != 0. */
// @ts-ignore: decorator
@inline export function nonZeroMask(x: u32): u32 {
  return 0 - ((x | (0 - x)) >> 31);
}

/** Limb i of the number at p. */
// @ts-ignore: decorator
@inline export function limb(p: usize, i: i32): u32 {
  return load<u32>(p + (<usize>i << 2));
}

/** Sets limb i of the number at p. */
// @ts-ignore: decorator
@inline export function setLimb(p: usize, i: i32, v: u32): void {
  store<u32>(p + (<usize>i << 2), v);
}

/** p = 0 (n limbs). */
export function zero(p: usize, n: i32): void {
  memory.fill(p, 0, <usize>n << 2);
}

/** d = s (n limbs; may overlap). */
export function copy(d: usize, s: usize, n: i32): void {
  memory.copy(d, s, <usize>n << 2);
}

/** d = s, where s has sn limbs and d has dn >= sn limbs (zero-extends). */
export function copyExtend(d: usize, dn: i32, s: usize, sn: i32): void {
  memory.copy(d, s, <usize>sn << 2);
  if (dn > sn) memory.fill(d + (<usize>sn << 2), 0, <usize>(dn - sn) << 2);
}

/** p = v (a word), n limbs. */
export function setWord(p: usize, n: i32, v: u32): void {
  zero(p, n);
  store<u32>(p, v);
}

/** All-ones iff the n-limb a is zero. */
export function isZeroMask(a: usize, n: i32): u32 {
  let acc: u32 = 0;
  for (let i = 0; i < n; i++) acc |= limb(a, i);
  return ~nonZeroMask(acc);
}

/** All-ones iff a == b (n limbs). */
export function eqMask(a: usize, b: usize, n: i32): u32 {
  let acc: u32 = 0;
  for (let i = 0; i < n; i++) acc |= limb(a, i) ^ limb(b, i);
  return ~nonZeroMask(acc);
}

/** All-ones iff a == w (a word) for the n-limb a. */
export function eqWordMask(a: usize, n: i32, w: u32): u32 {
  let acc: u32 = limb(a, 0) ^ w;
  for (let i = 1; i < n; i++) acc |= limb(a, i);
  return ~nonZeroMask(acc);
}

/** All-ones iff a < b (n limbs). */
export function ltMask(a: usize, b: usize, n: i32): u32 {
  let d: i64 = 0;
  for (let i = 0; i < n; i++) {
    d += <i64>limb(a, i) - <i64>limb(b, i);
    d >>= 32;
  }
  return <u32>d;
}

/** -1, 0 or 1 as a < b, a == b, a > b (n limbs). Constant time. */
export function cmp(a: usize, b: usize, n: i32): i32 {
  const lt = ltMask(a, b, n);
  const gt = ltMask(b, a, n);
  return <i32>(gt & 1) - <i32>(lt & 1);
}

/** o = mask ? a : o (n limbs). */
export function cmov(o: usize, a: usize, n: i32, mask: u32): void {
  for (let i = 0; i < n; i++) {
    const x = limb(o, i);
    setLimb(o, i, x ^ ((x ^ limb(a, i)) & mask));
  }
}

/** Swaps a and b when mask is all-ones (n limbs). */
export function cswap(a: usize, b: usize, n: i32, mask: u32): void {
  for (let i = 0; i < n; i++) {
    const x = limb(a, i), y = limb(b, i);
    const t = (x ^ y) & mask;
    setLimb(a, i, x ^ t);
    setLimb(b, i, y ^ t);
  }
}

/** o = a + b; returns the carry (0/1). o may alias a or b. */
export function add(o: usize, a: usize, b: usize, n: i32): u32 {
  let c: u64 = 0;
  for (let i = 0; i < n; i++) {
    c += <u64>limb(a, i) + <u64>limb(b, i);
    setLimb(o, i, <u32>c);
    c >>= 32;
  }
  return <u32>c;
}

/** o = a - b; returns the borrow (0/1). o may alias a or b. */
export function sub(o: usize, a: usize, b: usize, n: i32): u32 {
  let d: i64 = 0;
  for (let i = 0; i < n; i++) {
    d += <i64>limb(a, i) - <i64>limb(b, i);
    setLimb(o, i, <u32>d);
    d >>= 32;
  }
  return <u32>(d & 1);
}

/** o = a + (b & mask); returns the carry. o may alias a. */
export function addMasked(o: usize, a: usize, b: usize, n: i32, mask: u32): u32 {
  let c: u64 = 0;
  for (let i = 0; i < n; i++) {
    c += <u64>limb(a, i) + <u64>(limb(b, i) & mask);
    setLimb(o, i, <u32>c);
    c >>= 32;
  }
  return <u32>c;
}

/** o = a - (b & mask); returns the borrow. o may alias a. */
export function subMasked(o: usize, a: usize, b: usize, n: i32, mask: u32): u32 {
  let d: i64 = 0;
  for (let i = 0; i < n; i++) {
    d += <i64>limb(a, i) - <i64>(limb(b, i) & mask);
    setLimb(o, i, <u32>d);
    d >>= 32;
  }
  return <u32>(d & 1);
}

/** o = a + w (a word); returns the carry. o may alias a. */
export function addWord(o: usize, a: usize, n: i32, w: u32): u32 {
  let c: u64 = <u64>w;
  for (let i = 0; i < n; i++) {
    c += <u64>limb(a, i);
    setLimb(o, i, <u32>c);
    c >>= 32;
  }
  return <u32>c;
}

/** o = a - w (a word); returns the borrow. o may alias a. */
export function subWord(o: usize, a: usize, n: i32, w: u32): u32 {
  let d: i64 = -<i64>w;
  for (let i = 0; i < n; i++) {
    d += <i64>limb(a, i);
    setLimb(o, i, <u32>d);
    d >>= 32;
  }
  return <u32>(d & 1);
}

/** o = a * w + c0 (n limbs); returns the high limb. o may alias a. */
export function mulWord(o: usize, a: usize, n: i32, w: u32, c0: u32): u32 {
  let c: u64 = <u64>c0;
  const ww = <u64>w;
  for (let i = 0; i < n; i++) {
    c += <u64>limb(a, i) * ww;
    setLimb(o, i, <u32>c);
    c >>= 32;
  }
  return <u32>c;
}

/** o += a * w (n limbs); returns the carry limb. */
export function mulAddWord(o: usize, a: usize, n: i32, w: u32): u32 {
  let c: u64 = 0;
  const ww = <u64>w;
  for (let i = 0; i < n; i++) {
    c += <u64>limb(o, i) + <u64>limb(a, i) * ww;
    setLimb(o, i, <u32>c);
    c >>= 32;
  }
  return <u32>c;
}

/** r = a * b (schoolbook); r has an + bn limbs and must not alias a or b. */
export function mul(r: usize, a: usize, an: i32, b: usize, bn: i32): void {
  zero(r, an + bn);
  for (let i = 0; i < an; i++) {
    const ai = <u64>limb(a, i);
    let c: u64 = 0;
    const ri = r + (<usize>i << 2);
    for (let j = 0; j < bn; j++) {
      c += <u64>limb(ri, j) + ai * <u64>limb(b, j);
      setLimb(ri, j, <u32>c);
      c >>= 32;
    }
    setLimb(ri, bn, <u32>c);
  }
}

/** o = a >> s for 0 <= s < 32 (n limbs). o may alias a. */
export function shrBits(o: usize, a: usize, n: i32, s: u32): void {
  if (s == 0) {
    copy(o, a, n);
    return;
  }
  for (let i = 0; i < n - 1; i++) setLimb(o, i, (limb(a, i) >> s) | (limb(a, i + 1) << (32 - s)));
  setLimb(o, n - 1, limb(a, n - 1) >> s);
}

/** o = a << s for 0 <= s < 32 (n limbs); returns the bits shifted out. o may alias a. */
export function shlBits(o: usize, a: usize, n: i32, s: u32): u32 {
  if (s == 0) {
    copy(o, a, n);
    return 0;
  }
  const out = limb(a, n - 1) >> (32 - s);
  for (let i = n - 1; i > 0; i--) setLimb(o, i, (limb(a, i) << s) | (limb(a, i - 1) >> (32 - s)));
  setLimb(o, 0, limb(a, 0) << s);
  return out;
}

/** Number of significant bits of a (0 for zero). Variable time: only for public lengths. */
export function bitLengthVT(a: usize, n: i32): i32 {
  for (let i = n - 1; i >= 0; i--) {
    const w = limb(a, i);
    if (w != 0) return i * 32 + 32 - <i32>clz(w);
  }
  return 0;
}

/** Number of significant limbs of a (at least 1). Variable time. */
export function limbLengthVT(a: usize, n: i32): i32 {
  let i = n;
  while (i > 1 && limb(a, i - 1) == 0) i--;
  return i;
}

/** Bit i of a (0/1); i must be < 32n. */
// @ts-ignore: decorator
@inline export function bit(a: usize, i: i32): u32 {
  return (limb(a, i >> 5) >> (<u32>i & 31)) & 1;
}

/**
 * Reads `len` big-endian bytes at `src` into the n-limb number at `d`. Bytes beyond 4n
 * (leading ones) must be zero; returns false (and leaves d unspecified) otherwise.
 */
export function fromBytesBE(d: usize, n: i32, src: usize, len: i32): bool {
  zero(d, n);
  let extra: u32 = 0;
  for (let i = 0; i < len; i++) {
    const b = <u32>load<u8>(src + <usize>(len - 1 - i));
    const li = i >> 2;
    if (li < n) setLimb(d, li, limb(d, li) | (b << (<u32>(i & 3) << 3)));
    else extra |= b;
  }
  return extra == 0;
}

/** Writes the n-limb a as exactly `len` big-endian bytes at dst (truncating high bytes). */
export function toBytesBE(dst: usize, len: i32, a: usize, n: i32): void {
  for (let i = 0; i < len; i++) {
    const li = i >> 2;
    const b: u32 = li < n ? limb(a, li) >> (<u32>(i & 3) << 3) : 0;
    store<u8>(dst + <usize>(len - 1 - i), <u8>b);
  }
}

/** Wipes `n` limbs at p (an alias of zero, for readability at secret scratch). */
export function wipe(p: usize, n: i32): void {
  memory.fill(p, 0, <usize>n << 2);
}
