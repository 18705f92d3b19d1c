// Error codes of the cipher domain (range -80..-89, see util/errors.ts).

/**
 * Decryption with padding failed. Returned alike for a wrong input length (empty, not a
 * whole number of blocks) and for bad PKCS#7 padding, so that the code is no padding oracle
 * (Vaudenay 2002; RFC 5652 §6.3 padding).
 */
export const E_CIPHER_DECRYPT: i32 = -80;
/** The key length is not one the algorithm accepts (AES 16/24/32, DES 8, EDE 16, EDE3 24, RC2 1..128). */
export const E_CIPHER_KEY: i32 = -81;
/** Without padding the input must be a whole number of blocks. */
export const E_CIPHER_LENGTH: i32 = -82;
/** Unknown algorithm or mode id. */
export const E_CIPHER_ALG: i32 = -83;
/** RC2 effective key bits outside 1..1024. */
export const E_CIPHER_PARAM: i32 = -84;
