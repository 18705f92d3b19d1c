/**
 * `PivSigner`: the crypto/ `Signer` of a key that lives in a PIV slot. The host hashes and pads
 * (PKCS #1 v1.5 for RSA, the truncated hash for ECDSA — yubikit's `_pad_message`); the card only
 * does the raw private-key operation. Enrollment sees this Signer, never the device.
 *
 * Every signature is checked against the public key recorded when the key was made: a signature
 * that does not verify means another token is plugged in, or the slot's key was replaced.
 */
import type { HashAlg } from '../../core/api.ts';
import type { KeyInfo, Signer } from '../../crypto/types.ts';
import { TokenError } from '../errors.ts';
import { slotHex, type KeyAlgorithm, type KeySlot } from './constants.ts';
import { ecHashInput, pkcs1Pad } from './keys.ts';
import type { PivSession } from './session.ts';

export interface PivSignerOptions {
  slot: KeySlot;
  alg: KeyAlgorithm;
  key: KeyInfo;
  spki: Uint8Array;
  /** The session to use now (the owner reconnects and checks the login). */
  session(signal?: AbortSignal): Promise<PivSession>;
  digest(alg: HashAlg, data: Uint8Array): Promise<Uint8Array>;
  /** Verifies `sig` over `data` with `spki`; false = not this key. */
  check?(data: Uint8Array, hash: HashAlg, sig: Uint8Array): Promise<boolean>;
  /** Names the key in messages ("tok1 in usbtoken0: slot 9a"). */
  name: string;
}

const HASHES: readonly HashAlg[] = ['SHA-256', 'SHA-384', 'SHA-512', 'SHA-224', 'SHA-1'];

export class PivSigner implements Signer {
  readonly key: KeyInfo;
  readonly spki: Uint8Array;
  readonly hashes = HASHES;

  constructor(private readonly o: PivSignerOptions) {
    this.key = o.key;
    this.spki = o.spki;
  }

  async sign(data: Uint8Array, hash: HashAlg, signal?: AbortSignal): Promise<Uint8Array> {
    if (!HASHES.includes(hash)) throw new TokenError('not-supported', `piv.sign: ${hash} is not offered for token keys`);
    const digest = await this.o.digest(hash, data);
    const input = this.key.kind === 'rsa' ? pkcs1Pad(hash, digest, this.key.bits / 8) : ecHashInput(digest, this.key.curve);
    const session = await this.o.session(signal);
    const sig = await session.privateOp(this.o.slot, this.o.alg, input, signal);
    if (this.key.kind === 'rsa' && sig.length !== this.key.bits / 8)
      throw new TokenError('protocol', `piv.sign: slot ${slotHex(this.o.slot)} returned ${sig.length} bytes for an RSA-${this.key.bits} signature`);
    if (this.o.check && !(await this.o.check(data, hash, sig)))
      throw new TokenError('wrong-key', `piv.sign: the signature from slot ${slotHex(this.o.slot)} does not match the public key of ${this.o.name}: another token is plugged in, or the slot's key was replaced`);
    return sig;
  }
}
