// Error codes of the ec domain (range -60..-79, see util/errors.ts). Shared codes used too:
// E_BUFFER (-2, output slot too small).

/** The curve id, or the curve named in a key, is not P-256, P-384 or P-521. */
export const E_EC_CURVE: i32 = -60;
/** A key is not a well-formed SEC1 ECPrivateKey / PKCS#8 / SubjectPublicKeyInfo (strict DER). */
export const E_EC_KEY: i32 = -61;
/** A point encoding is invalid, or the point is not on the curve (or is the identity). */
export const E_EC_POINT: i32 = -62;
/** A private scalar is 0 or not below the group order n. */
export const E_EC_SCALAR: i32 = -63;
/** The hash id is not a SHA-1/SHA-2 id, or a digest has the wrong length for it. */
export const E_EC_HASH: i32 = -64;
/** The public key embedded in a private key does not match the private scalar. */
export const E_EC_MISMATCH: i32 = -65;
/** An unknown key or signature format id. */
export const E_EC_FORMAT: i32 = -66;
/** A signature is malformed (signing only; verification just answers 0). */
export const E_EC_SIG: i32 = -67;
