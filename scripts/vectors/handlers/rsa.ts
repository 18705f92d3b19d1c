/**
 * Wycheproof handlers for the RSA group types of testvectors_v1:
 *
 * - `RsassaPkcs1Verify` (rsassa_pkcs1_verify_schema_v1.json): verify `sig` over `msg` with the
 *   group's SubjectPublicKeyInfo (`publicKeyDer`) and hash (`sha`);
 * - `RsassaPkcs1Generate` (rsassa_pkcs1_generate_schema_v1.json): sign `msg` with the group's
 *   PKCS#8 key and compare with `sig` byte for byte (PKCS#1 v1.5 is deterministic); the
 *   produced signature must also verify;
 * - `RsaesPkcs1Decrypt` / `RsaesOaepDecrypt`: decrypt `ct` (OAEP with `sha`, `mgfSha` and the
 *   test's `label`); accepted = a plaintext came out, which must equal `msg`;
 * - `RsassaPssVerify` / `RsassaPssWithParametersVerify`: verify with `sha`, MGF1 with
 *   `mgfSha` and salt length `sLen`; for the latter the key is an id-RSASSA-PSS SPKI whose
 *   RSASSA-PSS-params the core honours: parameters that differ from the group's reject.
 *
 * Any key size and any SHA-1/SHA-2 hash (SHA-224 ... SHA-512/256) run; only hashes the core
 * does not have (SHA-3, SHAKE) and MGFs other than MGF1 are skipped, with the reason.
 */
import { Io } from '../../../src/core/io.ts';
import type { CoreInstance } from '../../../src/core/instance.ts';
import { HASH_ID, type HashAlg } from '../../../src/core/ops/hash.ts';
import { rsaOps, type RsaExports, type RsaOps } from '../../../src/core/ops/rsa.ts';
import { bytesToHex, hexToBytes, type Verdict, type WycheproofGroup, type WycheproofHandler } from '../types.ts';

const cache = new WeakMap<CoreInstance, RsaOps>();

/** The RSA ops of a core instance (built from its exports when the instance lacks them). */
export function rsaOf(core: CoreInstance): RsaOps {
  const own = core as unknown as Partial<RsaOps>;
  if (typeof own.rsaVerifyPkcs1 === 'function') return own as RsaOps;
  let ops = cache.get(core);
  if (!ops) {
    const ex = core.exports as unknown as RsaExports;
    ops = rsaOps(ex, new Io(ex));
    cache.set(core, ops);
  }
  return ops;
}

/** Wycheproof hash names are the HashAlg names; anything else (SHA3-*, SHAKE*) is unsupported. */
const hashOf = (v: unknown): HashAlg | undefined =>
  typeof v === 'string' && Object.prototype.hasOwnProperty.call(HASH_ID, v) ? (v as HashAlg) : undefined;

const hexField = (v: unknown, name: string): Uint8Array => {
  if (typeof v !== 'string') throw new TypeError(`rsa: field ${name} is not a hex string`);
  return hexToBytes(v);
};

/** Checks the hash fields a group needs (PSS/OAEP: SHA-1/SHA-2 only); true or the reason to skip. */
function hashesSupported(group: WycheproofGroup, fields: string[], sha2Only = false): true | string {
  for (const f of fields) {
    if (group[f] === undefined) return `group has no ${f}`;
    if (!hashOf(group[f])) return `hash ${String(group[f])} is not implemented by the core`;
    if (sha2Only && group[f] === 'MD5') return 'MD5 is not supported for OAEP/PSS';
  }
  if (group['mgf'] !== undefined && group['mgf'] !== 'MGF1') return `mask generation function ${String(group['mgf'])} is not implemented`;
  return true;
}

interface KeyPrep {
  key?: Uint8Array;
  error?: string;
}

function prepKey(group: WycheproofGroup, field: string): KeyPrep {
  try {
    return { key: hexField(group[field], field) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** Runs an operation that may throw: a thrown error means "not accepted". */
function attempt<T>(f: () => T): { ok: true; value: T } | { ok: false } {
  try {
    return { ok: true, value: f() };
  } catch {
    return { ok: false };
  }
}

export const handlers: WycheproofHandler[] = [
  {
    groupTypes: ['RsassaPkcs1Verify'],
    supports: (_file, group) => hashesSupported(group, ['sha']),
    prepare: (_core, _file, group) => prepKey(group, 'publicKeyDer'),
    run(core, test, group, prepared): Verdict {
      const p = prepared as KeyPrep;
      if (!p.key) return { accepted: false };
      const key = p.key;
      const r = attempt(() => rsaOf(core).rsaVerifyPkcs1(key, hashOf(group['sha'])!, hexField(test['msg'], 'msg'), hexField(test['sig'], 'sig')));
      return { accepted: r.ok && r.value };
    },
  },
  {
    groupTypes: ['RsassaPkcs1Generate'],
    supports: (_file, group) => hashesSupported(group, ['sha']),
    prepare: (_core, _file, group) => prepKey(group, 'privateKeyPkcs8'),
    run(core, test, group, prepared): Verdict {
      const p = prepared as KeyPrep;
      if (!p.key) return { accepted: false };
      const key = p.key;
      const ops = rsaOf(core);
      const hash = hashOf(group['sha'])!;
      const msg = hexField(test['msg'], 'msg');
      const r = attempt(() => ops.rsaSignPkcs1(key, hash, msg));
      if (!r.ok) return { accepted: false };
      const want = String(test['sig'] ?? '').toLowerCase();
      const got = bytesToHex(r.value);
      if (got !== want) return { accepted: true, mismatch: `signature ${got}` };
      // the signature must also verify with the public half of the key
      const v = attempt(() => ops.rsaVerifyPkcs1(ops.rsaConvertKey(key, 'spki'), hash, msg, r.value));
      if (!v.ok || !v.value) return { accepted: true, mismatch: 'our own signature does not verify' };
      return { accepted: true };
    },
  },
  {
    groupTypes: ['RsaesPkcs1Decrypt'],
    supports: () => true,
    prepare: (_core, _file, group) => prepKey(group, 'privateKeyPkcs8'),
    run(core, test, _group, prepared): Verdict {
      const p = prepared as KeyPrep;
      if (!p.key) return { accepted: false };
      const key = p.key;
      const r = attempt(() => rsaOf(core).rsaDecryptPkcs1(key, hexField(test['ct'], 'ct')));
      if (!r.ok) return { accepted: false };
      const got = bytesToHex(r.value);
      return got === String(test['msg'] ?? '').toLowerCase() ? { accepted: true } : { accepted: true, mismatch: `plaintext ${got}` };
    },
  },
  {
    groupTypes: ['RsaesOaepDecrypt'],
    supports: (_file, group) => hashesSupported(group, ['sha', 'mgfSha'], true),
    prepare: (_core, _file, group) => prepKey(group, 'privateKeyPkcs8'),
    run(core, test, group, prepared): Verdict {
      const p = prepared as KeyPrep;
      if (!p.key) return { accepted: false };
      const key = p.key;
      const r = attempt(() =>
        rsaOf(core).rsaDecryptOaep(key, hashOf(group['sha'])!, hashOf(group['mgfSha'])!, hexField(test['label'] ?? '', 'label'), hexField(test['ct'], 'ct')),
      );
      if (!r.ok) return { accepted: false };
      const got = bytesToHex(r.value);
      return got === String(test['msg'] ?? '').toLowerCase() ? { accepted: true } : { accepted: true, mismatch: `plaintext ${got}` };
    },
  },
  {
    groupTypes: ['RsassaPssVerify', 'RsassaPssWithParametersVerify'],
    supports(_file, group) {
      const h = hashesSupported(group, ['sha', 'mgfSha'], true);
      if (h !== true) return h;
      if (typeof group['sLen'] !== 'number' || !Number.isInteger(group['sLen']) || group['sLen'] < 0) return `salt length ${String(group['sLen'])} is not a byte count`;
      return true;
    },
    prepare: (_core, _file, group) => prepKey(group, 'publicKeyDer'),
    run(core, test, group, prepared): Verdict {
      const p = prepared as KeyPrep;
      if (!p.key) return { accepted: false };
      const key = p.key;
      const r = attempt(() =>
        rsaOf(core).rsaVerifyPss(key, hashOf(group['sha'])!, hashOf(group['mgfSha'])!, group['sLen'] as number, hexField(test['msg'], 'msg'), hexField(test['sig'], 'sig')),
      );
      return { accepted: r.ok && r.value };
    },
  },
];
