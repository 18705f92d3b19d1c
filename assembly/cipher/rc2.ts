// RC2 (RFC 2268) with an effective key length, constant-time.
//
// Table look-ups indexed by secret values (PITABLE in the key expansion, K[R & 63] in the
// mashing rounds) are done with a multiplexer over the whole table (masks built from the
// index bits), so no load address depends on a secret.

/** PITABLE, a permutation of 0..255 derived from the digits of pi (RFC 2268 §2). */
const PITABLE: StaticArray<u8> = [
  0xd9, 0x78, 0xf9, 0xc4, 0x19, 0xdd, 0xb5, 0xed, 0x28, 0xe9, 0xfd, 0x79, 0x4a, 0xa0, 0xd8, 0x9d,
  0xc6, 0x7e, 0x37, 0x83, 0x2b, 0x76, 0x53, 0x8e, 0x62, 0x4c, 0x64, 0x88, 0x44, 0x8b, 0xfb, 0xa2,
  0x17, 0x9a, 0x59, 0xf5, 0x87, 0xb3, 0x4f, 0x13, 0x61, 0x45, 0x6d, 0x8d, 0x09, 0x81, 0x7d, 0x32,
  0xbd, 0x8f, 0x40, 0xeb, 0x86, 0xb7, 0x7b, 0x0b, 0xf0, 0x95, 0x21, 0x22, 0x5c, 0x6b, 0x4e, 0x82,
  0x54, 0xd6, 0x65, 0x93, 0xce, 0x60, 0xb2, 0x1c, 0x73, 0x56, 0xc0, 0x14, 0xa7, 0x8c, 0xf1, 0xdc,
  0x12, 0x75, 0xca, 0x1f, 0x3b, 0xbe, 0xe4, 0xd1, 0x42, 0x3d, 0xd4, 0x30, 0xa3, 0x3c, 0xb6, 0x26,
  0x6f, 0xbf, 0x0e, 0xda, 0x46, 0x69, 0x07, 0x57, 0x27, 0xf2, 0x1d, 0x9b, 0xbc, 0x94, 0x43, 0x03,
  0xf8, 0x11, 0xc7, 0xf6, 0x90, 0xef, 0x3e, 0xe7, 0x06, 0xc3, 0xd5, 0x2f, 0xc8, 0x66, 0x1e, 0xd7,
  0x08, 0xe8, 0xea, 0xde, 0x80, 0x52, 0xee, 0xf7, 0x84, 0xaa, 0x72, 0xac, 0x35, 0x4d, 0x6a, 0x2a,
  0x96, 0x1a, 0xd2, 0x71, 0x5a, 0x15, 0x49, 0x74, 0x4b, 0x9f, 0xd0, 0x5e, 0x04, 0x18, 0xa4, 0xec,
  0xc2, 0xe0, 0x41, 0x6e, 0x0f, 0x51, 0xcb, 0xcc, 0x24, 0x91, 0xaf, 0x50, 0xa1, 0xf4, 0x70, 0x39,
  0x99, 0x7c, 0x3a, 0x85, 0x23, 0xb8, 0xb4, 0x7a, 0xfc, 0x02, 0x36, 0x5b, 0x25, 0x55, 0x97, 0x31,
  0x2d, 0x5d, 0xfa, 0x98, 0xe3, 0x8a, 0x92, 0xae, 0x05, 0xdf, 0x29, 0x10, 0x67, 0x6c, 0xba, 0xc9,
  0xd3, 0x00, 0xe6, 0xcf, 0xe1, 0x9e, 0xa8, 0x2c, 0x63, 0x16, 0x01, 0x3f, 0x58, 0xe2, 0x89, 0xa9,
  0x0d, 0x38, 0x34, 0x1b, 0xab, 0x33, 0xff, 0xb0, 0xbb, 0x48, 0x0c, 0x5f, 0xb9, 0xb1, 0xcd, 0x2e,
  0xc5, 0xf3, 0xdb, 0x47, 0xe5, 0xa5, 0x9c, 0x77, 0x0a, 0xa6, 0x20, 0x68, 0xfe, 0x7f, 0xc1, 0xad,
];

/** Expanded key K[0..63] (RFC 2268 §2), wiped after each call. */
const K = new StaticArray<u16>(64);
/** Key-expansion buffer L[0..127]. */
const LB = new StaticArray<u8>(128);
/** Multiplexer scratch. */
const MUX = new StaticArray<u64>(16);

// @ts-ignore: decorator
@inline function bitMask(x: u32, b: u32): u64 {
  return <u64>0 - <u64>((x >> b) & 1);
}

/** PITABLE[x] without a secret-indexed load. */
function pi(x: u32): u32 {
  const t = changetype<usize>(PITABLE);
  const a = changetype<usize>(MUX);
  let m = bitMask(x, 7);
  for (let i: usize = 0; i < 128; i += 8) {
    const lo = load<u64>(t + i);
    store<u64>(a + i, lo ^ ((lo ^ load<u64>(t + i + 128)) & m));
  }
  return selectByte(a, x) & 0xff;
}

/**
 * Finishes a multiplexer whose 16 words are at `a`: index bits 6..3 pick the word and bits
 * 2..0 the byte inside it; the selected byte ends up in the low bits of the result.
 */
// @ts-ignore: decorator
@inline function selectByte(a: usize, x: u32): u32 {
  let half: usize = 64;
  for (let b: u32 = 6; b >= 3; b--) {
    const m = bitMask(x, b);
    for (let i: usize = 0; i < half; i += 8) {
      const lo = load<u64>(a + i);
      store<u64>(a + i, lo ^ ((lo ^ load<u64>(a + i + half)) & m));
    }
    half >>= 1;
  }
  let w = load<u64>(a);
  w ^= (w ^ (w >> 32)) & bitMask(x, 2);
  w ^= (w ^ (w >> 16)) & bitMask(x, 1);
  w ^= (w ^ (w >> 8)) & bitMask(x, 0);
  return <u32>w;
}

/** K[x & 63] without a secret-indexed load (entry i sits at byte 2i, hence the index << 1). */
function kAt(x: u32): u32 {
  const a = changetype<usize>(MUX);
  memory.copy(a, changetype<usize>(K), 128);
  return selectByte(a, (x & 63) << 1) & 0xffff;
}

/**
 * RC2 key expansion (RFC 2268 §2) of a 1..128-byte key with `bits` (1..1024) effective key
 * bits. Returns false for an out-of-range length or bit count.
 */
export function rc2SetKey(key: usize, len: i32, bits: i32): bool {
  if (len < 1 || len > 128 || bits < 1 || bits > 1024) return false;
  const l = changetype<usize>(LB);
  memory.copy(l, key, <usize>len);
  for (let i = len; i < 128; i++) {
    store<u8>(l + <usize>i, <u8>pi((<u32>load<u8>(l + <usize>(i - 1)) + <u32>load<u8>(l + <usize>(i - len))) & 255));
  }
  const t8 = (bits + 7) >> 3;
  const tm: u32 = (1 << <u32>(8 + bits - 8 * t8)) - 1;
  const p = l + <usize>(128 - t8);
  store<u8>(p, <u8>pi(<u32>load<u8>(p) & tm));
  for (let i = 127 - t8; i >= 0; i--) {
    store<u8>(l + <usize>i, <u8>pi(<u32>load<u8>(l + <usize>(i + 1)) ^ <u32>load<u8>(l + <usize>(i + t8))));
  }
  // K[i] = L[2i] + 256 * L[2i+1]: the little-endian u16 view of L.
  memory.copy(changetype<usize>(K), l, 128);
  memory.fill(l, 0, 128);
  memory.fill(changetype<usize>(MUX), 0, 128);
  return true;
}

/** Encrypts one 8-byte block in place (RFC 2268 §3). */
export function rc2Encrypt(p: usize): void {
  let r0 = <u32>load<u16>(p, 0);
  let r1 = <u32>load<u16>(p, 2);
  let r2 = <u32>load<u16>(p, 4);
  let r3 = <u32>load<u16>(p, 6);
  const k = changetype<usize>(K);
  let j: usize = 0;
  for (let round = 0; round < 16; round++) {
    r0 = (r0 + <u32>load<u16>(k + j) + (r3 & r2) + (~r3 & r1)) & 0xffff;
    r0 = ((r0 << 1) | (r0 >> 15)) & 0xffff;
    r1 = (r1 + <u32>load<u16>(k + j + 2) + (r0 & r3) + (~r0 & r2)) & 0xffff;
    r1 = ((r1 << 2) | (r1 >> 14)) & 0xffff;
    r2 = (r2 + <u32>load<u16>(k + j + 4) + (r1 & r0) + (~r1 & r3)) & 0xffff;
    r2 = ((r2 << 3) | (r2 >> 13)) & 0xffff;
    r3 = (r3 + <u32>load<u16>(k + j + 6) + (r2 & r1) + (~r2 & r0)) & 0xffff;
    r3 = ((r3 << 5) | (r3 >> 11)) & 0xffff;
    j += 8;
    if (round == 4 || round == 10) {
      r0 = (r0 + kAt(r3)) & 0xffff;
      r1 = (r1 + kAt(r0)) & 0xffff;
      r2 = (r2 + kAt(r1)) & 0xffff;
      r3 = (r3 + kAt(r2)) & 0xffff;
    }
  }
  store<u16>(p, <u16>r0, 0);
  store<u16>(p, <u16>r1, 2);
  store<u16>(p, <u16>r2, 4);
  store<u16>(p, <u16>r3, 6);
}

/** Decrypts one 8-byte block in place (RFC 2268 §4). */
export function rc2Decrypt(p: usize): void {
  let r0 = <u32>load<u16>(p, 0);
  let r1 = <u32>load<u16>(p, 2);
  let r2 = <u32>load<u16>(p, 4);
  let r3 = <u32>load<u16>(p, 6);
  const k = changetype<usize>(K);
  let j: usize = 120;
  for (let round = 15; round >= 0; round--) {
    r3 = ((r3 >> 5) | (r3 << 11)) & 0xffff;
    r3 = (r3 - <u32>load<u16>(k + j + 6) - (r2 & r1) - (~r2 & r0)) & 0xffff;
    r2 = ((r2 >> 3) | (r2 << 13)) & 0xffff;
    r2 = (r2 - <u32>load<u16>(k + j + 4) - (r1 & r0) - (~r1 & r3)) & 0xffff;
    r1 = ((r1 >> 2) | (r1 << 14)) & 0xffff;
    r1 = (r1 - <u32>load<u16>(k + j + 2) - (r0 & r3) - (~r0 & r2)) & 0xffff;
    r0 = ((r0 >> 1) | (r0 << 15)) & 0xffff;
    r0 = (r0 - <u32>load<u16>(k + j) - (r3 & r2) - (~r3 & r1)) & 0xffff;
    j -= 8;
    if (round == 11 || round == 5) {
      r3 = (r3 - kAt(r2)) & 0xffff;
      r2 = (r2 - kAt(r1)) & 0xffff;
      r1 = (r1 - kAt(r0)) & 0xffff;
      r0 = (r0 - kAt(r3)) & 0xffff;
    }
  }
  store<u16>(p, <u16>r0, 0);
  store<u16>(p, <u16>r1, 2);
  store<u16>(p, <u16>r2, 4);
  store<u16>(p, <u16>r3, 6);
}

/** Zeroes the expanded key and scratch. */
export function rc2Wipe(): void {
  memory.fill(changetype<usize>(K), 0, 128);
  memory.fill(changetype<usize>(LB), 0, 128);
  memory.fill(changetype<usize>(MUX), 0, 128);
}
