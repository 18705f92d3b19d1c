// MD5 compression function (RFC 1321 §3.4).
//
// The four rounds of 16 steps are unrolled; the sixteen message words X[k] are read once per
// block into locals (MD5 is little-endian, like WebAssembly, so no byte swap is needed). The
// constants T[i] = floor(2^32 * abs(sin(i))) and shift amounts are those of §3.4.

/**
 * Runs the compression function over `n` consecutive 64-byte blocks at `p`, updating the
 * four 32-bit state words A, B, C, D stored (native little-endian u32) at `st`.
 */
export function md5Blocks(st: usize, p: usize, n: usize): void {
  let a: u32 = load<u32>(st, 0);
  let b: u32 = load<u32>(st, 4);
  let c: u32 = load<u32>(st, 8);
  let d: u32 = load<u32>(st, 12);
  while (n) {
    let x0: u32 = load<u32>(p, 0);
    let x1: u32 = load<u32>(p, 4);
    let x2: u32 = load<u32>(p, 8);
    let x3: u32 = load<u32>(p, 12);
    let x4: u32 = load<u32>(p, 16);
    let x5: u32 = load<u32>(p, 20);
    let x6: u32 = load<u32>(p, 24);
    let x7: u32 = load<u32>(p, 28);
    let x8: u32 = load<u32>(p, 32);
    let x9: u32 = load<u32>(p, 36);
    let x10: u32 = load<u32>(p, 40);
    let x11: u32 = load<u32>(p, 44);
    let x12: u32 = load<u32>(p, 48);
    let x13: u32 = load<u32>(p, 52);
    let x14: u32 = load<u32>(p, 56);
    let x15: u32 = load<u32>(p, 60);
    a = b + rotl<u32>(a + (d ^ (b & (c ^ d))) + 0xd76aa478 + x0, 7);
    d = a + rotl<u32>(d + (c ^ (a & (b ^ c))) + 0xe8c7b756 + x1, 12);
    c = d + rotl<u32>(c + (b ^ (d & (a ^ b))) + 0x242070db + x2, 17);
    b = c + rotl<u32>(b + (a ^ (c & (d ^ a))) + 0xc1bdceee + x3, 22);
    a = b + rotl<u32>(a + (d ^ (b & (c ^ d))) + 0xf57c0faf + x4, 7);
    d = a + rotl<u32>(d + (c ^ (a & (b ^ c))) + 0x4787c62a + x5, 12);
    c = d + rotl<u32>(c + (b ^ (d & (a ^ b))) + 0xa8304613 + x6, 17);
    b = c + rotl<u32>(b + (a ^ (c & (d ^ a))) + 0xfd469501 + x7, 22);
    a = b + rotl<u32>(a + (d ^ (b & (c ^ d))) + 0x698098d8 + x8, 7);
    d = a + rotl<u32>(d + (c ^ (a & (b ^ c))) + 0x8b44f7af + x9, 12);
    c = d + rotl<u32>(c + (b ^ (d & (a ^ b))) + 0xffff5bb1 + x10, 17);
    b = c + rotl<u32>(b + (a ^ (c & (d ^ a))) + 0x895cd7be + x11, 22);
    a = b + rotl<u32>(a + (d ^ (b & (c ^ d))) + 0x6b901122 + x12, 7);
    d = a + rotl<u32>(d + (c ^ (a & (b ^ c))) + 0xfd987193 + x13, 12);
    c = d + rotl<u32>(c + (b ^ (d & (a ^ b))) + 0xa679438e + x14, 17);
    b = c + rotl<u32>(b + (a ^ (c & (d ^ a))) + 0x49b40821 + x15, 22);
    a = b + rotl<u32>(a + (c ^ (d & (b ^ c))) + 0xf61e2562 + x1, 5);
    d = a + rotl<u32>(d + (b ^ (c & (a ^ b))) + 0xc040b340 + x6, 9);
    c = d + rotl<u32>(c + (a ^ (b & (d ^ a))) + 0x265e5a51 + x11, 14);
    b = c + rotl<u32>(b + (d ^ (a & (c ^ d))) + 0xe9b6c7aa + x0, 20);
    a = b + rotl<u32>(a + (c ^ (d & (b ^ c))) + 0xd62f105d + x5, 5);
    d = a + rotl<u32>(d + (b ^ (c & (a ^ b))) + 0x02441453 + x10, 9);
    c = d + rotl<u32>(c + (a ^ (b & (d ^ a))) + 0xd8a1e681 + x15, 14);
    b = c + rotl<u32>(b + (d ^ (a & (c ^ d))) + 0xe7d3fbc8 + x4, 20);
    a = b + rotl<u32>(a + (c ^ (d & (b ^ c))) + 0x21e1cde6 + x9, 5);
    d = a + rotl<u32>(d + (b ^ (c & (a ^ b))) + 0xc33707d6 + x14, 9);
    c = d + rotl<u32>(c + (a ^ (b & (d ^ a))) + 0xf4d50d87 + x3, 14);
    b = c + rotl<u32>(b + (d ^ (a & (c ^ d))) + 0x455a14ed + x8, 20);
    a = b + rotl<u32>(a + (c ^ (d & (b ^ c))) + 0xa9e3e905 + x13, 5);
    d = a + rotl<u32>(d + (b ^ (c & (a ^ b))) + 0xfcefa3f8 + x2, 9);
    c = d + rotl<u32>(c + (a ^ (b & (d ^ a))) + 0x676f02d9 + x7, 14);
    b = c + rotl<u32>(b + (d ^ (a & (c ^ d))) + 0x8d2a4c8a + x12, 20);
    a = b + rotl<u32>(a + (b ^ c ^ d) + 0xfffa3942 + x5, 4);
    d = a + rotl<u32>(d + (a ^ b ^ c) + 0x8771f681 + x8, 11);
    c = d + rotl<u32>(c + (d ^ a ^ b) + 0x6d9d6122 + x11, 16);
    b = c + rotl<u32>(b + (c ^ d ^ a) + 0xfde5380c + x14, 23);
    a = b + rotl<u32>(a + (b ^ c ^ d) + 0xa4beea44 + x1, 4);
    d = a + rotl<u32>(d + (a ^ b ^ c) + 0x4bdecfa9 + x4, 11);
    c = d + rotl<u32>(c + (d ^ a ^ b) + 0xf6bb4b60 + x7, 16);
    b = c + rotl<u32>(b + (c ^ d ^ a) + 0xbebfbc70 + x10, 23);
    a = b + rotl<u32>(a + (b ^ c ^ d) + 0x289b7ec6 + x13, 4);
    d = a + rotl<u32>(d + (a ^ b ^ c) + 0xeaa127fa + x0, 11);
    c = d + rotl<u32>(c + (d ^ a ^ b) + 0xd4ef3085 + x3, 16);
    b = c + rotl<u32>(b + (c ^ d ^ a) + 0x04881d05 + x6, 23);
    a = b + rotl<u32>(a + (b ^ c ^ d) + 0xd9d4d039 + x9, 4);
    d = a + rotl<u32>(d + (a ^ b ^ c) + 0xe6db99e5 + x12, 11);
    c = d + rotl<u32>(c + (d ^ a ^ b) + 0x1fa27cf8 + x15, 16);
    b = c + rotl<u32>(b + (c ^ d ^ a) + 0xc4ac5665 + x2, 23);
    a = b + rotl<u32>(a + (c ^ (b | ~d)) + 0xf4292244 + x0, 6);
    d = a + rotl<u32>(d + (b ^ (a | ~c)) + 0x432aff97 + x7, 10);
    c = d + rotl<u32>(c + (a ^ (d | ~b)) + 0xab9423a7 + x14, 15);
    b = c + rotl<u32>(b + (d ^ (c | ~a)) + 0xfc93a039 + x5, 21);
    a = b + rotl<u32>(a + (c ^ (b | ~d)) + 0x655b59c3 + x12, 6);
    d = a + rotl<u32>(d + (b ^ (a | ~c)) + 0x8f0ccc92 + x3, 10);
    c = d + rotl<u32>(c + (a ^ (d | ~b)) + 0xffeff47d + x10, 15);
    b = c + rotl<u32>(b + (d ^ (c | ~a)) + 0x85845dd1 + x1, 21);
    a = b + rotl<u32>(a + (c ^ (b | ~d)) + 0x6fa87e4f + x8, 6);
    d = a + rotl<u32>(d + (b ^ (a | ~c)) + 0xfe2ce6e0 + x15, 10);
    c = d + rotl<u32>(c + (a ^ (d | ~b)) + 0xa3014314 + x6, 15);
    b = c + rotl<u32>(b + (d ^ (c | ~a)) + 0x4e0811a1 + x13, 21);
    a = b + rotl<u32>(a + (c ^ (b | ~d)) + 0xf7537e82 + x4, 6);
    d = a + rotl<u32>(d + (b ^ (a | ~c)) + 0xbd3af235 + x11, 10);
    c = d + rotl<u32>(c + (a ^ (d | ~b)) + 0x2ad7d2bb + x2, 15);
    b = c + rotl<u32>(b + (d ^ (c | ~a)) + 0xeb86d391 + x9, 21);
    a += load<u32>(st, 0);
    b += load<u32>(st, 4);
    c += load<u32>(st, 8);
    d += load<u32>(st, 12);
    store<u32>(st, a, 0);
    store<u32>(st, b, 4);
    store<u32>(st, c, 8);
    store<u32>(st, d, 12);
    p += 64;
    n--;
  }
}
