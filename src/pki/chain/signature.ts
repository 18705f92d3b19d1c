/**
 * Signature checks through the `VerifyFn` seam (src/crypto/types.ts). A verifier that cannot
 * handle an algorithm throws `PkiError('unsupported', ...)`; that becomes a failure that says so
 * (never a silent pass), marked `unsupported` so callers can tell it from a bad signature.
 */
import type { VerifyFn } from '../../crypto/types.ts';
import { PkiError } from '../../util/errors.ts';
import type { AlgorithmId } from './cert.ts';
import { oidName } from '../oids.ts';

/** The outcome of one signature check. */
export type SignatureCheck = { ok: true } | { ok: false; unsupported: boolean; reason: string };

/** Verifies `signature` over `data` with the key in `spki`. Never throws for bad input. */
export async function checkSignature(verify: VerifyFn, alg: AlgorithmId, spki: Uint8Array, data: Uint8Array, signature: Uint8Array): Promise<SignatureCheck> {
  try {
    const args: Parameters<VerifyFn>[0] = { algorithm: alg.oid, spki, data, signature };
    if (alg.params) args.parameters = alg.params;
    if (await verify(args)) return { ok: true };
    return { ok: false, unsupported: false, reason: `the ${oidName(alg.oid)} signature does not verify` };
  } catch (e) {
    if (e instanceof PkiError && e.code === 'unsupported') return { ok: false, unsupported: true, reason: e.message };
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    return { ok: false, unsupported: false, reason: `the ${oidName(alg.oid)} signature could not be checked (${(e as Error).message})` };
  }
}
