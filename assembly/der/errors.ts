// Error codes of the DER domain (range -90..-109, see util/errors.ts). Each rejection of
// the strict DER reader (X.690 §10, with §8.1 encodings) has its own code.

/** The buffer ends inside an identifier or length field (or is empty). */
export const E_DER_TRUNCATED: i32 = -90;
/** Indefinite length (0x80), allowed in BER only (X.690 §10.1). */
export const E_DER_INDEFINITE: i32 = -91;
/** A length not in the shortest form: long form for < 128, or a leading zero octet (X.690 §10.1). */
export const E_DER_NONMINIMAL: i32 = -92;
/** A length field of more than 4 octets (lengths are limited to 2^32 - 1 here; 0xff is reserved, X.690 §8.1.3.5). */
export const E_DER_LENGTH_SIZE: i32 = -93;
/** The content runs past the end of the buffer or of the enclosing element. */
export const E_DER_OVERFLOW: i32 = -94;
/** Bytes follow the single top-level element. */
export const E_DER_TRAILING: i32 = -95;
/** Constructed elements nested deeper than the allowed depth. */
export const E_DER_DEPTH: i32 = -96;
/** A bad identifier: tag 0 (end-of-contents), or a high tag number not in minimal form (X.690 §8.1.2.4) or over 2^21 - 1. */
export const E_DER_TAG: i32 = -97;
/** The input is not shaped like an X.509 CertificateList (RFC 5280 §5.1). */
export const E_DER_CRL: i32 = -98;
/**
 * A universal tag in the wrong form: SEQUENCE, SET, EXTERNAL, EMBEDDED PDV and CHARACTER
 * STRING are constructed, every other universal type is primitive in DER (X.690 §8.9.1,
 * §8.11.1, §10.2: no constructed strings).
 */
export const E_DER_FORM: i32 = -99;
