// AES-128/192/256 (FIPS 197), constant-time: bitsliced, four blocks at a time.
//
// The state of up to four blocks is held in eight u64 "planes": plane i holds bit i of
// every byte. Bit position p = 16*row + 4*column + block, so a MixColumns row rotation
// is a 16-bit word rotation. ShiftRows is never computed (fixslicing: Adomnicai & Peyrin,
// "Fixslicing AES-like ciphers", TCHES 2021 issue 1): after k ShiftRows the planes hold the
// state with row r rotated back by k*r columns, MixColumns of that representation reads row
// r+1 at column c+k (two masked rotations), and round keys are stored in the matching
// representation; about 15% faster here than computing ShiftRows. SubBytes is the depth-16,
// 128-gate circuit of Boyar & Peralta ("A Small Depth-16 Circuit for the AES S-Box", IFIP SEC
// 2012, ePrint 2011/332) evaluated on whole planes; there is no secret-indexed load
// and no secret-dependent branch anywhere. The key schedule (FIPS 197 §5.2) uses the same
// circuit for SubWord.

/** State planes. */
const Q = new StaticArray<u64>(8);
/** Bitsliced round keys, eight words per round key (up to 15 round keys). */
const RK = new StaticArray<u64>(15 * 8);
/** Expanded key words w[i] (FIPS 197 §5.2), big-endian. */
const W = new StaticArray<u32>(60);
/** Gather scratch for packing blocks into planes. */
const BUF = new StaticArray<u8>(64);
/** Round-key bytes replicated into four block slots. */
const KB = new StaticArray<u8>(64);

/** Number of rounds of the loaded key (10/12/14), 0 when none is loaded. */
let nr: i32 = 0;

/**
 * GATHER[16*block + k] = index in BUF of byte k of that block, chosen so that after
 * `ortho` bit p = 16*row + 4*col + block of every plane holds that byte (row = k & 3,
 * col = k >> 2, FIPS 197 §3.4 column-major state).
 */
const GATHER: StaticArray<u8> = [
  0, 2, 4, 6, 32, 34, 36, 38, 1, 3, 5, 7, 33, 35, 37, 39, 8, 10, 12, 14, 40, 42, 44, 46, 9, 11, 13, 15, 41, 43, 45, 47,
  16, 18, 20, 22, 48, 50, 52, 54, 17, 19, 21, 23, 49, 51, 53, 55, 24, 26, 28, 30, 56, 58, 60, 62, 25, 27, 29, 31, 57, 59, 61, 63,
];

/** Round constants Rcon[i] (FIPS 197 §5.2), in the top byte of a word. */
const RCON: StaticArray<u32> = [0x01000000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000, 0x80000000, 0x1b000000, 0x36000000];

// @ts-ignore: decorator
@inline function swapmove(q: usize, a: i32, b: i32, mask: u64, n: u64): void {
  const x = load<u64>(q + (<usize>a << 3));
  const y = load<u64>(q + (<usize>b << 3));
  const t = ((x >> n) ^ y) & mask;
  store<u64>(q + (<usize>b << 3), y ^ t);
  store<u64>(q + (<usize>a << 3), x ^ (t << n));
}

/**
 * Transposes the 8x8 bit blocks of the eight words: bit (word a, position 8m+b) moves to
 * (word b, position 8m+a). An involution.
 */
function ortho(): void {
  const q = changetype<usize>(Q);
  swapmove(q, 0, 1, 0x5555555555555555, 1);
  swapmove(q, 2, 3, 0x5555555555555555, 1);
  swapmove(q, 4, 5, 0x5555555555555555, 1);
  swapmove(q, 6, 7, 0x5555555555555555, 1);
  swapmove(q, 0, 2, 0x3333333333333333, 2);
  swapmove(q, 1, 3, 0x3333333333333333, 2);
  swapmove(q, 4, 6, 0x3333333333333333, 2);
  swapmove(q, 5, 7, 0x3333333333333333, 2);
  swapmove(q, 0, 4, 0x0f0f0f0f0f0f0f0f, 4);
  swapmove(q, 1, 5, 0x0f0f0f0f0f0f0f0f, 4);
  swapmove(q, 2, 6, 0x0f0f0f0f0f0f0f0f, 4);
  swapmove(q, 3, 7, 0x0f0f0f0f0f0f0f0f, 4);
}

/** Loads `n` (1..4) 16-byte blocks from `src` into the planes; unused slots are zero. */
function pack(src: usize, n: i32): void {
  const buf = changetype<usize>(BUF);
  const g = changetype<usize>(GATHER);
  if (n < 4) memory.fill(buf, 0, 64);
  const len = <usize>(n << 4);
  for (let i: usize = 0; i < len; i++) store<u8>(buf + <usize>load<u8>(g + i), load<u8>(src + i));
  memory.copy(changetype<usize>(Q), buf, 64);
  ortho();
}

/** Stores the first `n` blocks of the planes to `dst` (which may equal the source). */
function unpack(dst: usize, n: i32): void {
  ortho();
  const buf = changetype<usize>(BUF);
  const g = changetype<usize>(GATHER);
  memory.copy(buf, changetype<usize>(Q), 64);
  const len = <usize>(n << 4);
  for (let i: usize = 0; i < len; i++) store<u8>(dst + i, load<u8>(buf + <usize>load<u8>(g + i)));
}

/** SubBytes (FIPS 197 §5.1.1) on all planes: the Boyar–Peralta circuit (U0 = most significant bit). */
function sbox(): void {
  const q = changetype<usize>(Q);
  const u0 = load<u64>(q, 56), u1 = load<u64>(q, 48), u2 = load<u64>(q, 40), u3 = load<u64>(q, 32);
  const u4 = load<u64>(q, 24), u5 = load<u64>(q, 16), u6 = load<u64>(q, 8), u7 = load<u64>(q, 0);
  // top linear layer
  const t1 = u0 ^ u3, t2 = u0 ^ u5, t3 = u0 ^ u6, t4 = u3 ^ u5, t5 = u4 ^ u6;
  const t6 = t1 ^ t5, t7 = u1 ^ u2, t8 = u7 ^ t6, t9 = u7 ^ t7, t10 = t6 ^ t7;
  const t11 = u1 ^ u5, t12 = u2 ^ u5, t13 = t3 ^ t4, t14 = t6 ^ t11, t15 = t5 ^ t11;
  const t16 = t5 ^ t12, t17 = t9 ^ t16, t18 = u3 ^ u7, t19 = t7 ^ t18, t20 = t1 ^ t19;
  const t21 = u6 ^ u7, t22 = t7 ^ t21, t23 = t2 ^ t22, t24 = t2 ^ t10, t25 = t20 ^ t17;
  const t26 = t3 ^ t16, t27 = t1 ^ t12;
  // non-linear middle
  const m1 = t13 & t6, m2 = t23 & t8, m3 = t14 ^ m1, m4 = t19 & u7, m5 = m4 ^ m1;
  const m6 = t3 & t16, m7 = t22 & t9, m8 = t26 ^ m6, m9 = t20 & t17, m10 = m9 ^ m6;
  const m11 = t1 & t15, m12 = t4 & t27, m13 = m12 ^ m11, m14 = t2 & t10, m15 = m14 ^ m11;
  const m16 = m3 ^ m2, m17 = m5 ^ t24, m18 = m8 ^ m7, m19 = m10 ^ m15, m20 = m16 ^ m13;
  const m21 = m17 ^ m15, m22 = m18 ^ m13, m23 = m19 ^ t25, m24 = m22 ^ m23, m25 = m22 & m20;
  const m26 = m21 ^ m25, m27 = m20 ^ m21, m28 = m23 ^ m25, m29 = m28 & m27, m30 = m26 & m24;
  const m31 = m20 & m23, m32 = m27 & m31, m33 = m27 ^ m25, m34 = m21 & m22, m35 = m24 & m34;
  const m36 = m24 ^ m25, m37 = m21 ^ m29, m38 = m32 ^ m33, m39 = m23 ^ m30, m40 = m35 ^ m36;
  const m41 = m38 ^ m40, m42 = m37 ^ m39, m43 = m37 ^ m38, m44 = m39 ^ m40, m45 = m42 ^ m41;
  const m46 = m44 & t6, m47 = m40 & t8, m48 = m39 & u7, m49 = m43 & t16, m50 = m38 & t9;
  const m51 = m37 & t17, m52 = m42 & t15, m53 = m45 & t27, m54 = m41 & t10, m55 = m44 & t13;
  const m56 = m40 & t23, m57 = m39 & t19, m58 = m43 & t3, m59 = m38 & t22, m60 = m37 & t20;
  const m61 = m42 & t1, m62 = m45 & t4, m63 = m41 & t2;
  // bottom linear layer
  const l0 = m61 ^ m62, l1 = m50 ^ m56, l2 = m46 ^ m48, l3 = m47 ^ m55, l4 = m54 ^ m58;
  const l5 = m49 ^ m61, l6 = m62 ^ l5, l7 = m46 ^ l3, l8 = m51 ^ m59, l9 = m52 ^ m53;
  const l10 = m53 ^ l4, l11 = m60 ^ l2, l12 = m48 ^ m51, l13 = m50 ^ l0, l14 = m52 ^ m61;
  const l15 = m55 ^ l1, l16 = m56 ^ l0, l17 = m57 ^ l1, l18 = m58 ^ l8, l19 = m63 ^ l4;
  const l20 = l0 ^ l1, l21 = l1 ^ l7, l22 = l3 ^ l12, l23 = l18 ^ l2, l24 = l15 ^ l9;
  const l25 = l6 ^ l10, l26 = l7 ^ l9, l27 = l8 ^ l10, l28 = l11 ^ l14, l29 = l11 ^ l17;
  store<u64>(q, l6 ^ l24, 56);
  store<u64>(q, ~(l16 ^ l26), 48);
  store<u64>(q, ~(l19 ^ l28), 40);
  store<u64>(q, l6 ^ l21, 32);
  store<u64>(q, l20 ^ l22, 24);
  store<u64>(q, l25 ^ l29, 16);
  store<u64>(q, ~(l13 ^ l27), 8);
  store<u64>(q, ~(l6 ^ l23), 0);
}

/** The inverse affine map of the S-box on all planes: y -> L^-1(y) ^ 0x05 (FIPS 197 §5.3.2). */
function invAffine(): void {
  const q = changetype<usize>(Q);
  const y0 = load<u64>(q, 0), y1 = load<u64>(q, 8), y2 = load<u64>(q, 16), y3 = load<u64>(q, 24);
  const y4 = load<u64>(q, 32), y5 = load<u64>(q, 40), y6 = load<u64>(q, 48), y7 = load<u64>(q, 56);
  // bit i = y[i-1] ^ y[i-3] ^ y[i-6] (indices mod 8)
  store<u64>(q, ~(y7 ^ y5 ^ y2), 0);
  store<u64>(q, y0 ^ y6 ^ y3, 8);
  store<u64>(q, ~(y1 ^ y7 ^ y4), 16);
  store<u64>(q, y2 ^ y0 ^ y5, 24);
  store<u64>(q, y3 ^ y1 ^ y6, 32);
  store<u64>(q, y4 ^ y2 ^ y7, 40);
  store<u64>(q, y5 ^ y3 ^ y0, 48);
  store<u64>(q, y6 ^ y4 ^ y1, 56);
}

/** InvSubBytes: InvS(y) = Aff^-1(S(Aff^-1(y))), since S = Aff o inv and inv is an involution. */
function invSbox(): void {
  invAffine();
  sbox();
  invAffine();
}

/** ShiftRows applied twice (FIPS 197 §5.1.2): rows 1 and 3 rotate by two columns. */
function shiftRows2(): void {
  const q = changetype<usize>(Q);
  for (let i: usize = 0; i < 64; i += 8) {
    const x = load<u64>(q + i);
    store<u64>(q + i, (x & 0x0000ffff0000ffff) | ((x >> 8) & 0x00ff000000ff0000) | ((x << 8) & 0xff000000ff000000));
  }
}

/** InvShiftRows (FIPS 197 §5.3.1): row r rotates right by r columns. */
function invShiftRows(): void {
  const q = changetype<usize>(Q);
  for (let i: usize = 0; i < 64; i += 8) {
    const x = load<u64>(q + i);
    store<u64>(
      q + i,
      (x & 0x000000000000ffff) |
        ((x << 4) & 0x00000000fff00000) |
        ((x >> 12) & 0x00000000000f0000) |
        ((x >> 8) & 0x000000ff00000000) |
        ((x << 8) & 0x0000ff0000000000) |
        ((x << 12) & 0xf000000000000000) |
        ((x >> 4) & 0x0fff000000000000),
    );
  }
}

/**
 * MixColumns (FIPS 197 §5.1.3): out_r = 2a_r ^ 3a_{r+1} ^ a_{r+2} ^ a_{r+3}
 * = xtime(t_r) ^ a_{r+1} ^ t_{r+2} with t = a ^ (a rotated by one row).
 */
function mixColumns(): void {
  const q = changetype<usize>(Q);
  const q0 = load<u64>(q, 0), q1 = load<u64>(q, 8), q2 = load<u64>(q, 16), q3 = load<u64>(q, 24);
  const q4 = load<u64>(q, 32), q5 = load<u64>(q, 40), q6 = load<u64>(q, 48), q7 = load<u64>(q, 56);
  const r0 = rotr<u64>(q0, 16), r1 = rotr<u64>(q1, 16), r2 = rotr<u64>(q2, 16), r3 = rotr<u64>(q3, 16);
  const r4 = rotr<u64>(q4, 16), r5 = rotr<u64>(q5, 16), r6 = rotr<u64>(q6, 16), r7 = rotr<u64>(q7, 16);
  const t0 = q0 ^ r0, t1 = q1 ^ r1, t2 = q2 ^ r2, t3 = q3 ^ r3;
  const t4 = q4 ^ r4, t5 = q5 ^ r5, t6 = q6 ^ r6, t7 = q7 ^ r7;
  // xtime(t) = [t7, t0^t7, t1, t2^t7, t3^t7, t4, t5, t6] (reduction by 0x11b)
  store<u64>(q, t7 ^ r0 ^ rotr<u64>(t0, 32), 0);
  store<u64>(q, t0 ^ t7 ^ r1 ^ rotr<u64>(t1, 32), 8);
  store<u64>(q, t1 ^ r2 ^ rotr<u64>(t2, 32), 16);
  store<u64>(q, t2 ^ t7 ^ r3 ^ rotr<u64>(t3, 32), 24);
  store<u64>(q, t3 ^ t7 ^ r4 ^ rotr<u64>(t4, 32), 32);
  store<u64>(q, t4 ^ r5 ^ rotr<u64>(t5, 32), 40);
  store<u64>(q, t5 ^ r6 ^ rotr<u64>(t6, 32), 48);
  store<u64>(q, t6 ^ r7 ^ rotr<u64>(t7, 32), 56);
}

/**
 * Row-and-column rotation of the planes: destination (r, c) takes source (r + a, c + b), all
 * mod 4, as two masked rotations (`m` marks the destination columns c < 4 - b).
 */
// @ts-ignore: decorator
@inline function rot(x: u64, s1: u64, s2: u64, m: u64): u64 {
  return (rotr<u64>(x, s1) & m) | (rotr<u64>(x, s2) & ~m);
}

/** Destination columns c < 4 - b of every row: no wrap-around for a column offset b. */
// @ts-ignore: decorator
@inline function colMask(b: i32): u64 {
  return (((<u64>1) << <u64>(16 - 4 * b)) - 1) * 0x0001000100010001;
}

/**
 * MixColumns (FIPS 197 §5.1.3) in the representation after k ShiftRows (k = 1..3): the
 * state's row r + i of the same column is stored at column c + i*k, so out = xtime(t) ^
 * R1(a) ^ R2(t) with t = a ^ R1(a), R1 = (row +1, column +k), R2 = (row +2, column +2k).
 * Inlined with a constant k, so that every shift and mask is a constant.
 */
// @ts-ignore: decorator
@inline function mixColumnsK(k: i32): void {
  const b1 = k;
  const b2 = (2 * k) & 3;
  const s11 = <u64>((16 + 4 * b1) & 63), s12 = <u64>(4 * b1), m1 = colMask(b1);
  const s21 = <u64>((32 + 4 * b2) & 63), s22 = <u64>(16 + 4 * b2), m2 = colMask(b2);
  const q = changetype<usize>(Q);
  const q0 = load<u64>(q, 0), q1 = load<u64>(q, 8), q2 = load<u64>(q, 16), q3 = load<u64>(q, 24);
  const q4 = load<u64>(q, 32), q5 = load<u64>(q, 40), q6 = load<u64>(q, 48), q7 = load<u64>(q, 56);
  const r0 = rot(q0, s11, s12, m1), r1 = rot(q1, s11, s12, m1), r2 = rot(q2, s11, s12, m1), r3 = rot(q3, s11, s12, m1);
  const r4 = rot(q4, s11, s12, m1), r5 = rot(q5, s11, s12, m1), r6 = rot(q6, s11, s12, m1), r7 = rot(q7, s11, s12, m1);
  const t0 = q0 ^ r0, t1 = q1 ^ r1, t2 = q2 ^ r2, t3 = q3 ^ r3;
  const t4 = q4 ^ r4, t5 = q5 ^ r5, t6 = q6 ^ r6, t7 = q7 ^ r7;
  store<u64>(q, t7 ^ r0 ^ rot(t0, s21, s22, m2), 0);
  store<u64>(q, t0 ^ t7 ^ r1 ^ rot(t1, s21, s22, m2), 8);
  store<u64>(q, t1 ^ r2 ^ rot(t2, s21, s22, m2), 16);
  store<u64>(q, t2 ^ t7 ^ r3 ^ rot(t3, s21, s22, m2), 24);
  store<u64>(q, t3 ^ t7 ^ r4 ^ rot(t4, s21, s22, m2), 32);
  store<u64>(q, t4 ^ r5 ^ rot(t5, s21, s22, m2), 40);
  store<u64>(q, t5 ^ r6 ^ rot(t6, s21, s22, m2), 48);
  store<u64>(q, t6 ^ r7 ^ rot(t7, s21, s22, m2), 56);
}

// One specialised copy per representation (constant shifts and masks).
function mixColumns1(): void {
  mixColumnsK(1);
}
function mixColumns2(): void {
  mixColumnsK(2);
}
function mixColumns3(): void {
  mixColumnsK(3);
}

/** MixColumns in the representation after k (mod 4) ShiftRows. */
function mix(k: i32): void {
  if (k == 0) mixColumns();
  else if (k == 1) mixColumns1();
  else if (k == 2) mixColumns2();
  else mixColumns3();
}

/**
 * InvMixColumns (FIPS 197 §5.3.3) in the representation after k ShiftRows: MixColumns after
 * the map a_r ^= 4(a_r ^ a_{r+2}), because the inverse matrix equals the forward one times
 * [5 0 4 0; 0 5 0 4; 4 0 5 0; 0 4 0 5]; a_{r+2} of the same column sits at column c + 2k.
 * Inlined with a constant k.
 */
// @ts-ignore: decorator
@inline function invMixK(k: i32): void {
  const b2 = (2 * k) & 3;
  const s21 = <u64>((32 + 4 * b2) & 63), s22 = <u64>(16 + 4 * b2), m2 = colMask(b2);
  const q = changetype<usize>(Q);
  const q0 = load<u64>(q, 0), q1 = load<u64>(q, 8), q2 = load<u64>(q, 16), q3 = load<u64>(q, 24);
  const q4 = load<u64>(q, 32), q5 = load<u64>(q, 40), q6 = load<u64>(q, 48), q7 = load<u64>(q, 56);
  const v0 = q0 ^ rot(q0, s21, s22, m2), v1 = q1 ^ rot(q1, s21, s22, m2), v2 = q2 ^ rot(q2, s21, s22, m2), v3 = q3 ^ rot(q3, s21, s22, m2);
  const v4 = q4 ^ rot(q4, s21, s22, m2), v5 = q5 ^ rot(q5, s21, s22, m2), v6 = q6 ^ rot(q6, s21, s22, m2), v7 = q7 ^ rot(q7, s21, s22, m2);
  // 4v = xtime(xtime(v)): [v6, v6^v7, v0^v7, v1^v6, v2^v6^v7, v3^v7, v4, v5]
  store<u64>(q, q0 ^ v6, 0);
  store<u64>(q, q1 ^ v6 ^ v7, 8);
  store<u64>(q, q2 ^ v0 ^ v7, 16);
  store<u64>(q, q3 ^ v1 ^ v6, 24);
  store<u64>(q, q4 ^ v2 ^ v6 ^ v7, 32);
  store<u64>(q, q5 ^ v3 ^ v7, 40);
  store<u64>(q, q6 ^ v4, 48);
  store<u64>(q, q7 ^ v5, 56);
  mix(k);
}

// One specialised copy per representation (constant shifts and masks).
function invMix0(): void {
  invMixK(0);
}
function invMix1(): void {
  invMixK(1);
}
function invMix2(): void {
  invMixK(2);
}
function invMix3(): void {
  invMixK(3);
}

/** InvMixColumns in the representation after k (mod 4) ShiftRows. */
function invMix(k: i32): void {
  if (k == 0) invMix0();
  else if (k == 1) invMix1();
  else if (k == 2) invMix2();
  else invMix3();
}

// @ts-ignore: decorator
@inline function addRoundKey(round: i32): void {
  const q = changetype<usize>(Q);
  const k = changetype<usize>(RK) + (<usize>round << 6);
  for (let i: usize = 0; i < 64; i += 8) store<u64>(q + i, load<u64>(q + i) ^ load<u64>(k + i));
}

/** SubWord (FIPS 197 §5.2) through the bitsliced S-box. */
function subWord(w: u32): u32 {
  const q = changetype<usize>(Q);
  for (let b: i32 = 0; b < 8; b++) {
    let plane: u64 = 0;
    for (let t: i32 = 0; t < 4; t++) plane |= <u64>((w >> (<u32>(t << 3) + <u32>b)) & 1) << <u64>t;
    store<u64>(q + (<usize>b << 3), plane);
  }
  sbox();
  let r: u32 = 0;
  for (let b: i32 = 0; b < 8; b++) {
    const plane = load<u64>(q + (<usize>b << 3));
    for (let t: i32 = 0; t < 4; t++) r |= <u32>((plane >> <u64>t) & 1) << (<u32>(t << 3) + <u32>b);
  }
  memory.fill(q, 0, 64);
  return r;
}

/**
 * Expands a 16/24/32-byte key (FIPS 197 §5.2) into bitsliced round keys for encryption or
 * decryption: round key i is stored after InvShiftRows^k, k = i (encryption) or i - Nr
 * (decryption) mod 4, the representation the state is in when that key is added.
 * Returns false for any other length.
 */
export function aesSetKey(key: usize, len: i32, decrypt: bool): bool {
  if (len != 16 && len != 24 && len != 32) return false;
  const nk = len >> 2;
  nr = nk + 6;
  const total = (nr + 1) << 2;
  for (let i = 0; i < nk; i++) unchecked((W[i] = bswap<u32>(load<u32>(key + (<usize>i << 2)))));
  for (let i = nk; i < total; i++) {
    let t = unchecked(W[i - 1]);
    if (i % nk == 0) t = subWord(rotl<u32>(t, 8)) ^ unchecked(RCON[i / nk - 1]);
    else if (nk > 6 && i % nk == 4) t = subWord(t);
    unchecked((W[i] = unchecked(W[i - nk]) ^ t));
  }
  const kb = changetype<usize>(KB);
  for (let r = 0; r <= nr; r++) {
    for (let c = 0; c < 4; c++) {
      const w = bswap<u32>(unchecked(W[(r << 2) + c]));
      for (let j: usize = 0; j < 4; j++) store<u32>(kb + (j << 4) + (<usize>c << 2), w);
    }
    pack(kb, 4);
    const k = (decrypt ? r - nr : r) & 3;
    for (let i = 0; i < k; i++) invShiftRows();
    memory.copy(changetype<usize>(RK) + (<usize>r << 6), changetype<usize>(Q), 64);
  }
  memory.fill(kb, 0, 64);
  memory.fill(changetype<usize>(W), 0, 240);
  return true;
}

/**
 * The Cipher (FIPS 197 §5.1) on `n` (1..4) consecutive 16-byte blocks from `src` to `dst`
 * (may alias), with a key loaded for encryption. ShiftRows only advances the representation.
 */
export function aesEncrypt(src: usize, dst: usize, n: i32): void {
  pack(src, n);
  addRoundKey(0);
  for (let r = 1; r < nr; r++) {
    sbox();
    mix(r & 3);
    addRoundKey(r);
  }
  sbox();
  addRoundKey(nr);
  if ((nr & 3) == 2) shiftRows2(); // back to the plain state (Nr = 12 needs nothing)
  unpack(dst, n);
}

/**
 * The InvCipher (FIPS 197 §5.3) on `n` (1..4) consecutive 16-byte blocks from `src` to `dst`
 * (may alias), with a key loaded for decryption. InvShiftRows only moves the representation back.
 */
export function aesDecrypt(src: usize, dst: usize, n: i32): void {
  pack(src, n);
  addRoundKey(nr);
  for (let r = nr - 1; r > 0; r--) {
    invSbox();
    addRoundKey(r);
    invMix((r - nr) & 3);
  }
  invSbox();
  addRoundKey(0);
  if ((nr & 3) == 2) shiftRows2();
  unpack(dst, n);
}

/** Zeroes the key schedule and every scratch buffer. */
export function aesWipe(): void {
  memory.fill(changetype<usize>(RK), 0, 15 * 64);
  memory.fill(changetype<usize>(Q), 0, 64);
  memory.fill(changetype<usize>(BUF), 0, 64);
  memory.fill(changetype<usize>(KB), 0, 64);
  memory.fill(changetype<usize>(W), 0, 240);
  nr = 0;
}
