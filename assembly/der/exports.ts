// Exports of the DER domain (see assembly/README.md, "Memory ABI").
import { crlErrorOffset, crlSerials } from './crl';
import { errorOffset, scan } from './scan';

/**
 * Strict DER scan (X.690 §10) of the single element filling `inLen` bytes at `inPtr`.
 * Writes 5 u32 per element at `outPtr` (tag = first identifier octet | tag number << 8,
 * header length, content offset, content length, depth; document order), at most
 * `maxElems` elements, descending at most `maxDepth` (0..64) levels below the top element.
 * Returns the element count, or -90 truncated header, -91 indefinite length, -92
 * non-minimal length, -93 length field over 4 octets, -94 content past its end, -95
 * trailing bytes, -96 too deep, -97 bad tag, -99 universal tag in the wrong
 * primitive/constructed form, -2 more than `maxElems` elements, -1 bad `maxDepth`.
 * Allocates nothing.
 */
export function der_scan(inPtr: usize, inLen: u32, outPtr: usize, maxElems: u32, maxDepth: i32): i32 {
  return scan(inPtr, inLen, outPtr, maxElems, maxDepth);
}

/** Offset at which the last failed `der_scan` stopped. */
export function der_error_offset(): u32 {
  return errorOffset;
}

/**
 * Serial-number index of a DER X.509 CertificateList (RFC 5280 §5.1): for each entry of
 * revokedCertificates, 5 u32 at `outPtr`: serial content offset, serial content length,
 * revocationDate tag (0x17 UTCTime / 0x18 GeneralizedTime), date content offset, date
 * content length. At most `maxEntries` (inLen / 20 + 1 always suffices). Returns the entry
 * count, -2 when `maxEntries` is too small, -98 when the input is not shaped like a
 * CertificateList, or one of the header codes of `der_scan`.
 */
export function der_crl_serials(inPtr: usize, inLen: u32, outPtr: usize, maxEntries: u32): i32 {
  return crlSerials(inPtr, inLen, outPtr, maxEntries);
}

/** Offset at which the last failed `der_crl_serials` stopped. */
export function der_crl_error_offset(): u32 {
  return crlErrorOffset;
}
