/**
 * Certification path building (RFC 4158 ideas): a depth-first search from the end-entity
 * certificate towards the trust anchors, with backtracking, so that one bad candidate (an
 * expired cross-certificate, a CA whose name constraints forbid the leaf, a wrong key) never
 * hides a good path.
 *
 * - Candidate issuers of a certificate are the trust anchors and the untrusted intermediates
 *   whose subject equals its issuer name (RFC 5280 §7.1 comparison). They are tried in this
 *   order (RFC 4158 §3.5): trust anchors first; then candidates whose subjectKeyIdentifier
 *   equals the authorityKeyIdentifier of the certificate, then those without a key identifier,
 *   then those whose key identifier differs; within that, candidates valid at the validation
 *   time before the others; otherwise in input order.
 * - A candidate is taken only if it may issue certificates (`checkIssuer`) and the
 *   certificate's signature verifies with its key; results of signature checks are cached.
 * - A path ends at the first trust anchor reached; it is then checked as a whole
 *   (`checkPath`). If that fails, the search goes on.
 * - Loops are cut by never using the same subject + public key twice in one path
 *   (RFC 4158 §2.4.2), which also stops cross-certified CAs from cycling (a trust anchor may
 *   repeat one: the path ends there).
 * - The work is bounded: at most `maxIntermediates` intermediates per path, at most 100
 *   signature verifications and 2,000 candidate steps in all. Past the bound the search stops
 *   and fails (`limit`).
 *
 * - A DSA key without parameters inherits them from the key above it on the path (RFC 5280
 *   §6.1.4 (d)-(f)); the path is not known yet when such a key is met, so the signatures it
 *   made are checked once the path reaches an anchor, with the working parameters of that
 *   path, and the path carries the key with its parameters (for the CRLs it signed too).
 *
 * When no path validates, the reported failure is the most informative one seen: a complete
 * path that failed validation, over an unusable or wrongly signing issuer, over a missing
 * issuer; deeper failures win ties.
 */
import { toHexLower as hex } from '../../util/hex.ts';
import type { ChainCert } from './cert.ts';
import { formatName } from './name.ts';
import { checkSignature, type SignatureCheck } from './signature.ts';
import { dsaKeyKind, dsaParameters, withDsaParameters } from '../dsa.ts';
import { checkAnchorAki, checkIssuer, checkPath, type Failure, type ValidationParams } from './validate.ts';

/** Work bounds of one search. */
export const BUILD_LIMITS = { signatures: 100, steps: 2000 } as const;

class LimitReached extends Error {}

/** Builds and validates a path from `leaf` (already checked with `checkLeaf`). */
export async function buildPath(
  leaf: ChainCert,
  intermediates: readonly ChainCert[],
  anchors: readonly ChainCert[],
  p: ValidationParams,
  signal?: AbortSignal,
): Promise<{ path: ChainCert[] } | Failure> {
  const anchorSet = new Set(anchors);
  const seen = new Set<string>();
  const unique = (c: ChainCert) => {
    const k = `${c.der.length}|${hex(c.signature)}`; // the signature pins the whole certificate
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  };
  const bySubject = new Map<string, ChainCert[]>();
  for (const c of [...anchors, ...intermediates].filter(unique)) {
    const list = bySubject.get(c.subject.key);
    if (list) list.push(c);
    else bySubject.set(c.subject.key, [c]);
  }
  const issuerCheck = new Map<ChainCert, Failure | null>();
  const sigCache = new Map<ChainCert, Map<ChainCert, SignatureCheck>>();
  let signatures = 0;
  let steps = 0;
  let best: { f: Failure; rank: number; depth: number } | undefined;
  const note = (f: Failure, rank: number, depth: number) => {
    if (!best || rank > best.rank || (rank === best.rank && depth > best.depth)) best = { f, rank, depth };
  };

  const order = (cert: ChainCert, cands: ChainCert[]): ChainCert[] => {
    const score = (c: ChainCert) => {
      let s = anchorSet.has(c) ? 0 : 100;
      if (cert.authorityKeyId && c.subjectKeyId) s += sameBytes(cert.authorityKeyId, c.subjectKeyId) ? 0 : 20;
      else s += 10;
      if (p.time < c.notBefore || p.time > c.notAfter) s += 1;
      return s;
    };
    return cands.map((c, i) => ({ c, s: score(c), i })).sort((a, b) => a.s - b.s || a.i - b.i).map((x) => x.c);
  };

  const edge = async (child: ChainCert, parent: ChainCert): Promise<SignatureCheck> => {
    let m = sigCache.get(child);
    if (!m) sigCache.set(child, (m = new Map()));
    const hit = m.get(parent);
    if (hit) return hit;
    if (++signatures > BUILD_LIMITS.signatures) throw new LimitReached();
    const r = await checkSignature(p.verify, child.signatureAlgorithm, parent.spki, child.tbs, child.signature);
    m.set(parent, r);
    return r;
  };

  /** Signatures made by keys that inherit DSA parameters: checked when the path is complete. */
  const deferred: [child: ChainCert, parent: ChainCert][] = [];
  const inherits = (c: ChainCert) => dsaKeyKind(c.spki, c.spkiAlgorithm) === 'inherits';

  /**
   * The path with each parameter-less DSA key given the working parameters from above it, and
   * the deferred signatures checked with those keys; or the failure.
   */
  const withInherited = async (path: ChainCert[]): Promise<ChainCert[] | Failure> => {
    const out = [...path];
    let params: Uint8Array | undefined;
    for (let i = out.length - 1; i >= 0; i--) {
      const c = out[i]!;
      const kind = dsaKeyKind(c.spki, c.spkiAlgorithm);
      if (kind === 'with-params') params = dsaParameters(c.spki);
      else if (kind === 'none') params = undefined;
      else if (!params) return { code: 'signature', reason: `the DSA key of ${c.label} has no parameters and the certificate above it has no DSA key to inherit them from` };
      else out[i] = { ...c, spki: withDsaParameters(c.spki, params) };
    }
    for (const [child, parent] of deferred) {
      const key = out[path.indexOf(parent)]!.spki;
      if (++signatures > BUILD_LIMITS.signatures) throw new LimitReached();
      const r = await checkSignature(p.verify, child.signatureAlgorithm, key, child.tbs, child.signature);
      if (!r.ok) return { code: r.unsupported ? 'unsupported' : 'signature', reason: `certificate ${child.label}: ${r.reason} with the key of ${parent.label} (DSA parameters inherited)` };
    }
    return out;
  };

  const extend = async (chain: ChainCert[], onPath: Set<string>): Promise<ChainCert[] | null> => {
    const cur = chain[chain.length - 1]!;
    const depth = chain.length;
    const cands = order(cur, bySubject.get(cur.issuer.key) ?? []);
    let tried = 0;
    for (const cand of cands) {
      signal?.throwIfAborted();
      if (++steps > BUILD_LIMITS.steps) throw new LimitReached();
      const isAnchor = anchorSet.has(cand);
      // A path ends at an anchor, so an anchor cannot start a loop; letting it repeat an identity
      // accepts a leaf that is a re-issued copy of a trusted self-signed certificate.
      if (!isAnchor && onPath.has(cand.identity)) continue;
      tried++;
      if (!isAnchor && chain.length > p.maxIntermediates) {
        note({ code: 'path-too-long', reason: `no path to a trust anchor within ${p.maxIntermediates} intermediate certificates` }, 1, depth);
        continue;
      }
      let f = issuerCheck.get(cand);
      if (f === undefined) {
        f = checkIssuer(cand, isAnchor ? 'anchor' : 'intermediate', p) ?? (isAnchor ? await checkAnchorAki(cand, p) : null);
        issuerCheck.set(cand, f);
      }
      if (f) {
        note(f, 3, depth);
        continue;
      }
      const later = !isAnchor && inherits(cand);
      const sig: SignatureCheck = later ? { ok: true } : await edge(cur, cand);
      if (!sig.ok) {
        const reason = sig.unsupported ? `certificate ${cur.label} cannot be checked: ${sig.reason}` : `certificate ${cur.label}: ${sig.reason} with the key of ${cand.label}`;
        note({ code: sig.unsupported ? 'unsupported' : 'signature', reason }, 2, depth);
        continue;
      }
      if (isAnchor) {
        let path = [...chain, cand];
        if (deferred.length || path.some(inherits)) {
          const inh = await withInherited(path);
          if (!Array.isArray(inh)) {
            note(inh, 2, depth);
            continue;
          }
          path = inh;
        }
        const pf = await checkPath(path, p);
        if (!pf) return path;
        note(pf, 4, depth);
        continue;
      }
      if (later) deferred.push([cur, cand]);
      chain.push(cand);
      onPath.add(cand.identity);
      const r = await extend(chain, onPath);
      if (r) return r;
      chain.pop();
      onPath.delete(cand.identity);
      if (later) deferred.pop();
    }
    if (!tried) {
      const where = depth === 1 ? `certificate ${cur.label}` : `intermediate CA ${cur.label}`;
      const reason = cur.selfIssued
        ? `${where} is self-issued and not a trust anchor`
        : `no trusted path: the issuer ${formatName(cur.issuer)} of ${where} is neither a trust anchor nor among the intermediate certificates`;
      note({ code: 'untrusted', reason }, 1, depth);
    }
    return null;
  };

  try {
    const path = await extend([leaf], new Set([leaf.identity]));
    if (path) return { path };
  } catch (e) {
    if (!(e instanceof LimitReached)) throw e;
    if (!best || best.rank < 3)
      return { code: 'limit', reason: `path building gave up after ${signatures > BUILD_LIMITS.signatures ? `${BUILD_LIMITS.signatures} signature checks` : `${BUILD_LIMITS.steps} steps`} without finding a valid path` };
  }
  return best?.f ?? { code: 'untrusted', reason: `no path to a trust anchor was found for ${leaf.label}` };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
