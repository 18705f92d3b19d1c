/**
 * The strict DER scanner of the core (assembly/der) and the CRL serial index built on it.
 *
 * `derScan` checks a whole DER element (X.690 §10: definite, minimal lengths; nothing after
 * the element; bounded nesting) and returns where every element is, so callers can slice
 * without parsing twice. `crlSerials` indexes the revokedCertificates of an X.509
 * CertificateList (RFC 5280 §5.1) without building objects, fast enough for CRLs with
 * hundreds of thousands of entries.
 */
import { PkiError } from '../../util/errors.ts';
import type { Io, IoExports } from '../io.ts';

/** u32 words per element of a `derScan` result. */
export const DER_STRIDE = 5;
/** u32 words per entry of a `crlSerials` result. */
export const CRL_STRIDE = 5;
/** The deepest nesting the core accepts (the top-level element is depth 0). */
export const DER_MAX_DEPTH = 64;
/** Default nesting bound of `derScan` (certificates nest about 8 deep). */
export const DER_DEFAULT_DEPTH = 32;

/** Core return codes (assembly/der/errors.ts) and the reason names `DerError` carries. */
export const DER_REASON: Readonly<Record<number, string>> = {
  [-90]: 'truncated',
  [-91]: 'indefinite-length',
  [-92]: 'non-minimal-length',
  [-93]: 'length-too-long',
  [-94]: 'overflow',
  [-95]: 'trailing-data',
  [-96]: 'too-deep',
  [-97]: 'bad-tag',
  [-98]: 'not-a-crl',
  [-99]: 'bad-form',
};

const DER_MESSAGE: Readonly<Record<string, string>> = {
  truncated: 'truncated header',
  'indefinite-length': 'indefinite length (BER, not DER)',
  'non-minimal-length': 'non-minimal length encoding',
  'length-too-long': 'length field longer than 4 bytes',
  overflow: 'content runs past the end of its container',
  'trailing-data': 'trailing data after the element',
  'too-deep': 'nesting too deep',
  'bad-tag': 'invalid tag',
  'not-a-crl': 'not an X.509 CertificateList',
  'bad-form': 'universal tag in the wrong primitive/constructed form',
};

/** A DER input the strict reader rejects (`code` 'der'; `reason` names the rule, `offset` where). */
export class DerError extends PkiError {
  readonly reason: string;
  readonly offset: number;
  constructor(op: string, reason: string, offset: number) {
    super('der', `${op}: ${DER_MESSAGE[reason] ?? reason} at offset ${offset}`);
    this.name = 'DerError';
    this.reason = reason;
    this.offset = offset;
  }
}

/** Options of `derScan`. */
export interface DerScanOptions {
  /** Deepest nesting allowed below the top-level element, 0..64. Default 32. */
  maxDepth?: number;
}

/** One element of a scan, decoded from the flat array (see `derElement`). */
export interface DerElement {
  /** First identifier octet (class, constructed bit, low tag number). */
  id: number;
  /** Tag number (also for the high-tag-number form). */
  tagNumber: number;
  constructed: boolean;
  /** Offset of the identifier octet. */
  offset: number;
  headerLength: number;
  contentOffset: number;
  contentLength: number;
  depth: number;
}

/** The exports of assembly/der (see assembly/der/exports.ts). */
export interface DerExports extends IoExports {
  der_scan(inPtr: number, inLen: number, outPtr: number, maxElems: number, maxDepth: number): number;
  der_error_offset(): number;
  der_crl_serials(inPtr: number, inLen: number, outPtr: number, maxEntries: number): number;
  der_crl_error_offset(): number;
}

/** The DER operations of the core (JS op functions: no default or rest parameters). */
export interface DerOps {
  /**
   * Scans one DER element filling `der` exactly. Returns DER_STRIDE u32 per element in
   * document order: tag (first identifier octet | tag number << 8), header length, content
   * offset, content length, depth. Throws `DerError` for malformed input.
   */
  derScan(der: Uint8Array, opts?: DerScanOptions): Uint32Array;
  /**
   * Indexes the revoked certificates of a DER CertificateList: CRL_STRIDE u32 per entry:
   * serial content offset and length, revocationDate tag (0x17/0x18), date content offset
   * and length. Throws `DerError` when the CRL is malformed.
   */
  crlSerials(crlDer: Uint8Array): Uint32Array;
}

function derFailure(op: string, code: number, offset: number): Error {
  const reason = DER_REASON[code];
  if (reason) return new DerError(op, reason, offset);
  return new RangeError(`${op}: core refused the request (code ${code})`);
}

/** Builds the DER ops over a core instance's exports and I/O arena. */
export function derOps(ex: DerExports, io: Io): DerOps {
  return {
    derScan(der, opts) {
      if (!(der instanceof Uint8Array)) throw new TypeError('derScan: der must be a Uint8Array');
      const depth = opts?.maxDepth ?? DER_DEFAULT_DEPTH;
      if (!Number.isInteger(depth) || depth < 0 || depth > DER_MAX_DEPTH) throw new RangeError(`derScan: maxDepth must be 0..${DER_MAX_DEPTH}, got ${depth}`);
      // Every element takes at least two bytes.
      const cap = (der.length >>> 1) + 1;
      return io.call([der, cap * DER_STRIDE * 4], ([src, out]) => {
        const n = ex.der_scan(src!, der.length, out!, cap, depth);
        if (n < 0) throw derFailure('derScan', n, ex.der_error_offset());
        return new Uint32Array(io.read(out!, n * DER_STRIDE * 4).buffer);
      });
    },
    crlSerials(crlDer) {
      if (!(crlDer instanceof Uint8Array)) throw new TypeError('crlSerials: crlDer must be a Uint8Array');
      // Every entry takes at least 20 bytes (SEQUENCE header, INTEGER, 13-byte UTCTime).
      const cap = Math.floor(crlDer.length / 20) + 1;
      return io.call([crlDer, cap * CRL_STRIDE * 4], ([src, out]) => {
        const n = ex.der_crl_serials(src!, crlDer.length, out!, cap);
        if (n < 0) throw derFailure('crlSerials', n, ex.der_crl_error_offset());
        return new Uint32Array(io.read(out!, n * CRL_STRIDE * 4).buffer);
      });
    },
  };
}

/** Decodes element `i` of a `derScan` result. */
export function derElement(scan: Uint32Array, i: number): DerElement {
  const o = i * DER_STRIDE;
  if (!Number.isInteger(i) || i < 0 || o + DER_STRIDE > scan.length) throw new RangeError(`derElement: no element ${i}`);
  const tag = scan[o]!;
  const headerLength = scan[o + 1]!;
  const contentOffset = scan[o + 2]!;
  return {
    id: tag & 0xff,
    tagNumber: tag >>> 8,
    constructed: (tag & 0x20) !== 0,
    offset: contentOffset - headerLength,
    headerLength,
    contentOffset,
    contentLength: scan[o + 3]!,
    depth: scan[o + 4]!,
  };
}

/** ASCII codes of the two hex digits of each byte value, as one little-endian u16. */
const HEX16 = new Uint16Array(256).map((_, i) => {
  const h = i.toString(16).padStart(2, '0');
  return h.charCodeAt(0) | (h.charCodeAt(1) << 8);
});

/**
 * The serial numbers of a `crlSerials` index as lowercase hex of their content octets (as
 * `openssl crl -text` prints them, without colons, in lower case). Builds all strings with
 * one text decode, which keeps 100,000 serials in the tens of milliseconds.
 */
export function crlSerialsHex(crlDer: Uint8Array, index: Uint32Array): string[] {
  const n = Math.floor(index.length / CRL_STRIDE);
  if (n === 0) return [];
  let total = 0;
  for (let i = 0; i < n; i++) total += 2 * index[i * CRL_STRIDE + 1]! + 1;
  const ascii = new Uint8Array(total);
  let w = 0;
  for (let i = 0; i < n; i++) {
    const off = index[i * CRL_STRIDE]!;
    const end = off + index[i * CRL_STRIDE + 1]!;
    for (let p = off; p < end; p++) {
      const h = HEX16[crlDer[p]!]!;
      ascii[w++] = h & 0xff;
      ascii[w++] = h >>> 8;
    }
    ascii[w++] = 0x0a;
  }
  const lines = new TextDecoder().decode(ascii.subarray(0, total - 1)).split('\n');
  return lines;
}
