/**
 * The crypto seam (STYLE.md §2a): what the PKI and enrollment layers need from a private key,
 * whoever holds it — WebCrypto (non-extractable CryptoKey), the WASM core, or a token.
 * Modelled on Go's crypto.Signer / crypto.Decrypter and smallstep's kms/apiv1.
 */
import type { HashAlg } from '../core/api.ts';

export type NamedCurve = 'P-256' | 'P-384' | 'P-521';

export type KeyInfo = { kind: 'rsa'; bits: number } | { kind: 'ec'; curve: NamedCurve };

/** A private key that signs. */
export interface Signer {
  readonly key: KeyInfo;
  /** The public key as SubjectPublicKeyInfo DER. */
  readonly spki: Uint8Array;
  /** Hashes this signer can sign with (a WebCrypto RSA key is bound to the one it was made for). */
  readonly hashes: readonly HashAlg[];
  /**
   * Signs `data` (the signer hashes it): RSASSA-PKCS1-v1_5 for RSA keys, ECDSA with a DER
   * (X9.62 Ecdsa-Sig-Value) signature for EC keys — the encodings X.509, PKCS#10 and CMS use.
   */
  sign(data: Uint8Array, hash: HashAlg, signal?: AbortSignal): Promise<Uint8Array>;
  /** Overwrites private material this signer holds in memory; it refuses to sign afterwards. */
  wipe?(): void;
}

/** A private key that decrypts CMS key transport (RSAES-PKCS1-v1_5). */
export interface Decrypter {
  readonly spki: Uint8Array;
  /** Throws one generic error for every failure (no padding oracle). */
  decryptPkcs1(ciphertext: Uint8Array, signal?: AbortSignal): Promise<Uint8Array>;
  /** Overwrites private material this decrypter holds in memory; it refuses afterwards. */
  wipe?(): void;
}

/** Verifies a signature with a public key (SPKI DER); false for any mismatch or bad input. */
export type VerifyFn = (args: {
  /** signatureAlgorithm OID (e.g. 1.2.840.113549.1.1.11 sha256WithRSAEncryption) */
  algorithm: string;
  /** DER of the AlgorithmIdentifier parameters, if any (RSASSA-PSS) */
  parameters?: Uint8Array;
  spki: Uint8Array;
  data: Uint8Array;
  signature: Uint8Array;
}) => Promise<boolean>;
