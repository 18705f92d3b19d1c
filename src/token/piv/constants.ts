/**
 * PIV numbers (NIST SP 800-73-4 Part 1 §3, Part 2 §3 and SP 800-78-4 Table 6-2), named as
 * yubikit's `piv.py` and yubico-piv-tool's `ykpiv.h` name them so that traces read the same.
 */

/** The PIV application identifier (with version; SELECT may use the first 5 or 9 bytes). */
export const AID_PIV = Uint8Array.of(0xa0, 0x00, 0x00, 0x03, 0x08, 0x00, 0x00, 0x10, 0x00, 0x01, 0x00);

export const INS = {
  SELECT: 0xa4,
  VERIFY: 0x20,
  CHANGE_REFERENCE: 0x24,
  RESET_RETRY: 0x2c,
  GENERATE_ASYMMETRIC: 0x47,
  AUTHENTICATE: 0x87,
  GET_DATA: 0xcb,
  PUT_DATA: 0xdb,
  /** YubiKey extensions */
  GET_VERSION: 0xfd,
  GET_SERIAL: 0xf8,
  GET_METADATA: 0xf7,
} as const;

/** Key references (slots). */
export const SLOT = {
  AUTHENTICATION: 0x9a,
  CARD_MANAGEMENT: 0x9b,
  SIGNATURE: 0x9c,
  KEY_MANAGEMENT: 0x9d,
  CARD_AUTH: 0x9e,
} as const;

export type KeySlot = 0x9a | 0x9c | 0x9d | 0x9e;
export const KEY_SLOTS: readonly KeySlot[] = [0x9a, 0x9c, 0x9d, 0x9e];

export const SLOT_NAME: Record<KeySlot, string> = {
  0x9a: 'PIV Authentication',
  0x9c: 'Digital Signature',
  0x9d: 'Key Management',
  0x9e: 'Card Authentication',
};

/** Cryptographic mechanism identifiers (SP 800-78-4 Table 6-2). */
export const ALGORITHM = {
  TDES: 0x03,
  RSA1024: 0x06,
  RSA2048: 0x07,
  AES128: 0x08,
  AES192: 0x0a,
  AES256: 0x0c,
  ECCP256: 0x11,
  ECCP384: 0x14,
} as const;

export type KeyAlgorithm = 0x06 | 0x07 | 0x11 | 0x14;
export type ManagementAlgorithm = 0x03 | 0x08 | 0x0a | 0x0c;

/** Data objects (BER-TLV tags of the containers). */
export const OBJECT_ID = {
  CAPABILITY: 0x5fc107,
  CHUID: 0x5fc102,
  AUTHENTICATION: 0x5fc105,
  FINGERPRINTS: 0x5fc103,
  SECURITY: 0x5fc106,
  FACIAL: 0x5fc108,
  SIGNATURE: 0x5fc10a,
  KEY_MANAGEMENT: 0x5fc10b,
  CARD_AUTH: 0x5fc101,
  KEY_HISTORY: 0x5fc10c,
  DISCOVERY: 0x7e,
} as const;

/** The certificate object of each key slot. */
export const CERT_OBJECT: Record<KeySlot, number> = {
  0x9a: OBJECT_ID.AUTHENTICATION,
  0x9c: OBJECT_ID.SIGNATURE,
  0x9d: OBJECT_ID.KEY_MANAGEMENT,
  0x9e: OBJECT_ID.CARD_AUTH,
};

/** The PIV Card Application PIN (key reference 80) and PUK (81). */
export const PIN_REF = { PIN: 0x80, PUK: 0x81 } as const;

/** The management key of a new YubiKey (and of most PIV test cards): 3DES 0102…08 ×3. */
export const DEFAULT_MANAGEMENT_KEY = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8);

export function slotHex(slot: number): string {
  return slot.toString(16).padStart(2, '0');
}

export function parseSlot(s: string): KeySlot | undefined {
  const n = parseInt(s, 16);
  return (KEY_SLOTS as readonly number[]).includes(n) && /^[0-9a-f]{2}$/i.test(s) ? (n as KeySlot) : undefined;
}
