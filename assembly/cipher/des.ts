// DES and Triple-DES (FIPS 46-3; NIST SP 800-67 Rev. 2 for TDEA EDE3 and two-key EDE),
// constant-time.
//
// The eight S-boxes are evaluated together with a multiplexer tree instead of table
// look-ups: each u64 word of SBT holds, in one byte lane per S-box, one byte (two 4-bit
// entries) of that S-box, and the six input bits of every S-box select, lane by lane,
// through masks (x5..x0). All other steps are fixed bit permutations done with masks and constant
// shifts. There is no secret-dependent load, branch or shift count. Parity bits of the key
// are ignored (FIPS 46-3: "bits 8, 16, ..., 64 are for use in ensuring that each byte is of
// odd parity"; PC-1 never reads them).

// ---- FIPS 46-3 tables (1-based bit numbers, bit 1 = most significant) ----
const IP_T: StaticArray<u8> = [
  58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4, 62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24, 16, 8,
  57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3, 61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7,
];
const FP_T: StaticArray<u8> = [
  40, 8, 48, 16, 56, 24, 64, 32, 39, 7, 47, 15, 55, 23, 63, 31, 38, 6, 46, 14, 54, 22, 62, 30, 37, 5, 45, 13, 53, 21, 61, 29,
  36, 4, 44, 12, 52, 20, 60, 28, 35, 3, 43, 11, 51, 19, 59, 27, 34, 2, 42, 10, 50, 18, 58, 26, 33, 1, 41, 9, 49, 17, 57, 25,
];
const P_T: StaticArray<u8> = [
  16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10, 2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25,
];
const PC1_T: StaticArray<u8> = [
  57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18, 10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36,
  63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22, 14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4,
];
const PC2_T: StaticArray<u8> = [
  14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2,
  41, 52, 31, 37, 47, 55, 30, 40, 51, 45, 33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32,
];
const SHIFTS: StaticArray<u8> = [
  1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1,
];
const SB: StaticArray<u8> = [
  14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7,
  0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8,
  4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0,
  15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13,
  15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10,
  3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5,
  0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15,
  13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9,
  10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8,
  13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1,
  13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7,
  1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12,
  7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15,
  13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9,
  10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4,
  3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14,
  2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9,
  14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6,
  4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14,
  11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3,
  12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11,
  10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8,
  9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6,
  4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13,
  4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1,
  13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6,
  1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2,
  6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12,
  13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7,
  1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2,
  7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8,
  2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11,
];

// ---- lane layout of the S-box multiplexer ----
//
// S-box k+1 lives in byte lane LANE[k] and writes its output bit b (b = 0 the most
// significant, FIPS 46-3 order) to bit OUT_BIT[4k+b] of that lane. The layout was chosen by
// a small search so that P (on the lane layout) needs only 16 shift-and-mask groups instead
// of 27; the constants in `feistel` follow from FIPS 46-3 E and P and these two tables, and
// are checked by every known-answer test.
const LANE: StaticArray<u8> = [6, 1, 3, 7, 5, 0, 4, 2];
const OUT_BIT: StaticArray<u8> = [0, 2, 1, 3, 0, 3, 1, 2, 0, 1, 3, 2, 0, 2, 1, 3, 0, 1, 2, 3, 1, 3, 0, 2, 3, 2, 1, 0, 0, 3, 1, 2];

// ---- derived tables, built once ----

/**
 * SBT[w], lane LANE[k] = (S'(2w+1) << 4) | S'(2w) where S' is S-box k+1 at that 6-bit input
 * value with its output bits moved to OUT_BIT.
 */
const SBT = new StaticArray<u64>(32);
/** Grouped bit permutations (groups of equal shift): IP at 0, FP at 64. */
const GSH = new StaticArray<i32>(128);
const GMASK = new StaticArray<u64>(128);
let ipN: i32 = 0;
let fpN: i32 = 0;
let ready = false;

/** Adds (destination, source) bit positions to the group list starting at `base`. */
function addPair(base: i32, n: i32, dp: i32, sp: i32): i32 {
  const s = dp - sp;
  for (let g = 0; g < n; g++) {
    if (unchecked(GSH[base + g]) == s) {
      unchecked((GMASK[base + g] |= (<u64>1) << <u64>sp));
      return n;
    }
  }
  unchecked((GSH[base + n] = s));
  unchecked((GMASK[base + n] = (<u64>1) << <u64>sp));
  return n + 1;
}

function init(): void {
  for (let w = 0; w < 32; w++) {
    let v: u64 = 0;
    for (let k = 0; k < 8; k++) {
      const lo = sboxValue(k, w << 1);
      const hi = sboxValue(k, (w << 1) | 1);
      v |= <u64>((hi << 4) | lo) << <u64>(<i32>unchecked(LANE[k]) << 3);
    }
    unchecked((SBT[w] = v));
  }
  for (let i = 0; i < 64; i++) ipN = addPair(0, ipN, 63 - i, 64 - <i32>unchecked(IP_T[i]));
  for (let i = 0; i < 64; i++) fpN = addPair(64, fpN, 63 - i, 64 - <i32>unchecked(FP_T[i]));
  ready = true;
}

/** S-box k (0..7) at the 6-bit input x (row = bits 1 and 6, column = bits 2..5), bits moved to OUT_BIT. */
function sboxValue(k: i32, x: i32): u32 {
  const row = ((x >> 4) & 2) | (x & 1);
  const col = (x >> 1) & 15;
  const v = <u32>unchecked(SB[(k << 6) + (row << 4) + col]);
  let r: u32 = 0;
  for (let b = 0; b < 4; b++) r |= ((v >> <u32>(3 - b)) & 1) << <u32>unchecked(OUT_BIT[(k << 2) + b]);
  return r;
}

/** Applies a grouped bit permutation (constant shifts and masks). */
// @ts-ignore: decorator
@inline function permute(x: u64, base: i32, n: i32): u64 {
  let r: u64 = 0;
  for (let g = base; g < base + n; g++) {
    const s = unchecked(GSH[g]);
    const m = x & unchecked(GMASK[g]);
    r |= s >= 0 ? m << <u64>s : m >> <u64>-s;
  }
  return r;
}

/** Selects bit `b` of each byte lane of `x` as an all-ones / all-zeros lane mask. */
// @ts-ignore: decorator
@inline function laneMask(x: u64, b: u64): u64 {
  return ((x >> b) & 0x0101010101010101) * 0xff;
}

// @ts-ignore: decorator
@inline function mux(a: u64, b: u64, m: u64): u64 {
  return a ^ ((a ^ b) & m);
}

/**
 * The DES round function f(R, K) (FIPS 46-3 fig. 2): E, key addition, S-boxes, P.
 * `k` holds the 48-bit round key as eight 6-bit lanes (S-box k+1 in lane LANE[k]).
 */
function feistel(r: u32, k: u64): u32 {
  const rd = (<u64>r << 32) | <u64>r;
  // E: S-box k+1 reads bits 4k..4k+5 of R (bit 0 = bit 32), the window at position 27-4k.
  const x =
    k ^
    ((((rd >> 27) & 63) << 48) |
      (((rd >> 23) & 63) << 8) |
      (((rd >> 19) & 63) << 24) |
      (((rd >> 15) & 63) << 56) |
      (((rd >> 11) & 63) << 40) |
      ((rd >> 7) & 63) |
      (((rd >> 3) & 63) << 32) |
      ((<u64>rotl<u32>(r, 1) & 63) << 16));
  // 64-way multiplexer, all lanes at once: input bit 5 picks the table half, ..., bit 0 the nibble.
  const t = changetype<usize>(SBT);
  let m = laneMask(x, 5);
  const a0 = mux(load<u64>(t, 0), load<u64>(t, 128), m), a1 = mux(load<u64>(t, 8), load<u64>(t, 136), m);
  const a2 = mux(load<u64>(t, 16), load<u64>(t, 144), m), a3 = mux(load<u64>(t, 24), load<u64>(t, 152), m);
  const a4 = mux(load<u64>(t, 32), load<u64>(t, 160), m), a5 = mux(load<u64>(t, 40), load<u64>(t, 168), m);
  const a6 = mux(load<u64>(t, 48), load<u64>(t, 176), m), a7 = mux(load<u64>(t, 56), load<u64>(t, 184), m);
  const a8 = mux(load<u64>(t, 64), load<u64>(t, 192), m), a9 = mux(load<u64>(t, 72), load<u64>(t, 200), m);
  const a10 = mux(load<u64>(t, 80), load<u64>(t, 208), m), a11 = mux(load<u64>(t, 88), load<u64>(t, 216), m);
  const a12 = mux(load<u64>(t, 96), load<u64>(t, 224), m), a13 = mux(load<u64>(t, 104), load<u64>(t, 232), m);
  const a14 = mux(load<u64>(t, 112), load<u64>(t, 240), m), a15 = mux(load<u64>(t, 120), load<u64>(t, 248), m);
  m = laneMask(x, 4);
  const b0 = mux(a0, a8, m), b1 = mux(a1, a9, m), b2 = mux(a2, a10, m), b3 = mux(a3, a11, m);
  const b4 = mux(a4, a12, m), b5 = mux(a5, a13, m), b6 = mux(a6, a14, m), b7 = mux(a7, a15, m);
  m = laneMask(x, 3);
  const c0 = mux(b0, b4, m), c1 = mux(b1, b5, m), c2 = mux(b2, b6, m), c3 = mux(b3, b7, m);
  m = laneMask(x, 2);
  const d0 = mux(c0, c2, m), d1 = mux(c1, c3, m);
  const e = mux(d0, d1, laneMask(x, 1));
  const s = mux(e & 0x0f0f0f0f0f0f0f0f, (e >> 4) & 0x0f0f0f0f0f0f0f0f, laneMask(x, 0));
  // P on the lane layout: 16 groups of bits that move by the same distance.
  return <u32>(
    ((s & 0x0108000000000000) >> 50) |
    ((s & 0x0400000000000000) >> 46) |
    ((s & 0x0002000000000000) >> 40) |
    ((s & 0x0204040800000000) >> 35) |
    ((s & 0x0800000000000000) >> 28) |
    ((s & 0x0001000008000000) >> 25) |
    ((s & 0x0000020200000000) >> 23) |
    ((s & 0x0000010001000000) >> 16) |
    ((s & 0x0000080400080000) >> 14) |
    ((s & 0x0000000002000000) >> 9) |
    ((s & 0x0000000100040800) >> 7) |
    (s & 0x0000000004020008) |
    ((s & 0x0000000000000400) << 4) |
    ((s & 0x0000000000010104) << 11) |
    ((s & 0x0000000000000201) << 21) |
    ((s & 0x0000000000000002) << 27)
  );
}

/** Round keys: 16 per DES key, up to three keys. */
const KS = new StaticArray<u64>(48);
let L: u32 = 0;
let R: u32 = 0;
let nkeys: i32 = 0;

/** Key schedule of one 8-byte key (FIPS 46-3 key schedule calculation: PC-1, left shifts, PC-2). */
function keySchedule(key: usize, slot: i32): void {
  const k = bswap<u64>(load<u64>(key));
  let cd: u64 = 0;
  for (let i = 0; i < 56; i++) cd = (cd << 1) | ((k >> <u64>(64 - <i32>unchecked(PC1_T[i]))) & 1);
  let c = <u32>(cd >> 28);
  let d = <u32>cd & 0x0fffffff;
  for (let round = 0; round < 16; round++) {
    const s = <u32>unchecked(SHIFTS[round]);
    c = ((c << s) | (c >> (28 - s))) & 0x0fffffff;
    d = ((d << s) | (d >> (28 - s))) & 0x0fffffff;
    const cd2 = (<u64>c << 28) | <u64>d;
    let k48: u64 = 0;
    for (let i = 0; i < 48; i++) k48 = (k48 << 1) | ((cd2 >> <u64>(56 - <i32>unchecked(PC2_T[i]))) & 1);
    let lanes: u64 = 0;
    for (let j = 0; j < 8; j++) lanes |= ((k48 >> <u64>(42 - 6 * j)) & 63) << <u64>(<i32>unchecked(LANE[j]) << 3);
    unchecked((KS[(slot << 4) + round] = lanes));
  }
}

/**
 * Loads a DES (8 bytes), two-key EDE (16 bytes, K3 = K1) or EDE3 (24 bytes) key.
 * Returns false for any other length.
 */
export function desSetKey(key: usize, len: i32): bool {
  if (!ready) init();
  if (len == 8) {
    keySchedule(key, 0);
    nkeys = 1;
  } else if (len == 16 || len == 24) {
    keySchedule(key, 0);
    keySchedule(key + 8, 1);
    keySchedule(len == 24 ? key + 16 : key, 2);
    nkeys = 3;
  } else return false;
  return true;
}

/** Sixteen rounds with the key in `slot`, forwards or backwards, then the half swap. */
function rounds(slot: i32, decrypt: bool): void {
  const ks = changetype<usize>(KS) + (<usize>slot << 7);
  let l = L;
  let r = R;
  if (decrypt) {
    for (let i: i32 = 112; i >= 0; i -= 16) {
      const p = ks + <usize>i;
      l ^= feistel(r, load<u64>(p, 8));
      r ^= feistel(l, load<u64>(p));
    }
  } else {
    for (let i: usize = 0; i < 128; i += 16) {
      l ^= feistel(r, load<u64>(ks + i));
      r ^= feistel(l, load<u64>(ks + i + 8));
    }
  }
  L = r;
  R = l;
}

/**
 * Encrypts or decrypts one 64-bit block (big-endian) with the loaded key: DES, or TDEA
 * E_K3(D_K2(E_K1(x))) / D_K1(E_K2(D_K3(x))) (SP 800-67 Rev. 2, the TDEA forward and
 * inverse operations). The FP/IP pairs between the
 * TDEA stages cancel and are skipped.
 */
export function desCrypt(x: u64, decrypt: bool): u64 {
  const y = permute(x, 0, ipN);
  L = <u32>(y >> 32);
  R = <u32>y;
  if (nkeys == 1) rounds(0, decrypt);
  else if (decrypt) {
    rounds(2, true);
    rounds(1, false);
    rounds(0, true);
  } else {
    rounds(0, false);
    rounds(1, true);
    rounds(2, false);
  }
  const out = permute((<u64>L << 32) | <u64>R, 64, fpN);
  L = 0;
  R = 0;
  return out;
}

/** Zeroes the round keys and the block halves. */
export function desWipe(): void {
  memory.fill(changetype<usize>(KS), 0, 48 * 8);
  L = 0;
  R = 0;
  nkeys = 0;
}
