// The serial-number index of a large CRL: walks an X.509 CertificateList (RFC 5280 §5.1)
// with the strict header reader and reports where each revoked certificate's serial number
// and revocation date are, without building any object.
//
//   CertificateList ::= SEQUENCE { tbsCertList TBSCertList, signatureAlgorithm
//                                  AlgorithmIdentifier, signatureValue BIT STRING }
//   TBSCertList ::= SEQUENCE { version Version OPTIONAL, signature AlgorithmIdentifier,
//       issuer Name, thisUpdate Time, nextUpdate Time OPTIONAL,
//       revokedCertificates SEQUENCE OF SEQUENCE { userCertificate CertificateSerialNumber,
//           revocationDate Time, crlEntryExtensions Extensions OPTIONAL } OPTIONAL,
//       crlExtensions [0] EXPLICIT Extensions OPTIONAL }

import { E_BUFFER } from '../util/errors';
import { E_DER_CRL, E_DER_TRAILING } from './errors';
import { hHeader, hLength, hTag, readHeader } from './header';

/** u32 words per entry: serial offset, serial length, date tag, date offset, date length. */
export const CRL_STRIDE: i32 = 5;

const TAG_INTEGER: u32 = 0x0202;
const TAG_BIT_STRING: u32 = 0x0303;
const TAG_SEQUENCE: u32 = 0x1030;
const TAG_UTC_TIME: u32 = 0x1717;
const TAG_GENERALIZED_TIME: u32 = 0x1818;
const TAG_CTX0: u32 = 0x00a0;

/** Offset where the last failed walk stopped. */
export let crlErrorOffset: u32 = 0;

let pos: u32 = 0;
let failure: i32 = 0;

/** Reads the header at `pos` (bounded by `end`), requires `tag`, and leaves pos at the content. */
function expect(src: usize, end: u32, tag: u32): bool {
  const r = readHeader(src, pos, end);
  if (r < 0) {
    failure = r;
    return false;
  }
  if (hTag != tag) {
    failure = E_DER_CRL;
    return false;
  }
  pos += hHeader;
  return true;
}

/** True for a Time (RFC 5280 §4.1.2.5: UTCTime YYMMDDHHMMSSZ or GeneralizedTime YYYYMMDDHHMMSSZ). */
// @ts-ignore: decorator
@inline function isTime(tag: u32, len: u32): bool {
  return (tag == TAG_UTC_TIME && len == 13) || (tag == TAG_GENERALIZED_TIME && len == 15);
}

/** Reads the header at `pos`; returns false (and sets failure) unless it parses. */
function peek(src: usize, end: u32): bool {
  const r = readHeader(src, pos, end);
  if (r < 0) {
    failure = r;
    return false;
  }
  return true;
}

/**
 * Indexes the revoked certificates of the DER CertificateList of `len` bytes at `src`.
 * Writes CRL_STRIDE u32 per entry at `out` (offsets are content offsets into the input)
 * and returns the entry count (0 when the list is absent), E_BUFFER beyond `maxEntries`,
 * or an E_DER_* code. Every header on the path is checked as strictly as by the scanner,
 * and each Time must have its RFC 5280 length, so an entry takes at least 20 bytes.
 */
export function crlSerials(src: usize, len: u32, out: usize, maxEntries: u32): i32 {
  pos = 0;
  failure = 0;
  crlErrorOffset = 0;
  const r = walk(src, len, out, maxEntries);
  if (r < 0) crlErrorOffset = pos;
  return r;
}

function walk(src: usize, len: u32, out: usize, maxEntries: u32): i32 {
  if (!expect(src, len, TAG_SEQUENCE)) return failure;
  if (pos + hLength != len) return E_DER_TRAILING;
  if (!expect(src, len, TAG_SEQUENCE)) return failure;
  const tbsEnd = pos + hLength;
  // version INTEGER OPTIONAL
  if (!peek(src, tbsEnd)) return failure;
  if (hTag == TAG_INTEGER) {
    pos += hHeader + hLength;
    if (!peek(src, tbsEnd)) return failure;
  }
  // signature AlgorithmIdentifier, issuer Name
  if (hTag != TAG_SEQUENCE) return E_DER_CRL;
  pos += hHeader + hLength;
  if (!expect(src, tbsEnd, TAG_SEQUENCE)) return failure;
  pos += hLength;
  // thisUpdate Time, nextUpdate Time OPTIONAL
  if (!peek(src, tbsEnd)) return failure;
  if (!isTime(hTag, hLength)) return E_DER_CRL;
  pos += hHeader + hLength;
  let count: u32 = 0;
  if (pos < tbsEnd) {
    if (!peek(src, tbsEnd)) return failure;
    if (isTime(hTag, hLength)) {
      pos += hHeader + hLength;
      if (pos < tbsEnd && !peek(src, tbsEnd)) return failure;
    }
  }
  if (pos < tbsEnd && hTag == TAG_SEQUENCE) {
    pos += hHeader;
    const listEnd = pos + hLength;
    while (pos < listEnd) {
      if (!expect(src, listEnd, TAG_SEQUENCE)) return failure;
      const entryEnd = pos + hLength;
      if (!expect(src, entryEnd, TAG_INTEGER)) return failure;
      if (hLength == 0) return E_DER_CRL;
      if (count >= maxEntries) return E_BUFFER;
      const o = out + <usize>count * 20;
      store<u32>(o, pos, 0);
      store<u32>(o, hLength, 4);
      pos += hLength;
      if (!peek(src, entryEnd)) return failure;
      if (!isTime(hTag, hLength)) return E_DER_CRL;
      store<u32>(o, hTag & 0xff, 8);
      store<u32>(o, pos + hHeader, 12);
      store<u32>(o, hLength, 16);
      pos += hHeader + hLength;
      if (pos < entryEnd) {
        // crlEntryExtensions: one SEQUENCE filling the rest of the entry
        if (!expect(src, entryEnd, TAG_SEQUENCE)) return failure;
        pos += hLength;
        if (pos != entryEnd) return E_DER_CRL;
      }
      count++;
    }
    if (pos < tbsEnd && !peek(src, tbsEnd)) return failure;
  }
  if (pos < tbsEnd) {
    // crlExtensions [0] EXPLICIT, the last field
    if (hTag != TAG_CTX0) return E_DER_CRL;
    pos += hHeader + hLength;
    if (pos != tbsEnd) return E_DER_CRL;
  }
  // signatureAlgorithm, signatureValue, and nothing after them
  if (!expect(src, len, TAG_SEQUENCE)) return failure;
  pos += hLength;
  if (!expect(src, len, TAG_BIT_STRING)) return failure;
  pos += hLength;
  if (pos != len) return E_DER_CRL;
  return <i32>count;
}
