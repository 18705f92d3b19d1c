// SHA-256 compression function (FIPS 180-4 §6.2.2), shared by SHA-224 and SHA-256.
//
// The 64 rounds are fully unrolled and the message schedule W is kept in a rolling window of
// 16 locals (w_t for t >= 16 overwrites w_(t mod 16), §6.2.2 step 1), so a block touches linear
// memory only for its 64 input bytes and the 32-byte state. The working variables a..h are
// renamed instead of shifted (§6.2.2 step 3): round t writes to the variable that plays `h`.
// Maj(a, b, c) is computed as b ^ ((a ^ b) & (b ^ c)), carrying a ^ b over to the next round
// (where it is that round's b ^ c) in `y`, which saves one operation per round.
// The round lines were generated mechanically from the FIPS 180-4 tables (K, §4.2.2).

/**
 * Runs the compression function over `n` consecutive 64-byte blocks at `p`, updating the
 * eight 32-bit state words H0..H7 stored (native little-endian u32) at `st`.
 */
export function sha256Blocks(st: usize, p: usize, n: usize): void {
  let a: u32 = load<u32>(st, 0);
  let b: u32 = load<u32>(st, 4);
  let c: u32 = load<u32>(st, 8);
  let d: u32 = load<u32>(st, 12);
  let e: u32 = load<u32>(st, 16);
  let f: u32 = load<u32>(st, 20);
  let g: u32 = load<u32>(st, 24);
  let h: u32 = load<u32>(st, 28);
  let t: u32, x: u32, y: u32;
  while (n) {
    y = b ^ c;
    let w0: u32 = bswap<u32>(load<u32>(p, 0));
    let w1: u32 = bswap<u32>(load<u32>(p, 4));
    let w2: u32 = bswap<u32>(load<u32>(p, 8));
    let w3: u32 = bswap<u32>(load<u32>(p, 12));
    let w4: u32 = bswap<u32>(load<u32>(p, 16));
    let w5: u32 = bswap<u32>(load<u32>(p, 20));
    let w6: u32 = bswap<u32>(load<u32>(p, 24));
    let w7: u32 = bswap<u32>(load<u32>(p, 28));
    let w8: u32 = bswap<u32>(load<u32>(p, 32));
    let w9: u32 = bswap<u32>(load<u32>(p, 36));
    let w10: u32 = bswap<u32>(load<u32>(p, 40));
    let w11: u32 = bswap<u32>(load<u32>(p, 44));
    let w12: u32 = bswap<u32>(load<u32>(p, 48));
    let w13: u32 = bswap<u32>(load<u32>(p, 52));
    let w14: u32 = bswap<u32>(load<u32>(p, 56));
    let w15: u32 = bswap<u32>(load<u32>(p, 60));
    t = h + (rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25)) + (g ^ (e & (f ^ g))) + 0x428a2f98 + w0; d += t; x = a ^ b; h = t + (rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22)) + (b ^ (x & y)); y = x;
    t = g + (rotr<u32>(d, 6) ^ rotr<u32>(d, 11) ^ rotr<u32>(d, 25)) + (f ^ (d & (e ^ f))) + 0x71374491 + w1; c += t; x = h ^ a; g = t + (rotr<u32>(h, 2) ^ rotr<u32>(h, 13) ^ rotr<u32>(h, 22)) + (a ^ (x & y)); y = x;
    t = f + (rotr<u32>(c, 6) ^ rotr<u32>(c, 11) ^ rotr<u32>(c, 25)) + (e ^ (c & (d ^ e))) + 0xb5c0fbcf + w2; b += t; x = g ^ h; f = t + (rotr<u32>(g, 2) ^ rotr<u32>(g, 13) ^ rotr<u32>(g, 22)) + (h ^ (x & y)); y = x;
    t = e + (rotr<u32>(b, 6) ^ rotr<u32>(b, 11) ^ rotr<u32>(b, 25)) + (d ^ (b & (c ^ d))) + 0xe9b5dba5 + w3; a += t; x = f ^ g; e = t + (rotr<u32>(f, 2) ^ rotr<u32>(f, 13) ^ rotr<u32>(f, 22)) + (g ^ (x & y)); y = x;
    t = d + (rotr<u32>(a, 6) ^ rotr<u32>(a, 11) ^ rotr<u32>(a, 25)) + (c ^ (a & (b ^ c))) + 0x3956c25b + w4; h += t; x = e ^ f; d = t + (rotr<u32>(e, 2) ^ rotr<u32>(e, 13) ^ rotr<u32>(e, 22)) + (f ^ (x & y)); y = x;
    t = c + (rotr<u32>(h, 6) ^ rotr<u32>(h, 11) ^ rotr<u32>(h, 25)) + (b ^ (h & (a ^ b))) + 0x59f111f1 + w5; g += t; x = d ^ e; c = t + (rotr<u32>(d, 2) ^ rotr<u32>(d, 13) ^ rotr<u32>(d, 22)) + (e ^ (x & y)); y = x;
    t = b + (rotr<u32>(g, 6) ^ rotr<u32>(g, 11) ^ rotr<u32>(g, 25)) + (a ^ (g & (h ^ a))) + 0x923f82a4 + w6; f += t; x = c ^ d; b = t + (rotr<u32>(c, 2) ^ rotr<u32>(c, 13) ^ rotr<u32>(c, 22)) + (d ^ (x & y)); y = x;
    t = a + (rotr<u32>(f, 6) ^ rotr<u32>(f, 11) ^ rotr<u32>(f, 25)) + (h ^ (f & (g ^ h))) + 0xab1c5ed5 + w7; e += t; x = b ^ c; a = t + (rotr<u32>(b, 2) ^ rotr<u32>(b, 13) ^ rotr<u32>(b, 22)) + (c ^ (x & y)); y = x;
    t = h + (rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25)) + (g ^ (e & (f ^ g))) + 0xd807aa98 + w8; d += t; x = a ^ b; h = t + (rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22)) + (b ^ (x & y)); y = x;
    t = g + (rotr<u32>(d, 6) ^ rotr<u32>(d, 11) ^ rotr<u32>(d, 25)) + (f ^ (d & (e ^ f))) + 0x12835b01 + w9; c += t; x = h ^ a; g = t + (rotr<u32>(h, 2) ^ rotr<u32>(h, 13) ^ rotr<u32>(h, 22)) + (a ^ (x & y)); y = x;
    t = f + (rotr<u32>(c, 6) ^ rotr<u32>(c, 11) ^ rotr<u32>(c, 25)) + (e ^ (c & (d ^ e))) + 0x243185be + w10; b += t; x = g ^ h; f = t + (rotr<u32>(g, 2) ^ rotr<u32>(g, 13) ^ rotr<u32>(g, 22)) + (h ^ (x & y)); y = x;
    t = e + (rotr<u32>(b, 6) ^ rotr<u32>(b, 11) ^ rotr<u32>(b, 25)) + (d ^ (b & (c ^ d))) + 0x550c7dc3 + w11; a += t; x = f ^ g; e = t + (rotr<u32>(f, 2) ^ rotr<u32>(f, 13) ^ rotr<u32>(f, 22)) + (g ^ (x & y)); y = x;
    t = d + (rotr<u32>(a, 6) ^ rotr<u32>(a, 11) ^ rotr<u32>(a, 25)) + (c ^ (a & (b ^ c))) + 0x72be5d74 + w12; h += t; x = e ^ f; d = t + (rotr<u32>(e, 2) ^ rotr<u32>(e, 13) ^ rotr<u32>(e, 22)) + (f ^ (x & y)); y = x;
    t = c + (rotr<u32>(h, 6) ^ rotr<u32>(h, 11) ^ rotr<u32>(h, 25)) + (b ^ (h & (a ^ b))) + 0x80deb1fe + w13; g += t; x = d ^ e; c = t + (rotr<u32>(d, 2) ^ rotr<u32>(d, 13) ^ rotr<u32>(d, 22)) + (e ^ (x & y)); y = x;
    t = b + (rotr<u32>(g, 6) ^ rotr<u32>(g, 11) ^ rotr<u32>(g, 25)) + (a ^ (g & (h ^ a))) + 0x9bdc06a7 + w14; f += t; x = c ^ d; b = t + (rotr<u32>(c, 2) ^ rotr<u32>(c, 13) ^ rotr<u32>(c, 22)) + (d ^ (x & y)); y = x;
    t = a + (rotr<u32>(f, 6) ^ rotr<u32>(f, 11) ^ rotr<u32>(f, 25)) + (h ^ (f & (g ^ h))) + 0xc19bf174 + w15; e += t; x = b ^ c; a = t + (rotr<u32>(b, 2) ^ rotr<u32>(b, 13) ^ rotr<u32>(b, 22)) + (c ^ (x & y)); y = x;
    w0 += (rotr<u32>(w14, 17) ^ rotr<u32>(w14, 19) ^ (w14 >>> 10)) + w9 + (rotr<u32>(w1, 7) ^ rotr<u32>(w1, 18) ^ (w1 >>> 3));
    t = h + (rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25)) + (g ^ (e & (f ^ g))) + 0xe49b69c1 + w0; d += t; x = a ^ b; h = t + (rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22)) + (b ^ (x & y)); y = x;
    w1 += (rotr<u32>(w15, 17) ^ rotr<u32>(w15, 19) ^ (w15 >>> 10)) + w10 + (rotr<u32>(w2, 7) ^ rotr<u32>(w2, 18) ^ (w2 >>> 3));
    t = g + (rotr<u32>(d, 6) ^ rotr<u32>(d, 11) ^ rotr<u32>(d, 25)) + (f ^ (d & (e ^ f))) + 0xefbe4786 + w1; c += t; x = h ^ a; g = t + (rotr<u32>(h, 2) ^ rotr<u32>(h, 13) ^ rotr<u32>(h, 22)) + (a ^ (x & y)); y = x;
    w2 += (rotr<u32>(w0, 17) ^ rotr<u32>(w0, 19) ^ (w0 >>> 10)) + w11 + (rotr<u32>(w3, 7) ^ rotr<u32>(w3, 18) ^ (w3 >>> 3));
    t = f + (rotr<u32>(c, 6) ^ rotr<u32>(c, 11) ^ rotr<u32>(c, 25)) + (e ^ (c & (d ^ e))) + 0x0fc19dc6 + w2; b += t; x = g ^ h; f = t + (rotr<u32>(g, 2) ^ rotr<u32>(g, 13) ^ rotr<u32>(g, 22)) + (h ^ (x & y)); y = x;
    w3 += (rotr<u32>(w1, 17) ^ rotr<u32>(w1, 19) ^ (w1 >>> 10)) + w12 + (rotr<u32>(w4, 7) ^ rotr<u32>(w4, 18) ^ (w4 >>> 3));
    t = e + (rotr<u32>(b, 6) ^ rotr<u32>(b, 11) ^ rotr<u32>(b, 25)) + (d ^ (b & (c ^ d))) + 0x240ca1cc + w3; a += t; x = f ^ g; e = t + (rotr<u32>(f, 2) ^ rotr<u32>(f, 13) ^ rotr<u32>(f, 22)) + (g ^ (x & y)); y = x;
    w4 += (rotr<u32>(w2, 17) ^ rotr<u32>(w2, 19) ^ (w2 >>> 10)) + w13 + (rotr<u32>(w5, 7) ^ rotr<u32>(w5, 18) ^ (w5 >>> 3));
    t = d + (rotr<u32>(a, 6) ^ rotr<u32>(a, 11) ^ rotr<u32>(a, 25)) + (c ^ (a & (b ^ c))) + 0x2de92c6f + w4; h += t; x = e ^ f; d = t + (rotr<u32>(e, 2) ^ rotr<u32>(e, 13) ^ rotr<u32>(e, 22)) + (f ^ (x & y)); y = x;
    w5 += (rotr<u32>(w3, 17) ^ rotr<u32>(w3, 19) ^ (w3 >>> 10)) + w14 + (rotr<u32>(w6, 7) ^ rotr<u32>(w6, 18) ^ (w6 >>> 3));
    t = c + (rotr<u32>(h, 6) ^ rotr<u32>(h, 11) ^ rotr<u32>(h, 25)) + (b ^ (h & (a ^ b))) + 0x4a7484aa + w5; g += t; x = d ^ e; c = t + (rotr<u32>(d, 2) ^ rotr<u32>(d, 13) ^ rotr<u32>(d, 22)) + (e ^ (x & y)); y = x;
    w6 += (rotr<u32>(w4, 17) ^ rotr<u32>(w4, 19) ^ (w4 >>> 10)) + w15 + (rotr<u32>(w7, 7) ^ rotr<u32>(w7, 18) ^ (w7 >>> 3));
    t = b + (rotr<u32>(g, 6) ^ rotr<u32>(g, 11) ^ rotr<u32>(g, 25)) + (a ^ (g & (h ^ a))) + 0x5cb0a9dc + w6; f += t; x = c ^ d; b = t + (rotr<u32>(c, 2) ^ rotr<u32>(c, 13) ^ rotr<u32>(c, 22)) + (d ^ (x & y)); y = x;
    w7 += (rotr<u32>(w5, 17) ^ rotr<u32>(w5, 19) ^ (w5 >>> 10)) + w0 + (rotr<u32>(w8, 7) ^ rotr<u32>(w8, 18) ^ (w8 >>> 3));
    t = a + (rotr<u32>(f, 6) ^ rotr<u32>(f, 11) ^ rotr<u32>(f, 25)) + (h ^ (f & (g ^ h))) + 0x76f988da + w7; e += t; x = b ^ c; a = t + (rotr<u32>(b, 2) ^ rotr<u32>(b, 13) ^ rotr<u32>(b, 22)) + (c ^ (x & y)); y = x;
    w8 += (rotr<u32>(w6, 17) ^ rotr<u32>(w6, 19) ^ (w6 >>> 10)) + w1 + (rotr<u32>(w9, 7) ^ rotr<u32>(w9, 18) ^ (w9 >>> 3));
    t = h + (rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25)) + (g ^ (e & (f ^ g))) + 0x983e5152 + w8; d += t; x = a ^ b; h = t + (rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22)) + (b ^ (x & y)); y = x;
    w9 += (rotr<u32>(w7, 17) ^ rotr<u32>(w7, 19) ^ (w7 >>> 10)) + w2 + (rotr<u32>(w10, 7) ^ rotr<u32>(w10, 18) ^ (w10 >>> 3));
    t = g + (rotr<u32>(d, 6) ^ rotr<u32>(d, 11) ^ rotr<u32>(d, 25)) + (f ^ (d & (e ^ f))) + 0xa831c66d + w9; c += t; x = h ^ a; g = t + (rotr<u32>(h, 2) ^ rotr<u32>(h, 13) ^ rotr<u32>(h, 22)) + (a ^ (x & y)); y = x;
    w10 += (rotr<u32>(w8, 17) ^ rotr<u32>(w8, 19) ^ (w8 >>> 10)) + w3 + (rotr<u32>(w11, 7) ^ rotr<u32>(w11, 18) ^ (w11 >>> 3));
    t = f + (rotr<u32>(c, 6) ^ rotr<u32>(c, 11) ^ rotr<u32>(c, 25)) + (e ^ (c & (d ^ e))) + 0xb00327c8 + w10; b += t; x = g ^ h; f = t + (rotr<u32>(g, 2) ^ rotr<u32>(g, 13) ^ rotr<u32>(g, 22)) + (h ^ (x & y)); y = x;
    w11 += (rotr<u32>(w9, 17) ^ rotr<u32>(w9, 19) ^ (w9 >>> 10)) + w4 + (rotr<u32>(w12, 7) ^ rotr<u32>(w12, 18) ^ (w12 >>> 3));
    t = e + (rotr<u32>(b, 6) ^ rotr<u32>(b, 11) ^ rotr<u32>(b, 25)) + (d ^ (b & (c ^ d))) + 0xbf597fc7 + w11; a += t; x = f ^ g; e = t + (rotr<u32>(f, 2) ^ rotr<u32>(f, 13) ^ rotr<u32>(f, 22)) + (g ^ (x & y)); y = x;
    w12 += (rotr<u32>(w10, 17) ^ rotr<u32>(w10, 19) ^ (w10 >>> 10)) + w5 + (rotr<u32>(w13, 7) ^ rotr<u32>(w13, 18) ^ (w13 >>> 3));
    t = d + (rotr<u32>(a, 6) ^ rotr<u32>(a, 11) ^ rotr<u32>(a, 25)) + (c ^ (a & (b ^ c))) + 0xc6e00bf3 + w12; h += t; x = e ^ f; d = t + (rotr<u32>(e, 2) ^ rotr<u32>(e, 13) ^ rotr<u32>(e, 22)) + (f ^ (x & y)); y = x;
    w13 += (rotr<u32>(w11, 17) ^ rotr<u32>(w11, 19) ^ (w11 >>> 10)) + w6 + (rotr<u32>(w14, 7) ^ rotr<u32>(w14, 18) ^ (w14 >>> 3));
    t = c + (rotr<u32>(h, 6) ^ rotr<u32>(h, 11) ^ rotr<u32>(h, 25)) + (b ^ (h & (a ^ b))) + 0xd5a79147 + w13; g += t; x = d ^ e; c = t + (rotr<u32>(d, 2) ^ rotr<u32>(d, 13) ^ rotr<u32>(d, 22)) + (e ^ (x & y)); y = x;
    w14 += (rotr<u32>(w12, 17) ^ rotr<u32>(w12, 19) ^ (w12 >>> 10)) + w7 + (rotr<u32>(w15, 7) ^ rotr<u32>(w15, 18) ^ (w15 >>> 3));
    t = b + (rotr<u32>(g, 6) ^ rotr<u32>(g, 11) ^ rotr<u32>(g, 25)) + (a ^ (g & (h ^ a))) + 0x06ca6351 + w14; f += t; x = c ^ d; b = t + (rotr<u32>(c, 2) ^ rotr<u32>(c, 13) ^ rotr<u32>(c, 22)) + (d ^ (x & y)); y = x;
    w15 += (rotr<u32>(w13, 17) ^ rotr<u32>(w13, 19) ^ (w13 >>> 10)) + w8 + (rotr<u32>(w0, 7) ^ rotr<u32>(w0, 18) ^ (w0 >>> 3));
    t = a + (rotr<u32>(f, 6) ^ rotr<u32>(f, 11) ^ rotr<u32>(f, 25)) + (h ^ (f & (g ^ h))) + 0x14292967 + w15; e += t; x = b ^ c; a = t + (rotr<u32>(b, 2) ^ rotr<u32>(b, 13) ^ rotr<u32>(b, 22)) + (c ^ (x & y)); y = x;
    w0 += (rotr<u32>(w14, 17) ^ rotr<u32>(w14, 19) ^ (w14 >>> 10)) + w9 + (rotr<u32>(w1, 7) ^ rotr<u32>(w1, 18) ^ (w1 >>> 3));
    t = h + (rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25)) + (g ^ (e & (f ^ g))) + 0x27b70a85 + w0; d += t; x = a ^ b; h = t + (rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22)) + (b ^ (x & y)); y = x;
    w1 += (rotr<u32>(w15, 17) ^ rotr<u32>(w15, 19) ^ (w15 >>> 10)) + w10 + (rotr<u32>(w2, 7) ^ rotr<u32>(w2, 18) ^ (w2 >>> 3));
    t = g + (rotr<u32>(d, 6) ^ rotr<u32>(d, 11) ^ rotr<u32>(d, 25)) + (f ^ (d & (e ^ f))) + 0x2e1b2138 + w1; c += t; x = h ^ a; g = t + (rotr<u32>(h, 2) ^ rotr<u32>(h, 13) ^ rotr<u32>(h, 22)) + (a ^ (x & y)); y = x;
    w2 += (rotr<u32>(w0, 17) ^ rotr<u32>(w0, 19) ^ (w0 >>> 10)) + w11 + (rotr<u32>(w3, 7) ^ rotr<u32>(w3, 18) ^ (w3 >>> 3));
    t = f + (rotr<u32>(c, 6) ^ rotr<u32>(c, 11) ^ rotr<u32>(c, 25)) + (e ^ (c & (d ^ e))) + 0x4d2c6dfc + w2; b += t; x = g ^ h; f = t + (rotr<u32>(g, 2) ^ rotr<u32>(g, 13) ^ rotr<u32>(g, 22)) + (h ^ (x & y)); y = x;
    w3 += (rotr<u32>(w1, 17) ^ rotr<u32>(w1, 19) ^ (w1 >>> 10)) + w12 + (rotr<u32>(w4, 7) ^ rotr<u32>(w4, 18) ^ (w4 >>> 3));
    t = e + (rotr<u32>(b, 6) ^ rotr<u32>(b, 11) ^ rotr<u32>(b, 25)) + (d ^ (b & (c ^ d))) + 0x53380d13 + w3; a += t; x = f ^ g; e = t + (rotr<u32>(f, 2) ^ rotr<u32>(f, 13) ^ rotr<u32>(f, 22)) + (g ^ (x & y)); y = x;
    w4 += (rotr<u32>(w2, 17) ^ rotr<u32>(w2, 19) ^ (w2 >>> 10)) + w13 + (rotr<u32>(w5, 7) ^ rotr<u32>(w5, 18) ^ (w5 >>> 3));
    t = d + (rotr<u32>(a, 6) ^ rotr<u32>(a, 11) ^ rotr<u32>(a, 25)) + (c ^ (a & (b ^ c))) + 0x650a7354 + w4; h += t; x = e ^ f; d = t + (rotr<u32>(e, 2) ^ rotr<u32>(e, 13) ^ rotr<u32>(e, 22)) + (f ^ (x & y)); y = x;
    w5 += (rotr<u32>(w3, 17) ^ rotr<u32>(w3, 19) ^ (w3 >>> 10)) + w14 + (rotr<u32>(w6, 7) ^ rotr<u32>(w6, 18) ^ (w6 >>> 3));
    t = c + (rotr<u32>(h, 6) ^ rotr<u32>(h, 11) ^ rotr<u32>(h, 25)) + (b ^ (h & (a ^ b))) + 0x766a0abb + w5; g += t; x = d ^ e; c = t + (rotr<u32>(d, 2) ^ rotr<u32>(d, 13) ^ rotr<u32>(d, 22)) + (e ^ (x & y)); y = x;
    w6 += (rotr<u32>(w4, 17) ^ rotr<u32>(w4, 19) ^ (w4 >>> 10)) + w15 + (rotr<u32>(w7, 7) ^ rotr<u32>(w7, 18) ^ (w7 >>> 3));
    t = b + (rotr<u32>(g, 6) ^ rotr<u32>(g, 11) ^ rotr<u32>(g, 25)) + (a ^ (g & (h ^ a))) + 0x81c2c92e + w6; f += t; x = c ^ d; b = t + (rotr<u32>(c, 2) ^ rotr<u32>(c, 13) ^ rotr<u32>(c, 22)) + (d ^ (x & y)); y = x;
    w7 += (rotr<u32>(w5, 17) ^ rotr<u32>(w5, 19) ^ (w5 >>> 10)) + w0 + (rotr<u32>(w8, 7) ^ rotr<u32>(w8, 18) ^ (w8 >>> 3));
    t = a + (rotr<u32>(f, 6) ^ rotr<u32>(f, 11) ^ rotr<u32>(f, 25)) + (h ^ (f & (g ^ h))) + 0x92722c85 + w7; e += t; x = b ^ c; a = t + (rotr<u32>(b, 2) ^ rotr<u32>(b, 13) ^ rotr<u32>(b, 22)) + (c ^ (x & y)); y = x;
    w8 += (rotr<u32>(w6, 17) ^ rotr<u32>(w6, 19) ^ (w6 >>> 10)) + w1 + (rotr<u32>(w9, 7) ^ rotr<u32>(w9, 18) ^ (w9 >>> 3));
    t = h + (rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25)) + (g ^ (e & (f ^ g))) + 0xa2bfe8a1 + w8; d += t; x = a ^ b; h = t + (rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22)) + (b ^ (x & y)); y = x;
    w9 += (rotr<u32>(w7, 17) ^ rotr<u32>(w7, 19) ^ (w7 >>> 10)) + w2 + (rotr<u32>(w10, 7) ^ rotr<u32>(w10, 18) ^ (w10 >>> 3));
    t = g + (rotr<u32>(d, 6) ^ rotr<u32>(d, 11) ^ rotr<u32>(d, 25)) + (f ^ (d & (e ^ f))) + 0xa81a664b + w9; c += t; x = h ^ a; g = t + (rotr<u32>(h, 2) ^ rotr<u32>(h, 13) ^ rotr<u32>(h, 22)) + (a ^ (x & y)); y = x;
    w10 += (rotr<u32>(w8, 17) ^ rotr<u32>(w8, 19) ^ (w8 >>> 10)) + w3 + (rotr<u32>(w11, 7) ^ rotr<u32>(w11, 18) ^ (w11 >>> 3));
    t = f + (rotr<u32>(c, 6) ^ rotr<u32>(c, 11) ^ rotr<u32>(c, 25)) + (e ^ (c & (d ^ e))) + 0xc24b8b70 + w10; b += t; x = g ^ h; f = t + (rotr<u32>(g, 2) ^ rotr<u32>(g, 13) ^ rotr<u32>(g, 22)) + (h ^ (x & y)); y = x;
    w11 += (rotr<u32>(w9, 17) ^ rotr<u32>(w9, 19) ^ (w9 >>> 10)) + w4 + (rotr<u32>(w12, 7) ^ rotr<u32>(w12, 18) ^ (w12 >>> 3));
    t = e + (rotr<u32>(b, 6) ^ rotr<u32>(b, 11) ^ rotr<u32>(b, 25)) + (d ^ (b & (c ^ d))) + 0xc76c51a3 + w11; a += t; x = f ^ g; e = t + (rotr<u32>(f, 2) ^ rotr<u32>(f, 13) ^ rotr<u32>(f, 22)) + (g ^ (x & y)); y = x;
    w12 += (rotr<u32>(w10, 17) ^ rotr<u32>(w10, 19) ^ (w10 >>> 10)) + w5 + (rotr<u32>(w13, 7) ^ rotr<u32>(w13, 18) ^ (w13 >>> 3));
    t = d + (rotr<u32>(a, 6) ^ rotr<u32>(a, 11) ^ rotr<u32>(a, 25)) + (c ^ (a & (b ^ c))) + 0xd192e819 + w12; h += t; x = e ^ f; d = t + (rotr<u32>(e, 2) ^ rotr<u32>(e, 13) ^ rotr<u32>(e, 22)) + (f ^ (x & y)); y = x;
    w13 += (rotr<u32>(w11, 17) ^ rotr<u32>(w11, 19) ^ (w11 >>> 10)) + w6 + (rotr<u32>(w14, 7) ^ rotr<u32>(w14, 18) ^ (w14 >>> 3));
    t = c + (rotr<u32>(h, 6) ^ rotr<u32>(h, 11) ^ rotr<u32>(h, 25)) + (b ^ (h & (a ^ b))) + 0xd6990624 + w13; g += t; x = d ^ e; c = t + (rotr<u32>(d, 2) ^ rotr<u32>(d, 13) ^ rotr<u32>(d, 22)) + (e ^ (x & y)); y = x;
    w14 += (rotr<u32>(w12, 17) ^ rotr<u32>(w12, 19) ^ (w12 >>> 10)) + w7 + (rotr<u32>(w15, 7) ^ rotr<u32>(w15, 18) ^ (w15 >>> 3));
    t = b + (rotr<u32>(g, 6) ^ rotr<u32>(g, 11) ^ rotr<u32>(g, 25)) + (a ^ (g & (h ^ a))) + 0xf40e3585 + w14; f += t; x = c ^ d; b = t + (rotr<u32>(c, 2) ^ rotr<u32>(c, 13) ^ rotr<u32>(c, 22)) + (d ^ (x & y)); y = x;
    w15 += (rotr<u32>(w13, 17) ^ rotr<u32>(w13, 19) ^ (w13 >>> 10)) + w8 + (rotr<u32>(w0, 7) ^ rotr<u32>(w0, 18) ^ (w0 >>> 3));
    t = a + (rotr<u32>(f, 6) ^ rotr<u32>(f, 11) ^ rotr<u32>(f, 25)) + (h ^ (f & (g ^ h))) + 0x106aa070 + w15; e += t; x = b ^ c; a = t + (rotr<u32>(b, 2) ^ rotr<u32>(b, 13) ^ rotr<u32>(b, 22)) + (c ^ (x & y)); y = x;
    w0 += (rotr<u32>(w14, 17) ^ rotr<u32>(w14, 19) ^ (w14 >>> 10)) + w9 + (rotr<u32>(w1, 7) ^ rotr<u32>(w1, 18) ^ (w1 >>> 3));
    t = h + (rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25)) + (g ^ (e & (f ^ g))) + 0x19a4c116 + w0; d += t; x = a ^ b; h = t + (rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22)) + (b ^ (x & y)); y = x;
    w1 += (rotr<u32>(w15, 17) ^ rotr<u32>(w15, 19) ^ (w15 >>> 10)) + w10 + (rotr<u32>(w2, 7) ^ rotr<u32>(w2, 18) ^ (w2 >>> 3));
    t = g + (rotr<u32>(d, 6) ^ rotr<u32>(d, 11) ^ rotr<u32>(d, 25)) + (f ^ (d & (e ^ f))) + 0x1e376c08 + w1; c += t; x = h ^ a; g = t + (rotr<u32>(h, 2) ^ rotr<u32>(h, 13) ^ rotr<u32>(h, 22)) + (a ^ (x & y)); y = x;
    w2 += (rotr<u32>(w0, 17) ^ rotr<u32>(w0, 19) ^ (w0 >>> 10)) + w11 + (rotr<u32>(w3, 7) ^ rotr<u32>(w3, 18) ^ (w3 >>> 3));
    t = f + (rotr<u32>(c, 6) ^ rotr<u32>(c, 11) ^ rotr<u32>(c, 25)) + (e ^ (c & (d ^ e))) + 0x2748774c + w2; b += t; x = g ^ h; f = t + (rotr<u32>(g, 2) ^ rotr<u32>(g, 13) ^ rotr<u32>(g, 22)) + (h ^ (x & y)); y = x;
    w3 += (rotr<u32>(w1, 17) ^ rotr<u32>(w1, 19) ^ (w1 >>> 10)) + w12 + (rotr<u32>(w4, 7) ^ rotr<u32>(w4, 18) ^ (w4 >>> 3));
    t = e + (rotr<u32>(b, 6) ^ rotr<u32>(b, 11) ^ rotr<u32>(b, 25)) + (d ^ (b & (c ^ d))) + 0x34b0bcb5 + w3; a += t; x = f ^ g; e = t + (rotr<u32>(f, 2) ^ rotr<u32>(f, 13) ^ rotr<u32>(f, 22)) + (g ^ (x & y)); y = x;
    w4 += (rotr<u32>(w2, 17) ^ rotr<u32>(w2, 19) ^ (w2 >>> 10)) + w13 + (rotr<u32>(w5, 7) ^ rotr<u32>(w5, 18) ^ (w5 >>> 3));
    t = d + (rotr<u32>(a, 6) ^ rotr<u32>(a, 11) ^ rotr<u32>(a, 25)) + (c ^ (a & (b ^ c))) + 0x391c0cb3 + w4; h += t; x = e ^ f; d = t + (rotr<u32>(e, 2) ^ rotr<u32>(e, 13) ^ rotr<u32>(e, 22)) + (f ^ (x & y)); y = x;
    w5 += (rotr<u32>(w3, 17) ^ rotr<u32>(w3, 19) ^ (w3 >>> 10)) + w14 + (rotr<u32>(w6, 7) ^ rotr<u32>(w6, 18) ^ (w6 >>> 3));
    t = c + (rotr<u32>(h, 6) ^ rotr<u32>(h, 11) ^ rotr<u32>(h, 25)) + (b ^ (h & (a ^ b))) + 0x4ed8aa4a + w5; g += t; x = d ^ e; c = t + (rotr<u32>(d, 2) ^ rotr<u32>(d, 13) ^ rotr<u32>(d, 22)) + (e ^ (x & y)); y = x;
    w6 += (rotr<u32>(w4, 17) ^ rotr<u32>(w4, 19) ^ (w4 >>> 10)) + w15 + (rotr<u32>(w7, 7) ^ rotr<u32>(w7, 18) ^ (w7 >>> 3));
    t = b + (rotr<u32>(g, 6) ^ rotr<u32>(g, 11) ^ rotr<u32>(g, 25)) + (a ^ (g & (h ^ a))) + 0x5b9cca4f + w6; f += t; x = c ^ d; b = t + (rotr<u32>(c, 2) ^ rotr<u32>(c, 13) ^ rotr<u32>(c, 22)) + (d ^ (x & y)); y = x;
    w7 += (rotr<u32>(w5, 17) ^ rotr<u32>(w5, 19) ^ (w5 >>> 10)) + w0 + (rotr<u32>(w8, 7) ^ rotr<u32>(w8, 18) ^ (w8 >>> 3));
    t = a + (rotr<u32>(f, 6) ^ rotr<u32>(f, 11) ^ rotr<u32>(f, 25)) + (h ^ (f & (g ^ h))) + 0x682e6ff3 + w7; e += t; x = b ^ c; a = t + (rotr<u32>(b, 2) ^ rotr<u32>(b, 13) ^ rotr<u32>(b, 22)) + (c ^ (x & y)); y = x;
    w8 += (rotr<u32>(w6, 17) ^ rotr<u32>(w6, 19) ^ (w6 >>> 10)) + w1 + (rotr<u32>(w9, 7) ^ rotr<u32>(w9, 18) ^ (w9 >>> 3));
    t = h + (rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25)) + (g ^ (e & (f ^ g))) + 0x748f82ee + w8; d += t; x = a ^ b; h = t + (rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22)) + (b ^ (x & y)); y = x;
    w9 += (rotr<u32>(w7, 17) ^ rotr<u32>(w7, 19) ^ (w7 >>> 10)) + w2 + (rotr<u32>(w10, 7) ^ rotr<u32>(w10, 18) ^ (w10 >>> 3));
    t = g + (rotr<u32>(d, 6) ^ rotr<u32>(d, 11) ^ rotr<u32>(d, 25)) + (f ^ (d & (e ^ f))) + 0x78a5636f + w9; c += t; x = h ^ a; g = t + (rotr<u32>(h, 2) ^ rotr<u32>(h, 13) ^ rotr<u32>(h, 22)) + (a ^ (x & y)); y = x;
    w10 += (rotr<u32>(w8, 17) ^ rotr<u32>(w8, 19) ^ (w8 >>> 10)) + w3 + (rotr<u32>(w11, 7) ^ rotr<u32>(w11, 18) ^ (w11 >>> 3));
    t = f + (rotr<u32>(c, 6) ^ rotr<u32>(c, 11) ^ rotr<u32>(c, 25)) + (e ^ (c & (d ^ e))) + 0x84c87814 + w10; b += t; x = g ^ h; f = t + (rotr<u32>(g, 2) ^ rotr<u32>(g, 13) ^ rotr<u32>(g, 22)) + (h ^ (x & y)); y = x;
    w11 += (rotr<u32>(w9, 17) ^ rotr<u32>(w9, 19) ^ (w9 >>> 10)) + w4 + (rotr<u32>(w12, 7) ^ rotr<u32>(w12, 18) ^ (w12 >>> 3));
    t = e + (rotr<u32>(b, 6) ^ rotr<u32>(b, 11) ^ rotr<u32>(b, 25)) + (d ^ (b & (c ^ d))) + 0x8cc70208 + w11; a += t; x = f ^ g; e = t + (rotr<u32>(f, 2) ^ rotr<u32>(f, 13) ^ rotr<u32>(f, 22)) + (g ^ (x & y)); y = x;
    w12 += (rotr<u32>(w10, 17) ^ rotr<u32>(w10, 19) ^ (w10 >>> 10)) + w5 + (rotr<u32>(w13, 7) ^ rotr<u32>(w13, 18) ^ (w13 >>> 3));
    t = d + (rotr<u32>(a, 6) ^ rotr<u32>(a, 11) ^ rotr<u32>(a, 25)) + (c ^ (a & (b ^ c))) + 0x90befffa + w12; h += t; x = e ^ f; d = t + (rotr<u32>(e, 2) ^ rotr<u32>(e, 13) ^ rotr<u32>(e, 22)) + (f ^ (x & y)); y = x;
    w13 += (rotr<u32>(w11, 17) ^ rotr<u32>(w11, 19) ^ (w11 >>> 10)) + w6 + (rotr<u32>(w14, 7) ^ rotr<u32>(w14, 18) ^ (w14 >>> 3));
    t = c + (rotr<u32>(h, 6) ^ rotr<u32>(h, 11) ^ rotr<u32>(h, 25)) + (b ^ (h & (a ^ b))) + 0xa4506ceb + w13; g += t; x = d ^ e; c = t + (rotr<u32>(d, 2) ^ rotr<u32>(d, 13) ^ rotr<u32>(d, 22)) + (e ^ (x & y)); y = x;
    w14 += (rotr<u32>(w12, 17) ^ rotr<u32>(w12, 19) ^ (w12 >>> 10)) + w7 + (rotr<u32>(w15, 7) ^ rotr<u32>(w15, 18) ^ (w15 >>> 3));
    t = b + (rotr<u32>(g, 6) ^ rotr<u32>(g, 11) ^ rotr<u32>(g, 25)) + (a ^ (g & (h ^ a))) + 0xbef9a3f7 + w14; f += t; x = c ^ d; b = t + (rotr<u32>(c, 2) ^ rotr<u32>(c, 13) ^ rotr<u32>(c, 22)) + (d ^ (x & y)); y = x;
    w15 += (rotr<u32>(w13, 17) ^ rotr<u32>(w13, 19) ^ (w13 >>> 10)) + w8 + (rotr<u32>(w0, 7) ^ rotr<u32>(w0, 18) ^ (w0 >>> 3));
    t = a + (rotr<u32>(f, 6) ^ rotr<u32>(f, 11) ^ rotr<u32>(f, 25)) + (h ^ (f & (g ^ h))) + 0xc67178f2 + w15; e += t; x = b ^ c; a = t + (rotr<u32>(b, 2) ^ rotr<u32>(b, 13) ^ rotr<u32>(b, 22)) + (c ^ (x & y)); y = x;
    a += load<u32>(st, 0);
    b += load<u32>(st, 4);
    c += load<u32>(st, 8);
    d += load<u32>(st, 12);
    e += load<u32>(st, 16);
    f += load<u32>(st, 20);
    g += load<u32>(st, 24);
    h += load<u32>(st, 28);
    store<u32>(st, a, 0);
    store<u32>(st, b, 4);
    store<u32>(st, c, 8);
    store<u32>(st, d, 12);
    store<u32>(st, e, 16);
    store<u32>(st, f, 20);
    store<u32>(st, g, 24);
    store<u32>(st, h, 28);
    p += 64;
    n--;
  }
}
