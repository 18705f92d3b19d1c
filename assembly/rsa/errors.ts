// Error codes of the RSA domain (range -40..-59, see util/errors.ts).

/** The key DER is malformed, or not an RSA key in a supported format. */
export const E_RSA_KEY: i32 = -40;
/** The key is inconsistent (n != p·q, a component out of range) or of an unsupported size. */
export const E_RSA_KEY_INVALID: i32 = -41;
/** The operation needs a private key but got a public one, or the key's algorithm forbids it
 *  (an id-RSASSA-PSS key used for anything but PSS, or PSS parameters that differ). */
export const E_RSA_KEY_USE: i32 = -42;
/** The input does not fit the key (message too long, integer >= n, wrong length). */
export const E_RSA_INPUT: i32 = -43;
/** Decryption failed. The one code for every decryption failure (no padding oracle). */
export const E_RSA_DECRYPT: i32 = -44;
/** Unsupported hash id, salt length or public exponent. */
export const E_RSA_PARAM: i32 = -45;
/** The private operation produced a result that does not verify (fault detected). */
export const E_RSA_FAULT: i32 = -46;
/** An output buffer is too small. */
export const E_RSA_BUFFER: i32 = -47;
