// The private-key cache: what a two-prime private key costs to prepare, kept between calls.
//
// A private operation (RSADP/RSASP1 with the CRT, RFC 8017 §5.1.2) on a key already seen
// skips the DER parsing and validation (key.ts), the Montgomery constants R, R², R³ mod p
// (and mod q) and qInv·R mod p of the engine (bn/mont.ts), and the fresh blinding pair with
// its inversion:
// like OpenSSL's BN_BLINDING_update, the pair (r^e, r^-1; one random r per prime) is
// refreshed by squaring both (r ← r²) after each use, and replaced by a fresh one every
// BLIND_USES uses.
//
// A slot is found by the exact key DER: every slot whose DER has the caller's length is
// compared in full, in constant time (no early exit), so the lookup time depends on lengths
// only. CACHE_SLOTS slots, least recently used evicted. Only keys of at most DER_MAX bytes are
// kept.
//
// SECRETS live here between calls: a copy of the key DER, the parsed components, constants
// derived from the primes and the blinding pairs. This is deliberate (the Worker running the
// core is the boundary); every slot is zeroed when it is evicted, when its key fails the
// fault check, and by cacheClear() (the export rsa_cache_clear).

import { MAX_LIMBS } from '../bn/limbs';
import { MAXN, ONE, RR, RR3, pairBytes } from '../bn/mont';
import { keySave, keyRestore, KEY_META_BYTES } from './key';

/** Number of cached keys. */
export const CACHE_SLOTS: i32 = 4;
/** Largest cached key DER (an 8192-bit PKCS#8 private key is about 4.8 KB). */
export const DER_MAX: i32 = 5120;
/** Uses of one blinding pair: the first one fresh, then squared after each use. */
export const BLIND_USES: i32 = 32;

const COMP: i32 = MAX_LIMBS * 4; // bytes per key component
const PAIRS: i32 = MAXN * 8; // bytes per engine pair buffer
const OFF_COMPS: i32 = DER_MAX;
const OFF_META: i32 = OFF_COMPS + 8 * COMP;
const OFF_ONE: i32 = OFF_META + KEY_META_BYTES;
const OFF_RR: i32 = OFF_ONE + PAIRS;
const OFF_RR3: i32 = OFF_RR + PAIRS;
const OFF_QI: i32 = OFF_RR3 + PAIRS;
const OFF_BA: i32 = OFF_QI + PAIRS;
const OFF_BI: i32 = OFF_BA + PAIRS;
const SLOT: i32 = OFF_BI + PAIRS;

const slots = new StaticArray<u8>(CACHE_SLOTS * SLOT);
const BASE: usize = changetype<usize>(slots);
/** DER length per slot (0: empty). */
const derLen = new StaticArray<i32>(CACHE_SLOTS);
/** Last use per slot (LRU). */
const lastUse = new StaticArray<u32>(CACHE_SLOTS);
/** Whether the engine constants of the slot's primes are saved (cacheSaveConsts). */
const hasConsts = new StaticArray<bool>(CACHE_SLOTS);
/** Uses left of the slot's stored blinding pair (0: none stored). */
const blindLeft = new StaticArray<i32>(CACHE_SLOTS);
let clock: u32 = 0;

/** The slot of the key loaded for the current call, or -1 (set by cacheUse / cacheInsert). */
export let cacheSlot: i32 = -1;

// @ts-ignore: decorator
@inline function slotAt(i: i32): usize {
  return BASE + <usize>i * <usize>SLOT;
}

/** Whether the len bytes at a and b are equal; constant time in their contents. */
function ctEqual(a: usize, b: usize, len: i32): bool {
  let acc = i64x2.splat(0);
  let i = 0;
  for (; i + 16 <= len; i += 16) acc = v128.or(acc, v128.xor(v128.load(a + <usize>i), v128.load(b + <usize>i)));
  let t: u32 = 0;
  for (; i < len; i++) t |= <u32>(load<u8>(a + <usize>i) ^ load<u8>(b + <usize>i));
  t |= <u32>v128.any_true(acc);
  return t == 0;
}

/** The slot holding exactly the key DER [der, der + len), or -1. */
export function cacheFind(der: usize, len: i32): i32 {
  let found = -1;
  for (let i = 0; i < CACHE_SLOTS; i++) {
    if (unchecked(derLen[i]) != len) continue;
    // every candidate is compared in full; the match is taken without an early exit
    const eq = ctEqual(slotAt(i), der, len);
    found = eq ? i : found;
  }
  return found;
}

/** Makes slot i the loaded key (the key buffers must be wiped) for the call; der is its DER. */
export function cacheUse(i: i32, der: usize): void {
  const s = slotAt(i);
  keyRestore(s + <usize>OFF_COMPS, <usize>COMP, s + <usize>OFF_META, der);
  unchecked(lastUse[i] = ++clock);
  cacheSlot = i;
}

/**
 * Keeps the loaded key (a two-prime private key just parsed from [der, der + len)) in an empty
 * or the least recently used slot, which is wiped first. Keys longer than DER_MAX are not kept.
 */
export function cacheInsert(der: usize, len: i32): void {
  cacheSlot = -1;
  if (len <= 0 || len > DER_MAX) return;
  let pick = 0;
  for (let i = 0; i < CACHE_SLOTS; i++) {
    if (unchecked(derLen[i]) == 0) {
      pick = i;
      break;
    }
    if (unchecked(lastUse[i]) < unchecked(lastUse[pick])) pick = i;
  }
  cacheEvict(pick);
  const s = slotAt(pick);
  memory.copy(s, der, <usize>len);
  keySave(s + <usize>OFF_COMPS, <usize>COMP, s + <usize>OFF_META, der);
  unchecked(derLen[pick] = len);
  unchecked(lastUse[pick] = ++clock);
  cacheSlot = pick;
}

/** Ends the call's use of the cache (the slot stays). */
export function cacheRelease(): void {
  cacheSlot = -1;
}

/** Zeroes slot i and marks it empty. */
export function cacheEvict(i: i32): void {
  memory.fill(slotAt(i), 0, <usize>SLOT);
  unchecked(derLen[i] = 0);
  unchecked(lastUse[i] = 0);
  unchecked(hasConsts[i] = false);
  unchecked(blindLeft[i] = 0);
  if (cacheSlot == i) cacheSlot = -1;
}

/** Zeroes every slot. */
export function cacheClear(): void {
  for (let i = 0; i < CACHE_SLOTS; i++) cacheEvict(i);
  clock = 0;
}

/** Whether slot i holds the engine constants of its primes. */
export function cacheHasConsts(i: i32): bool {
  return unchecked(hasConsts[i]);
}

/** Saved ONE pairs of slot i. */
export function cacheOne(i: i32): usize {
  return slotAt(i) + <usize>OFF_ONE;
}

/** Saved RR pairs of slot i. */
export function cacheRR(i: i32): usize {
  return slotAt(i) + <usize>OFF_RR;
}

/** Saved RR3 pairs of slot i. */
export function cacheRR3(i: i32): usize {
  return slotAt(i) + <usize>OFF_RR3;
}

/** Saved qInv·R mod p (lane p) of slot i. */
export function cacheQInv(i: i32): usize {
  return slotAt(i) + <usize>OFF_QI;
}

/**
 * Saves the engine's ONE, RR and RR3 (set up for the primes of slot i, RR3 made) and the
 * pairs at qi (qInv in the Montgomery domain of p) into the slot.
 */
export function cacheSaveConsts(i: i32, qi: usize): void {
  memory.copy(cacheOne(i), ONE, pairBytes());
  memory.copy(cacheRR(i), RR, pairBytes());
  memory.copy(cacheRR3(i), RR3, pairBytes());
  memory.copy(cacheQInv(i), qi, pairBytes());
  unchecked(hasConsts[i] = true);
}

/** Uses left of slot i's stored blinding pair (0: a fresh pair is needed). */
export function cacheBlindLeft(i: i32): i32 {
  return unchecked(blindLeft[i]);
}

/** The stored blinding factor r^e (Montgomery form, pairs) of slot i. */
export function cacheBlindA(i: i32): usize {
  return slotAt(i) + <usize>OFF_BA;
}

/** The stored unblinding factor r^-1 (Montgomery form, pairs) of slot i. */
export function cacheBlindI(i: i32): usize {
  return slotAt(i) + <usize>OFF_BI;
}

/** Records that slot i's blinding pair (written by the caller) has `uses` uses left. */
export function cacheSetBlindLeft(i: i32, uses: i32): void {
  unchecked(blindLeft[i] = uses);
}
