/**
 * Wycheproof handler for ECDSA verification groups: `EcdsaVerify` (DER `Ecdsa-Sig-Value`
 * signatures, schema ecdsa_verify_schema_v1.json) and `EcdsaP1363Verify` (r || s,
 * ecdsa_p1363_verify_schema_v1.json), on secp256r1 / secp384r1 / secp521r1 with any SHA-1 or
 * SHA-2 hash (FIPS 186-5 §6.4.2). Other curves (secp256k1, brainpool, secp224r1 ...) and
 * SHA-3 are skipped with a reason.
 *
 * The group key is the `publicKeyDer` SubjectPublicKeyInfo (so the core's SPKI parser and
 * point validation are exercised); should a file carry it with explicit curve parameters,
 * which the core does not accept, the named-curve SPKI is rebuilt from `publicKey.uncompressed`.
 * Each test is accepted iff `ecVerify` returns true; an error from the core is "not accepted".
 */
import type { CoreInstance } from '../../../src/core/instance.ts';
import { EcError, type EcCurve, type EcOps } from '../../../src/core/ops/ec.ts';
import type { HashAlg } from '../../../src/core/ops/hash.ts';
import { hexToBytes, type Verdict, type WycheproofGroup, type WycheproofHandler } from '../types.ts';

/** The EC ops of a core (CoreInstance carries them once the ec domain is wired in). */
const ops = (core: CoreInstance): EcOps => core as unknown as EcOps;

const CURVES: Readonly<Record<string, EcCurve>> = { secp256r1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };
const HASHES: Readonly<Record<string, HashAlg>> = {
  'SHA-1': 'SHA-1',
  'SHA-224': 'SHA-224',
  'SHA-256': 'SHA-256',
  'SHA-384': 'SHA-384',
  'SHA-512': 'SHA-512',
  'SHA-512/224': 'SHA-512/224',
  'SHA-512/256': 'SHA-512/256',
};
/** DER of SEQUENCE { SEQUENCE { id-ecPublicKey, namedCurve }, BIT STRING header } per curve (RFC 5480). */
const SPKI_PREFIX: Readonly<Record<EcCurve, string>> = {
  'P-256': '3059301306072a8648ce3d020106082a8648ce3d030107034200',
  'P-384': '3076301006072a8648ce3d020106052b81040022036200',
  'P-521': '30819b301006072a8648ce3d020106052b8104002303818600',
};

interface Prepared {
  spki: Uint8Array;
  hash: HashAlg;
  format: 'der' | 'p1363';
}

const curveOf = (group: WycheproofGroup): string => String((group['publicKey'] as { curve?: unknown } | undefined)?.curve ?? '');

function groupKey(core: CoreInstance, group: WycheproofGroup, curve: EcCurve): Uint8Array {
  const der = group['publicKeyDer'];
  const uncompressed = String((group['publicKey'] as { uncompressed?: unknown } | undefined)?.uncompressed ?? '');
  if (typeof der === 'string' && der) {
    const spki = hexToBytes(der);
    try {
      ops(core).ecKeyInfo(spki);
      return spki;
    } catch (e) {
      if (!(e instanceof EcError && e.reason === 'unsupported-curve') || !uncompressed) throw e;
    }
  }
  return hexToBytes(SPKI_PREFIX[curve] + uncompressed);
}

export const handlers: WycheproofHandler[] = [
  {
    groupTypes: ['EcdsaVerify', 'EcdsaP1363Verify'],
    supports(_file, group) {
      const curve = curveOf(group);
      if (!CURVES[curve]) return `curve ${curve || '(none)'} is not implemented by the core (P-256, P-384, P-521 only)`;
      const sha = String(group['sha'] ?? '');
      if (!HASHES[sha]) return `hash ${sha || '(none)'} is not available for ECDSA in the core (SHA-1 and SHA-2 only)`;
      return true;
    },
    prepare(core, _file, group): Prepared {
      const curve = CURVES[curveOf(group)]!;
      return {
        spki: groupKey(core, group, curve),
        hash: HASHES[String(group['sha'])]!,
        format: group.type === 'EcdsaP1363Verify' ? 'p1363' : 'der',
      };
    },
    run(core, test, _group, prepared): Verdict {
      const p = prepared as Prepared;
      try {
        const ok = ops(core).ecVerify(p.spki, p.hash, hexToBytes(String(test['msg'] ?? '')), hexToBytes(String(test['sig'] ?? '')), p.format);
        return { accepted: ok };
      } catch {
        return { accepted: false };
      }
    },
  },
];
