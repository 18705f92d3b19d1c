/**
 * A PIV card application session (NIST SP 800-73-4 Part 2) with verbs, as yubikit's
 * `PivSession`: SELECT, VERIFY (with the retry counter), management-key authentication
 * (GENERAL AUTHENTICATE on key 9B, mutual), GENERATE ASYMMETRIC KEY PAIR, GENERAL AUTHENTICATE
 * for the private-key operation of a slot, GET DATA / PUT DATA for objects and the certificate
 * objects of the slots. Transport-independent: it talks to an `ApduConnection`.
 *
 * Secrets (the PIN, the management key) are used once and never kept or logged here.
 */
import { concatBytes, equalBytes, fromUtf8, utf8 } from '../../util/bytes.ts';
import { toHex } from '../../util/hex.ts';
import { ApduError, PinError, SW, TokenError } from '../errors.ts';
import type { ApduConnection } from '../apdu/apdu.ts';
import { decodeTlvs, encodeTlv, findTlv, requireTlv } from '../apdu/tlv.ts';
import { AID_PIV, ALGORITHM, CERT_OBJECT, INS, OBJECT_ID, PIN_REF, SLOT, slotHex, type KeyAlgorithm, type KeySlot, type ManagementAlgorithm } from './constants.ts';
import { keyInfoOf, spkiFromTemplate } from './keys.ts';
import type { KeyInfo } from '../../crypto/types.ts';

/** The block cipher the management key uses (3DES or AES, one block, no chaining). */
export type BlockCipher = (alg: 'DES-EDE3' | 'AES', key: Uint8Array, block: Uint8Array, encrypt: boolean) => Promise<Uint8Array>;

export interface PivDeps {
  cipher: BlockCipher;
  random(n: number): Uint8Array;
}

export interface PivInfo {
  /** "Trustpoint software PIV", "YubiKey" ... from the application label, if any */
  label?: string;
  /** CHUID GUID (hex), the card's identity for PIV */
  guid?: string;
  /** YubiKey firmware and serial (extensions other PIV cards do not answer) */
  version?: string;
  serial?: number;
}

/** Pads a PIN to 8 bytes with FF (SP 800-73-4 Part 2 §2.4.3); refuses what PIV cannot hold. */
export function encodePin(pin: string): Uint8Array {
  const b = utf8(pin);
  if (b.length < 6 || b.length > 8) throw new TokenError('not-supported', 'piv.verifyPin: a PIV PIN has 6 to 8 characters');
  const out = new Uint8Array(8).fill(0xff);
  out.set(b);
  return out;
}

function retriesFromSw(sw: number): number | undefined {
  if ((sw & 0xfff0) === 0x63c0) return sw & 0x0f;
  if (sw === SW.AUTH_METHOD_BLOCKED) return 0;
  return undefined;
}

export class PivSession {
  constructor(
    readonly conn: ApduConnection,
    private readonly deps: PivDeps,
  ) {}

  /** SELECT the PIV application; a card without one gives `no-applet`. */
  async select(signal?: AbortSignal): Promise<PivInfo> {
    const r = await this.conn.send({ ins: INS.SELECT, p1: 0x04, p2: 0x00, data: AID_PIV.subarray(0, 9), le: 'max' }, 'piv.select', signal);
    if (r.sw === SW.FILE_NOT_FOUND || r.sw === SW.INVALID_INSTRUCTION || r.sw === SW.CLASS_NOT_SUPPORTED)
      throw new TokenError('no-applet', `piv.select: the token has no PIV application (SELECT answered ${r.sw.toString(16).toUpperCase()})`);
    if (r.sw !== SW.SUCCESS) throw new ApduError('piv.select', r.sw);
    const info: PivInfo = {};
    try {
      const apt = findTlv(r.data, 0x61);
      const label = apt ? findTlv(apt, 0x50) : undefined;
      if (label) info.label = fromUtf8(label);
    } catch {
      // an application property template we cannot read is no reason to fail
    }
    return info;
  }

  /** CHUID GUID and, where the card answers them, the YubiKey version and serial. */
  async identify(signal?: AbortSignal): Promise<PivInfo> {
    const info: PivInfo = {};
    const chuid = await this.getObject(OBJECT_ID.CHUID, signal);
    if (chuid) {
      const guid = findTlv(chuid, 0x34, 'piv.chuid');
      if (guid && guid.some((b) => b !== 0)) info.guid = toHex(guid);
    }
    const v = await this.conn.send({ ins: INS.GET_VERSION, p1: 0, p2: 0, le: 256 }, 'piv.version', signal);
    if (v.sw === SW.SUCCESS && v.data.length === 3) info.version = Array.from(v.data).join('.');
    const s = await this.conn.send({ ins: INS.GET_SERIAL, p1: 0, p2: 0, le: 256 }, 'piv.serial', signal);
    if (s.sw === SW.SUCCESS && s.data.length === 4) info.serial = ((s.data[0]! << 24) | (s.data[1]! << 16) | (s.data[2]! << 8) | s.data[3]!) >>> 0;
    return info;
  }

  /** PIN retries left, without spending one (VERIFY with no data); `verified` when already logged in. */
  async pinStatus(signal?: AbortSignal): Promise<{ verified: boolean; retriesLeft: number | undefined }> {
    const r = await this.conn.send({ ins: INS.VERIFY, p1: 0x00, p2: PIN_REF.PIN }, 'piv.pinStatus', signal);
    if (r.sw === SW.SUCCESS) return { verified: true, retriesLeft: undefined };
    const n = retriesFromSw(r.sw);
    if (n === undefined) throw new ApduError('piv.pinStatus', r.sw);
    return { verified: false, retriesLeft: n };
  }

  /** VERIFY the PIN; a `PinError` with the retries left (0 = blocked). */
  async verifyPin(pin: string, signal?: AbortSignal): Promise<void> {
    const data = encodePin(pin);
    try {
      const r = await this.conn.send({ ins: INS.VERIFY, p1: 0x00, p2: PIN_REF.PIN, data }, 'piv.verifyPin', signal);
      if (r.sw === SW.SUCCESS) return;
      const n = retriesFromSw(r.sw);
      if (n !== undefined) throw new PinError(n);
      throw new ApduError('piv.verifyPin', r.sw);
    } finally {
      data.fill(0);
    }
  }

  /** Ends the PIN verification (VERIFY P1=FF). */
  async logout(signal?: AbortSignal): Promise<void> {
    await this.conn.send({ ins: INS.VERIFY, p1: 0xff, p2: PIN_REF.PIN }, 'piv.logout', signal);
  }

  /**
   * Mutual authentication with the card management key (SP 800-73-4 Part 2 Appendix A.1):
   * the card's witness is decrypted and returned with our challenge, which the card must
   * return encrypted. A wrong key gives `auth`.
   */
  async authenticate(key: Uint8Array, alg: ManagementAlgorithm = ALGORITHM.TDES, signal?: AbortSignal): Promise<void> {
    const cipherAlg = alg === ALGORITHM.TDES ? 'DES-EDE3' : 'AES';
    const want = { 0x03: 24, 0x08: 16, 0x0a: 24, 0x0c: 32 }[alg];
    if (key.length !== want) throw new TokenError('auth', `piv.authenticate: a ${cipherAlg === 'AES' ? `AES-${want * 8}` : '3DES'} management key has ${want} bytes, not ${key.length}`);
    const bs = alg === ALGORITHM.TDES ? 8 : 16;
    const op = 'piv.authenticate';
    const step1 = await this.conn.send({ ins: INS.AUTHENTICATE, p1: alg, p2: SLOT.CARD_MANAGEMENT, data: encodeTlv(0x7c, encodeTlv(0x80, new Uint8Array(0))), le: 256 }, op, signal);
    if (step1.sw === SW.INCORRECT_P1P2 || step1.sw === SW.INCORRECT_PARAMETERS)
      throw new TokenError('auth', `${op}: the token's management key is not a ${cipherAlg === 'AES' ? `AES-${want * 8}` : '3DES'} key (${step1.sw.toString(16).toUpperCase()})`);
    if (step1.sw !== SW.SUCCESS) throw new ApduError(op, step1.sw);
    const witness = requireTlv(requireTlv(step1.data, 0x7c, op), 0x80, op);
    if (witness.length !== bs) throw new TokenError('protocol', `${op}: a witness of ${witness.length} bytes`);
    const plain = await this.deps.cipher(cipherAlg, key, witness, false);
    const challenge = this.deps.random(bs);
    const step2 = await this.conn.send(
      { ins: INS.AUTHENTICATE, p1: alg, p2: SLOT.CARD_MANAGEMENT, data: encodeTlv(0x7c, concatBytes(encodeTlv(0x80, plain), encodeTlv(0x81, challenge))), le: 256 },
      op,
      signal,
    );
    plain.fill(0);
    if (step2.sw === SW.SECURITY_CONDITION_NOT_SATISFIED || step2.sw === SW.AUTH_METHOD_BLOCKED)
      throw new TokenError('auth', `${op}: the token refused the management key (wrong key)`);
    if (step2.sw !== SW.SUCCESS) throw new ApduError(op, step2.sw);
    const response = requireTlv(requireTlv(step2.data, 0x7c, op), 0x82, op);
    const expect = await this.deps.cipher(cipherAlg, key, challenge, true);
    if (!equalBytes(response, expect)) throw new TokenError('auth', `${op}: the token did not prove it holds the same management key`);
  }

  /** GENERATE ASYMMETRIC KEY PAIR in `slot`; needs the management key first. */
  async generateKey(slot: KeySlot, alg: KeyAlgorithm, signal?: AbortSignal): Promise<{ spki: Uint8Array; key: KeyInfo }> {
    const op = 'piv.generateKey';
    const r = await this.conn.send({ ins: INS.GENERATE_ASYMMETRIC, p1: 0x00, p2: slot, data: encodeTlv(0xac, encodeTlv(0x80, Uint8Array.of(alg))), le: 'max' }, op, signal);
    if (r.sw === SW.SECURITY_CONDITION_NOT_SATISFIED) throw new TokenError('auth', `${op}: the token wants the management key before it generates a key`);
    if (r.sw === SW.INCORRECT_PARAMETERS || r.sw === SW.FUNCTION_NOT_SUPPORTED) throw new TokenError('not-supported', `${op}: the token cannot generate ${describeAlg(alg)} keys`);
    if (r.sw !== SW.SUCCESS) throw new ApduError(op, r.sw);
    return { spki: spkiFromTemplate(alg, r.data), key: keyInfoOf(alg) };
  }

  /**
   * The raw private-key operation of `slot` (GENERAL AUTHENTICATE with `7C { 82 00, 81 input }`):
   * RSA — the padded block in, the RSA result out; ECDSA — the hash in, a DER signature out.
   */
  async privateOp(slot: KeySlot, alg: KeyAlgorithm, input: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
    const op = 'piv.sign';
    const data = encodeTlv(0x7c, concatBytes(encodeTlv(0x82, new Uint8Array(0)), encodeTlv(0x81, input)));
    const r = await this.conn.send({ ins: INS.AUTHENTICATE, p1: alg, p2: slot, data, le: 'max' }, op, signal);
    if (r.sw === SW.SECURITY_CONDITION_NOT_SATISFIED) throw new TokenError('login-required', `${op}: slot ${slotHex(slot)} needs the PIN`);
    if (r.sw === SW.FILE_NOT_FOUND || r.sw === SW.REFERENCE_NOT_FOUND) throw new TokenError('no-key', `${op}: slot ${slotHex(slot)} holds no key`);
    if (r.sw === SW.INCORRECT_PARAMETERS) throw new TokenError('wrong-key', `${op}: slot ${slotHex(slot)} does not hold a ${describeAlg(alg)} key`);
    if (r.sw !== SW.SUCCESS) throw new ApduError(op, r.sw);
    return requireTlv(requireTlv(r.data, 0x7c, op), 0x82, op);
  }

  /** GET DATA of an object: its content (inside tag 53), or undefined when absent. */
  async getObject(id: number, signal?: AbortSignal): Promise<Uint8Array | undefined> {
    const op = 'piv.getData';
    const tag = id === OBJECT_ID.DISCOVERY ? Uint8Array.of(0x7e) : Uint8Array.of(id >> 16, (id >> 8) & 0xff, id & 0xff);
    const r = await this.conn.send({ ins: INS.GET_DATA, p1: 0x3f, p2: 0xff, data: encodeTlv(0x5c, tag), le: 'max' }, op, signal);
    if (r.sw === SW.FILE_NOT_FOUND) return undefined;
    if (r.sw !== SW.SUCCESS) throw new ApduError(op, r.sw);
    if (id === OBJECT_ID.DISCOVERY) return r.data;
    const body = findTlv(r.data, 0x53, op);
    if (body === undefined) throw new TokenError('protocol', `${op}: object ${id.toString(16).toUpperCase()} is not wrapped in tag 53`);
    return body;
  }

  /** PUT DATA (management key first); an empty `content` deletes the object. */
  async putObject(id: number, content: Uint8Array, signal?: AbortSignal): Promise<void> {
    const op = 'piv.putData';
    const data = concatBytes(encodeTlv(0x5c, Uint8Array.of(id >> 16, (id >> 8) & 0xff, id & 0xff)), encodeTlv(0x53, content));
    const r = await this.conn.send({ ins: INS.PUT_DATA, p1: 0x3f, p2: 0xff, data }, op, signal);
    if (r.sw === SW.SECURITY_CONDITION_NOT_SATISFIED) throw new TokenError('auth', `${op}: the token wants the management key before it stores data`);
    if (r.sw === SW.NO_SPACE) throw new TokenError('not-supported', `${op}: the token has no room for ${content.length} bytes`);
    if (r.sw !== SW.SUCCESS) throw new ApduError(op, r.sw);
  }

  /** The certificate in a slot's object (DER), if any. Compressed certificates are refused. */
  async readCertificate(slot: KeySlot, signal?: AbortSignal): Promise<Uint8Array | undefined> {
    const obj = await this.getObject(CERT_OBJECT[slot], signal);
    if (!obj || obj.length === 0) return undefined;
    const tl = decodeTlvs(obj, 'piv.readCertificate');
    const cert = findTlv(tl, 0x70);
    if (!cert) return undefined;
    const info = findTlv(tl, 0x71);
    if (info && info.length && info[0]! & 0x01) throw new TokenError('not-supported', `piv.readCertificate: the certificate in slot ${slotHex(slot)} is compressed (gzip), which this version does not read`);
    return cert;
  }

  /** Stores a certificate in a slot's object (`70 cert 71 00 FE 00`); management key first. */
  async writeCertificate(slot: KeySlot, der: Uint8Array, signal?: AbortSignal): Promise<void> {
    await this.putObject(CERT_OBJECT[slot], concatBytes(encodeTlv(0x70, der), encodeTlv(0x71, Uint8Array.of(0)), encodeTlv(0xfe, new Uint8Array(0))), signal);
  }
}

export function describeAlg(alg: number): string {
  return { 0x06: 'RSA-1024', 0x07: 'RSA-2048', 0x11: 'ECC P-256', 0x14: 'ECC P-384' }[alg] ?? `algorithm ${alg.toString(16)}`;
}
