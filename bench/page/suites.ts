/** Suites beyond hashing: RSA, ECDSA, 3DES, DER scanning (filled as the core grows). */
import type { Suite } from './bench.ts';

export const suites: Suite[] = [];
