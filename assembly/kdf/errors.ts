// Error codes of the kdf domain (range -20..-29, see util/errors.ts).

/** The hash id is not one of the HASH_* ids. */
export const E_KDF_ALG: i32 = -20;
/** An argument is out of range (0 iterations, output too long, bad PKCS#12 ID byte...). */
export const E_KDF_PARAM: i32 = -21;
