// Error codes of the bignum domain (range -30..-39, see util/errors.ts).

/** A number is longer than the domain supports (MAX_BITS). */
export const E_BN_SIZE: i32 = -30;
/** A modulus is even, zero or otherwise unusable for the requested operation. */
export const E_BN_MODULUS: i32 = -31;
/** A value has no inverse modulo the given modulus. */
export const E_BN_NOINVERSE: i32 = -32;
