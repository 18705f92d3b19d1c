/**
 * Self-tests of the FAKE SCEP responder (tests/fakes/fake-scep.ts), refereed by outsiders:
 * - the real micromdm client `scepclient` (Debian package `scep`) enrolls against it, in CA
 *   and RA mode, and `openssl verify` accepts what it got;
 * - hand-built requests (CSR and envelope by `openssl req` / `openssl cms -encrypt`, the
 *   SignedData assembled here) drive every scripted action, and `openssl cms` parses, verifies
 *   and decrypts every CertRep and the GetNextCACert reply;
 * - CertPoll after PENDING (scepclient never polls: on PENDING it sleeps 30 s and re-sends the
 *   same PKCSReq; that run is opt-in with FAKE_SCEP_SLOW=1).
 */
import { spawnSync } from 'node:child_process';
import * as nc from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFakeScep, type FakeAction, type FakeScep } from '../../fakes/fake-scep.ts';
import {

  OID,
  algId,
  attrValue,
  certFields,
  child,
  content,
  csrFields,
  ctx,
  derNull,
  fromPem,
  int,
  octets,
  oid,
  parseBer,
  parseEnvelopedData,
  parseSignedData,
  printable,
  run,
  seq,
  set,
  sortDer,
  stringValue,
  toPem,
} from '../../fakes/fake-scep-pki.ts';

/** The 31-second scepclient PENDING run is registered only with FAKE_SCEP_SLOW=1 (README, "Tests"). */
const noSlowTest = (..._args: unknown[]): void => undefined;

// ---------------------------------------------------------------------------------------------
// Helpers: openssl (sync is fine here: no request is in flight while they run)

const tmp = mkdtempSync(join(tmpdir(), 'fake-scep-test-'));
let fileNo = 0;
const tmpFile = (name: string, data: Uint8Array | string): string => {
  const p = join(tmp, `${++fileNo}-${name}`);
  writeFileSync(p, data);
  return p;
};

function ossl(args: string[], input?: Uint8Array | string): { ok: boolean; out: Uint8Array; err: string } {
  const r = spawnSync('openssl', args, { input: input ?? '' });
  return { ok: r.status === 0, out: new Uint8Array(r.stdout), err: r.stderr.toString() };
}
function osslOk(args: string[], input?: Uint8Array | string): Uint8Array {
  const r = ossl(args, input);
  if (!r.ok) throw new Error(`openssl ${args.join(' ')}: ${r.err}`);
  return r.out;
}
const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');
const hex = (b: Uint8Array | undefined): string => Buffer.from(b ?? []).toString('hex');

/** A requester: RSA key, self-signed signer certificate, and a CSR (with challenge and SAN). */
interface Requester {
  keyPath: string;
  certPath: string;
  certDer: Uint8Array;
  key: nc.KeyObject;
  csrDer: Uint8Array;
}

function makeRequester(cn: string, challenge?: string, keys: { signer?: 'rsa' | 'ec'; csr?: 'same' | 'ec' } = {}): Requester {
  const keyPath = join(tmp, `${++fileNo}-req.key`);
  const certPath = join(tmp, `${fileNo}-signer.pem`);
  const newkey = keys.signer === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', 'rsa:2048'];
  osslOk(['req', '-x509', ...newkey, '-nodes', '-keyout', keyPath, '-out', certPath, '-subj', `/O=scep-test/CN=SCEP SIGNER ${cn}`, '-days', '1']);
  let csrKeyPath = keyPath;
  if (keys.csr === 'ec') {
    csrKeyPath = join(tmp, `${++fileNo}-csr.key`);
    osslOk(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', csrKeyPath]);
  }
  const cnf = tmpFile('csr.cnf', `[req]\ndistinguished_name=dn\nattributes=attrs\nprompt=no\nreq_extensions=ext\n[dn]\nO=Fake SCEP test\nCN=${cn}\n[attrs]\n${challenge ? `challengePassword=${challenge}\n` : ''}[ext]\nsubjectAltName=DNS:${cn}\n`);
  const csrDer = osslOk(['req', '-new', '-key', csrKeyPath, '-config', cnf, '-outform', 'DER']);
  return { keyPath, certPath, certDer: fromPem(readFileSync(certPath, 'utf8')), key: nc.createPrivateKey(readFileSync(keyPath)), csrDer };
}

/** ContentInfo(EnvelopedData) by `openssl cms -encrypt` (KTRI issuerAndSerialNumber, RSAES-PKCS1-v1_5). */
function envelopeTo(plain: Uint8Array, recipientDer: Uint8Array, cipher = '-aes128'): Uint8Array {
  return osslOk(['cms', '-encrypt', '-binary', '-outform', 'DER', cipher, tmpFile('rcpt.pem', toPem(recipientDer))], plain);
}

/**
 * A SCEP pkiMessage (RFC 8894 §3.2) assembled here: SignedData, SHA-256, sha256WithRSAEncryption,
 * signed attributes DER-sorted unless `unsorted` (then sorted descending and signed as sent).
 */
function pkiMessage(r: Requester, o: { messageType: number; tid: string; nonce: Uint8Array; envelope: Uint8Array; unsorted?: boolean }): Uint8Array {
  const f = certFields(r.certDer);
  const attr = (t: string, v: Uint8Array): Uint8Array => seq(oid(t), set(v));
  let attrs = sortDer([
    attr(OID.contentType, oid(OID.data)),
    attr(OID.messageDigest, octets(nc.createHash('sha256').update(o.envelope).digest())),
    attr(OID.scepMessageType, printable(String(o.messageType))),
    attr(OID.scepTransactionId, printable(o.tid)),
    attr(OID.scepSenderNonce, octets(o.nonce)),
  ]);
  if (o.unsorted) attrs = attrs.reverse();
  const sig = nc.sign('sha256', set(...attrs), r.key);
  const sigAlg = r.key.asymmetricKeyType === 'ec' ? algId('1.2.840.10045.4.3.2') : algId('1.2.840.113549.1.1.11', derNull());
  const si = seq(int(1), seq(f.issuer, f.serial), algId(OID.sha256), ctx(0, ...attrs), sigAlg, octets(sig));
  const sd = seq(int(1), set(algId(OID.sha256)), seq(oid(OID.data), ctx(0, octets(o.envelope))), ctx(0, r.certDer), set(si));
  return seq(oid(OID.signedData), ctx(0, sd));
}

interface Reply {
  status: number;
  type: string;
  headers: Headers;
  body: Uint8Array;
}

async function get(fake: FakeScep, query: string): Promise<Reply> {
  const res = await fetch(`${fake.url}?${query}`);
  return { status: res.status, type: res.headers.get('content-type') ?? '', headers: res.headers, body: new Uint8Array(await res.arrayBuffer()) };
}
async function post(fake: FakeScep, body: Uint8Array): Promise<Reply> {
  const res = await fetch(`${fake.url}?operation=PKIOperation`, { method: 'POST', body: new Uint8Array(body), headers: { 'Content-Type': 'application/x-pki-message' } });
  return { status: res.status, type: res.headers.get('content-type') ?? '', headers: res.headers, body: new Uint8Array(await res.arrayBuffer()) };
}

/** The SCEP attributes of a CertRep. */
function repAttrs(der: Uint8Array) {
  const sd = parseSignedData(der);
  const si = sd.signerInfos[0]!;
  const s = (o: string): string | undefined => {
    const v = attrValue(si.signedAttrs, o);
    return v ? stringValue(v) : undefined;
  };
  const b = (o: string): Uint8Array | undefined => {
    const v = attrValue(si.signedAttrs, o);
    return v ? new Uint8Array(content(v)) : undefined;
  };
  const failTextNode = attrValue(si.signedAttrs, OID.scepFailInfoText);
  return {
    sd,
    si,
    messageType: s(OID.scepMessageType),
    pkiStatus: s(OID.scepPkiStatus),
    failInfo: s(OID.scepFailInfo),
    failInfoText: failTextNode ? stringValue(failTextNode) : undefined,
    failInfoTextTag: failTextNode?.tag,
    transactionID: s(OID.scepTransactionId),
    senderNonce: b(OID.scepSenderNonce),
    recipientNonce: b(OID.scepRecipientNonce),
    printableTags: [OID.scepMessageType, OID.scepPkiStatus, OID.scepTransactionId].map((o) => attrValue(si.signedAttrs, o)?.tag),
    sorted: si.signedAttrs!.every((a, i) => hex(a.raw) === hex(sortDer(si.signedAttrs!.map((x) => x.raw))[i])),
  };
}

/** `openssl cms -verify` against `caDer` (any purpose); returns the content or throws. */
function cmsVerify(der: Uint8Array, caDer: Uint8Array, detached = false): Uint8Array {
  const args = ['cms', '-verify', '-inform', 'DER', '-binary', '-CAfile', tmpFile('ca.pem', toPem(caDer)), '-purpose', 'any'];
  if (detached) args.push('-content', '/dev/null');
  return osslOk(args, der);
}

/** Opens a CertRep envelope with the requester's key; returns the certificates of the degenerate PKCS#7 (DER, in order). */
function openCertRep(der: Uint8Array, r: Requester): Uint8Array[] {
  const { sd } = repAttrs(der);
  const inner = osslOk(['cms', '-decrypt', '-inform', 'DER', '-binary', '-recip', r.certPath, '-inkey', r.keyPath], sd.eContent!);
  const pem = text(osslOk(['pkcs7', '-inform', 'DER', '-print_certs'], inner));
  return [...pem.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)].map((m) => fromPem(m[0]));
}

const ktriRecipients = (der: Uint8Array) => parseEnvelopedData(parseSignedData(der).eContent!);
const nonce = (): Uint8Array => new Uint8Array(nc.randomBytes(16));
const tidOf = (): string => `T${nc.randomBytes(10).toString('hex')}`;

/** Requesters reused across transactions (RSA key generation dominates the run time). */
const requesters = new Map<string, Requester>();

/** A PKCSReq (fresh transactionID and nonce) to the fake's CA (or `recipient`). */
function pkcsReq(fake: FakeScep, o: { cipher?: string; recipient?: Uint8Array; unsorted?: boolean; challenge?: string; messageType?: number } = {}) {
  const challenge = o.challenge ?? 'sesame';
  let r = requesters.get(challenge);
  if (!r) requesters.set(challenge, (r = makeRequester(`host-${++fileNo}.fake.test`, challenge)));
  const env = envelopeTo(r.csrDer, o.recipient ?? fake.caDer, o.cipher);
  const tid = tidOf();
  const n = nonce();
  const msg = pkiMessage(r, { messageType: o.messageType ?? 19, tid, nonce: n, envelope: env, ...(o.unsorted ? { unsorted: true } : {}) });
  return { r, tid, nonce: n, msg };
}

const scepclientMissing = !existsSync('/usr/bin/scepclient');
/** Runs the real scepclient (async: the fake lives in this event loop). */
async function scepclient(fake: FakeScep, cn: string, challenge: string) {
  if (scepclientMissing) throw new Error('scepclient not installed: apt-get install -y scep');
  const d = mkdtempSync(join(tmp, 'sc-'));
  const r = await run('scepclient', ['-server-url', fake.url, '-private-key', join(d, 'key.pem'), '-cn', cn, '-challenge', challenge, '-debug']);
  return { ...r, dir: d, out: text(r.stdout) };
}

let fake: FakeScep;
beforeAll(async () => {
  fake = await startFakeScep();
});
afterAll(async () => {
  await fake?.close();
  rmSync(tmp, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------

describe('HTTP surface', () => {
  test('listens on 127.0.0.1 only', () => {
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/scep$/);
    expect(fake.caPem).toBe(toPem(fake.caDer));
    expect(ossl(['x509', '-inform', 'DER', '-noout', '-subject'], fake.caDer).ok).toBe(true);
  });

  test('GetCACaps (default caps verbatim), GetCACert (DER CA), CORS headers on every reply', async () => {
    const caps = await get(fake, 'operation=GetCACaps');
    expect([caps.status, caps.type, text(caps.body)]).toEqual([200, 'text/plain', 'POSTPKIOperation\nSHA-256\nAES\nDES3\nRenewal\nSCEPStandard\nGetNextCACert']);
    const ca = await get(fake, 'operation=GetCACert&message=whatever');
    expect([ca.status, ca.type, hex(ca.body)]).toEqual([200, 'application/x-x509-ca-cert', hex(fake.caDer)]);
    for (const r of [caps, ca]) {
      expect(r.headers.get('access-control-allow-origin')).toBe('*');
      expect(r.headers.get('access-control-expose-headers')).toBe('Content-Type, Content-Length');
    }
    const posted = await fetch(`${fake.url}?operation=GetCACaps`, { method: 'POST' });
    expect(await posted.text()).toContain('POSTPKIOperation');
  });

  test('OPTIONS preflight → 204 with the CORS grants; unknown operation → 400 text/plain', async () => {
    const o = await fetch(`${fake.url}?operation=PKIOperation`, { method: 'OPTIONS', headers: { Origin: 'http://localhost:5173', 'Access-Control-Request-Method': 'POST' } });
    expect(o.status).toBe(204);
    expect(Object.fromEntries(['access-control-allow-origin', 'access-control-allow-methods', 'access-control-allow-headers', 'access-control-allow-private-network'].map((h) => [h, o.headers.get(h)]))).toEqual({
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-allow-headers': 'Content-Type',
      'access-control-allow-private-network': 'true',
    });
    for (const q of ['operation=getcacaps', 'operation=Nope', '']) {
      const r = await get(fake, q);
      expect([r.status, r.type.startsWith('text/plain'), r.headers.get('access-control-allow-origin')]).toEqual([400, true, '*']);
    }
    expect(fake.requests.some((r) => r.method === 'OPTIONS' && r.operation === 'PKIOperation')).toBe(true);
    expect(fake.requests.some((r) => r.operation === 'Nope')).toBe(true);
  });

  test('custom caps are sent verbatim', async () => {
    const f = await startFakeScep({ caps: 'SHA-1\nDES3' });
    try {
      expect(text((await get(f, 'operation=GetCACaps')).body)).toBe('SHA-1\nDES3');
    } finally {
      await f.close();
    }
  });
});

describe('the real scepclient (micromdm) against the fake', () => {
  test('non-RA: enrolls; openssl verify passes; requests show PKCSReq, transactionID and the challenge', async () => {
    const before = fake.requests.length;
    const r = await scepclient(fake, 'client1.fake.test', 'open-sesame');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('pkiStatus=SUCCESS');
    const clientPem = readFileSync(join(r.dir, 'client.pem'), 'utf8');
    expect(text(osslOk(['verify', '-CAfile', tmpFile('ca.pem', fake.caPem)], clientPem))).toContain(': OK');
    const subject = text(osslOk(['x509', '-noout', '-subject', '-nameopt', 'RFC2253'], clientPem));
    expect(subject).toContain('CN=client1.fake.test');
    const seen = fake.requests.slice(before);
    expect(seen.map((q) => `${q.method} ${q.operation}`)).toEqual(['GET GetCACert', 'GET GetCACaps', 'POST PKIOperation']);
    const op = seen[2]!;
    const tidLogged = /transaction_id="([^"]+)"/.exec(r.stderr)?.[1];
    expect(op).toMatchObject({ messageType: 19, transactionID: tidLogged, challengePassword: 'open-sesame', signatureValid: true, attributesDerSorted: true, digestOid: OID.sha1, contentCipherOid: OID.desCbc, recipientSerial: '01', action: 'success' });
    expect(op.senderNonce).toHaveLength(16);
    expect(hex(op.signerCert)).toBe(hex(op.certificates?.[0]));
    expect(csrFields(op.content!).challengePassword).toBe('open-sesame');
    expect(hex(fake.issued.at(-1))).toBe(hex(fromPem(clientPem)));
  });

  test('RA mode (proper KeyUsage): scepclient reads the RA chain, encrypts to it, verifies the RA-signed reply', async () => {
    const f = await startFakeScep({ ra: { keyUsage: 'proper' } });
    try {
      const ca = await get(f, 'operation=GetCACert');
      expect(ca.type).toBe('application/x-x509-ca-ra-cert');
      const chain = parseSignedData(ca.body);
      expect(chain.signerInfos).toHaveLength(0);
      expect(chain.certificates.map(hex)).toEqual([f.raSignDer, f.raEncryptDer, f.caDer].map(hex));
      const r = await scepclient(f, 'ra-client.fake.test', 'pw');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain('msg=cacertlist count=3');
      const clientPem = readFileSync(join(r.dir, 'client.pem'), 'utf8');
      expect(text(osslOk(['verify', '-CAfile', tmpFile('ca.pem', f.caPem)], clientPem))).toContain(': OK');
      const op = f.requests.find((q) => q.operation === 'PKIOperation')!;
      expect(op).toMatchObject({ messageType: 19, signatureValid: true, challengePassword: 'pw', action: 'success', recipientSerial: certFields(f.raEncryptDer!).serialHex });
      expect(op.content).toBeDefined();
    } finally {
      await f.close();
    }
  });

  (process.env.FAKE_SCEP_SLOW ? test : noSlowTest)('PENDING then SUCCESS: scepclient sleeps 30 s and re-sends the same PKCSReq (opt-in: FAKE_SCEP_SLOW=1)', { timeout: 90_000 }, async () => {
    const f = await startFakeScep({ script: ['pending'] });
    try {
      const r = await scepclient(f, 'pending.fake.test', 'pw');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain('pkiStatus=PENDING');
      const ops = f.requests.filter((q) => q.operation === 'PKIOperation');
      expect(ops.map((q) => [q.messageType, q.action])).toEqual([[19, 'pending'], [19, 'success']]);
      expect(ops[1]!.transactionID).toBe(ops[0]!.transactionID);
      expect(hex(ops[1]!.senderNonce)).toBe(hex(ops[0]!.senderNonce)); // the very same message
    } finally {
      await f.close();
    }
  });
});

describe('CertReps, refereed by openssl', () => {
  test('SUCCESS: verifies to the CA, attributes as RFC 8894 §3.3.2 says, envelope opens with the requester key', async () => {
    fake.setScript([], 'success');
    const q = pkcsReq(fake);
    const res = await post(fake, q.msg);
    expect([res.status, res.type]).toEqual([200, 'application/x-pki-message']);
    expect(ossl(['cms', '-cmsout', '-print', '-inform', 'DER'], res.body).ok).toBe(true);
    const env = cmsVerify(res.body, fake.caDer); // signature + messageDigest + chain
    const a = repAttrs(res.body);
    expect([a.messageType, a.pkiStatus, a.transactionID, a.failInfo, hex(a.recipientNonce)]).toEqual(['3', '0', q.tid, undefined, hex(q.nonce)]);
    expect(a.printableTags).toEqual([0x13, 0x13, 0x13]);
    expect(a.senderNonce).toHaveLength(16);
    expect(hex(a.senderNonce)).not.toBe(hex(q.nonce));
    expect(a.sorted).toBe(true);
    expect(a.si.digestOid).toBe(OID.sha256);
    expect(a.sd.certificates.map(hex)).toEqual([hex(fake.caDer)]); // the issued cert is NOT in the clear
    expect(hex(env)).toBe(hex(a.sd.eContent));
    const rcpt = ktriRecipients(res.body);
    expect(rcpt.cipherOid).toBe(OID.aes128cbc);
    expect(rcpt.recipients.map((x) => x.serialHex)).toEqual([certFields(q.r.certDer).serialHex]);
    const certs = openCertRep(res.body, q.r);
    expect(certs.map(hex).slice(1)).toEqual([hex(fake.caDer)]);
    const issued = certs[0]!;
    expect(hex(issued)).toBe(hex(fake.issued.at(-1)));
    // the issued cert: CSR's key and subject, SAN copied, signed by the CA
    const csrPub = text(osslOk(['req', '-inform', 'DER', '-noout', '-pubkey'], q.r.csrDer));
    expect(text(osslOk(['x509', '-inform', 'DER', '-noout', '-pubkey'], issued))).toBe(csrPub);
    expect(hex(certFields(issued).subject)).toBe(hex(csrFields(q.r.csrDer).subject));
    expect(text(osslOk(['x509', '-inform', 'DER', '-noout', '-ext', 'subjectAltName'], issued))).toContain('DNS:host-');
    expect(text(osslOk(['verify', '-CAfile', tmpFile('ca.pem', fake.caPem)], toPem(issued)))).toContain(': OK');
    // what the fake recorded
    const rec = fake.requests.at(-1)!;
    expect(rec).toMatchObject({ method: 'POST', operation: 'PKIOperation', messageType: 19, transactionID: q.tid, digestOid: OID.sha256, contentCipherOid: OID.aes128cbc, recipientSerial: '01', attributesDerSorted: true, signatureValid: true, challengePassword: 'sesame', action: 'success' });
    expect([hex(rec.senderNonce), hex(rec.signerCert), hex(rec.content)]).toEqual([hex(q.nonce), hex(q.r.certDer), hex(q.r.csrDer)]);
  });

  test('a 3DES request gets a 3DES reply; serials increase', async () => {
    const q = pkcsReq(fake, { cipher: '-des3' });
    const res = await post(fake, q.msg);
    expect(fake.requests.at(-1)!.contentCipherOid).toBe(OID.desEde3Cbc);
    expect(ktriRecipients(res.body).cipherOid).toBe(OID.desEde3Cbc);
    const issued = openCertRep(res.body, q.r)[0]!;
    const serials = fake.issued.map((c) => Number.parseInt(certFields(c).serialHex, 16));
    expect(serials.at(-1)).toBe(Number.parseInt(certFields(issued).serialHex, 16));
    expect(serials.every((s, i) => i === 0 || s > serials[i - 1]!)).toBe(true);
  });

  test('FAILURE: failInfo PrintableString and failInfoText UTF8String, no content; PENDING: no content', async () => {
    fake.setScript([{ failure: 2, text: 'Nope — not today' }, { failure: 0 }, 'pending']);
    for (const [status, fi, ft] of [['2', '2', 'Nope — not today'], ['2', '0', undefined], ['3', undefined, undefined]] as const) {
      const q = pkcsReq(fake);
      const res = await post(fake, q.msg);
      expect(ossl(['cms', '-cmsout', '-print', '-inform', 'DER'], res.body).ok).toBe(true);
      cmsVerify(res.body, fake.caDer, true); // messageDigest is over the empty content
      const a = repAttrs(res.body);
      expect([a.pkiStatus, a.failInfo, a.failInfoText, a.transactionID, hex(a.recipientNonce)]).toEqual([status, fi, ft, q.tid, hex(q.nonce)]);
      if (ft) expect(a.failInfoTextTag).toBe(0x0c);
      expect(a.sd.eContent).toBeUndefined();
      expect(a.sorted).toBe(true);
    }
    expect(fake.requests.slice(-3).map((r) => r.action)).toEqual([{ failure: 2, text: 'Nope — not today' }, { failure: 0 }, 'pending']);
  });

  test('GetNextCACert: SignedData by the current CA over id-data = degenerate PKCS#7 [next CA]', async () => {
    const res = await get(fake, 'operation=GetNextCACert');
    expect([res.status, res.type]).toEqual([200, 'application/x-x509-next-ca-cert']);
    expect(ossl(['cms', '-cmsout', '-print', '-inform', 'DER'], res.body).ok).toBe(true);
    const inner = cmsVerify(res.body, fake.caDer);
    const pem = text(osslOk(['pkcs7', '-inform', 'DER', '-print_certs'], inner));
    expect(hex(fromPem(pem))).toBe(hex(fake.nextCaDer));
    expect(pem.match(/BEGIN CERTIFICATE/g)).toHaveLength(1);
    const sd = parseSignedData(res.body);
    expect(sd.eContentType).toBe(OID.data);
    expect(hex(sd.signerInfos[0]!.sidSerial)).toBe(hex(certFields(fake.caDer).serial));
    expect(hex(sd.signerInfos[0]!.sidIssuer)).toBe(hex(certFields(fake.caDer).issuer));
    expect(hex(certFields(fake.nextCaDer).subject)).not.toBe(hex(certFields(fake.caDer).subject));
    // another CA does not verify it
    const other = await startFakeScep();
    try {
      expect(() => cmsVerify(res.body, other.caDer)).toThrow();
    } finally {
      await other.close();
    }
  });
});

describe('PENDING → CertPoll (hand-built; scepclient does not poll)', () => {
  test('the CSR of the pending transaction is issued on the later SUCCESS', async () => {
    fake.setScript(['pending', 'success']);
    const q = pkcsReq(fake);
    const first = repAttrs((await post(fake, q.msg)).body);
    expect(first.pkiStatus).toBe('3');
    const ias = seq(certFields(fake.caDer).subject, csrFields(q.r.csrDer).subject);
    const n = nonce();
    const poll = pkiMessage(q.r, { messageType: 20, tid: q.tid, nonce: n, envelope: envelopeTo(ias, fake.caDer) });
    const res = await post(fake, poll);
    const a = repAttrs(res.body);
    expect([a.pkiStatus, a.transactionID, hex(a.recipientNonce)]).toEqual(['0', q.tid, hex(n)]);
    cmsVerify(res.body, fake.caDer);
    const issued = openCertRep(res.body, q.r)[0]!;
    expect(text(osslOk(['x509', '-inform', 'DER', '-noout', '-pubkey'], issued))).toBe(text(osslOk(['req', '-inform', 'DER', '-noout', '-pubkey'], q.r.csrDer)));
    const rec = fake.requests.at(-1)!;
    expect(rec).toMatchObject({ messageType: 20, transactionID: q.tid, action: 'success' });
    expect(hex(rec.content)).toBe(hex(ias));
    expect(rec.challengePassword).toBeUndefined();
  });

  test('CertPoll for an unknown transaction → FAILURE badCertId (4)', async () => {
    fake.setScript(['success']);
    const r = makeRequester('nobody.fake.test');
    const ias = seq(certFields(fake.caDer).subject, csrFields(r.csrDer).subject);
    const res = await post(fake, pkiMessage(r, { messageType: 20, tid: tidOf(), nonce: nonce(), envelope: envelopeTo(ias, fake.caDer) }));
    expect(repAttrs(res.body).failInfo).toBe('4');
    expect(fake.requests.at(-1)!.action).toMatchObject({ failure: 4 });
  });

  test('GetCert (21) returns an issued certificate by serial', async () => {
    fake.setScript([]);
    const target = fake.issued[0]!;
    const r = makeRequester('getcert.fake.test');
    const ias = seq(certFields(fake.caDer).subject, certFields(target).serial);
    const res = await post(fake, pkiMessage(r, { messageType: 21, tid: tidOf(), nonce: nonce(), envelope: envelopeTo(ias, fake.caDer) }));
    expect(openCertRep(res.body, r).map(hex)).toEqual([hex(target)]);
  });
});

describe('fault actions do exactly what they say', () => {
  const scripted = async (action: FakeAction) => {
    fake.setScript([action]);
    const q = pkcsReq(fake);
    const res = await post(fake, q.msg);
    return { q, res };
  };

  test('garbage: 300 bytes of x-pki-message that nobody can parse', async () => {
    const { res } = await scripted('garbage');
    expect([res.status, res.type, res.body.length]).toEqual([200, 'application/x-pki-message', 300]);
    expect(ossl(['cms', '-cmsout', '-print', '-inform', 'DER'], res.body).ok).toBe(false);
    expect(() => parseSignedData(res.body)).toThrow();
  });

  test('truncated: the first half of a valid SUCCESS CertRep', async () => {
    const { res } = await scripted('truncated');
    expect(res.status).toBe(200);
    const b = res.body;
    expect([b[0], b[1]]).toEqual([0x30, 0x82]);
    const declared = 4 + ((b[2]! << 8) | b[3]!);
    expect(b.length).toBe(Math.floor(declared / 2)); // a prefix of a message of `declared` bytes
    expect(ossl(['cms', '-cmsout', '-print', '-inform', 'DER'], b).ok).toBe(false);
    expect(hex(b.subarray(4, 15))).toBe(hex(seq(oid(OID.signedData)).subarray(2))); // starts like a SignedData
    expect(fake.requests.at(-1)!.action).toBe('truncated');
  });

  test('wrong-nonce: valid, but recipientNonce is not the sent senderNonce', async () => {
    const { q, res } = await scripted('wrong-nonce');
    cmsVerify(res.body, fake.caDer);
    const a = repAttrs(res.body);
    expect(a.recipientNonce).toHaveLength(16);
    expect(hex(a.recipientNonce)).not.toBe(hex(q.nonce));
    expect([a.pkiStatus, a.transactionID]).toEqual(['0', q.tid]);
    expect(openCertRep(res.body, q.r)).toHaveLength(2);
  });

  test('wrong-transaction: valid, but another transactionID', async () => {
    const { q, res } = await scripted('wrong-transaction');
    cmsVerify(res.body, fake.caDer);
    const a = repAttrs(res.body);
    expect(a.transactionID).toMatch(/^[A-Za-z0-9]+$/);
    expect(a.transactionID).not.toBe(q.tid);
    expect(hex(a.recipientNonce)).toBe(hex(q.nonce));
  });

  test('wrong-signer: signed by a self-signed "Mallory CA", not the CA', async () => {
    const { q, res } = await scripted('wrong-signer');
    const a = repAttrs(res.body);
    expect(a.sd.certificates).toHaveLength(1);
    const signer = a.sd.certificates[0]!;
    expect(hex(a.si.sidSerial)).toBe(hex(certFields(signer).serial));
    expect(hex(certFields(signer).issuer)).not.toBe(hex(certFields(fake.caDer).subject));
    expect(text(osslOk(['x509', '-inform', 'DER', '-noout', '-subject'], signer))).toContain('Mallory CA');
    expect(() => cmsVerify(res.body, fake.caDer)).toThrow();
    cmsVerify(res.body, signer); // the signature itself is fine
    expect([a.pkiStatus, a.transactionID, hex(a.recipientNonce)]).toEqual(['0', q.tid, hex(q.nonce)]);
    expect(openCertRep(res.body, q.r)).toHaveLength(2);
  });

  test('http: status and text/plain body (default body = the status text)', async () => {
    let { res } = await scripted({ http: 500, body: 'boom' });
    expect([res.status, res.type, text(res.body), res.headers.get('access-control-allow-origin')]).toEqual([500, 'text/plain; charset=utf-8', 'boom', '*']);
    ({ res } = await scripted({ http: 503 }));
    expect([res.status, text(res.body)]).toEqual([503, 'Service Unavailable']);
  });

  test('drop: the socket is destroyed without an answer ("socket hang up")', async () => {
    fake.setScript(['drop']);
    const q = pkcsReq(fake);
    const err = await new Promise<Error>((resolve) => {
      const req = http.request(`${fake.url}?operation=PKIOperation`, { method: 'POST', agent: false }, (res) => resolve(new Error(`got HTTP ${res.statusCode}`)));
      req.on('error', resolve);
      req.end(q.msg);
    });
    expect(err.message).toBe('socket hang up');
    expect(fake.requests.at(-1)!).toMatchObject({ action: 'drop', messageType: 19, transactionID: q.tid });
    // the fake lives on
    expect((await get(fake, 'operation=GetCACaps')).status).toBe(200);
  });

  test('script order, then `then`, and setScript replacing the rest', async () => {
    const f = await startFakeScep({ script: ['pending', { failure: 3 }], then: { http: 418, body: 'teapot' } });
    try {
      const statuses: string[] = [];
      for (let i = 0; i < 4; i++) {
        if (i === 3) f.setScript(['pending'], 'success');
        const res = await post(f, pkcsReq(f).msg);
        statuses.push(res.status === 200 ? `${repAttrs(res.body).pkiStatus}/${repAttrs(res.body).failInfo ?? '-'}` : `${res.status} ${text(res.body)}`);
      }
      statuses.push(repAttrs((await post(f, pkcsReq(f).msg)).body).pkiStatus!);
      expect(statuses).toEqual(['3/-', '2/3', '418 teapot', '3/-', '0']);
    } finally {
      await f.close();
    }
  });
});

describe('request checks', () => {
  test('undecryptable envelope → FAILURE badMessageCheck for success, but content-free actions still answer', async () => {
    const stranger = makeRequester('stranger.fake.test');
    fake.setScript(['success', 'pending', { failure: 4 }]);
    const got: string[] = [];
    for (let i = 0; i < 3; i++) {
      const q = pkcsReq(fake, { recipient: stranger.certDer });
      const a = repAttrs((await post(fake, q.msg)).body);
      got.push(`${a.pkiStatus}/${a.failInfo ?? '-'}`);
      const rec = fake.requests.at(-1)!;
      expect([rec.content, rec.signatureValid, rec.recipientSerial]).toEqual([undefined, true, certFields(stranger.certDer).serialHex]);
    }
    expect(got).toEqual(['2/1', '3/-', '2/4']);
  });

  test('signed attributes not in DER order → recorded, signature invalid, FAILURE badMessageCheck', async () => {
    fake.setScript(['success']);
    const q = pkcsReq(fake, { unsorted: true });
    const a = repAttrs((await post(fake, q.msg)).body);
    expect([a.pkiStatus, a.failInfo]).toEqual(['2', '1']);
    expect(fake.requests.at(-1)!).toMatchObject({ attributesDerSorted: false, signatureValid: false });
    expect(fake.requests.at(-1)!.content).toBeDefined(); // decryption does not depend on the signature
  });

  test('ECDSA: an EC CSR (RSA signer) is issued; an EC signer verifies but gets FAILURE badAlg (no RSA to envelope to)', async () => {
    fake.setScript(['success', 'success']);
    const mixed = makeRequester('ec-csr.fake.test', 'pw', { csr: 'ec' });
    const m = await post(fake, pkiMessage(mixed, { messageType: 19, tid: tidOf(), nonce: nonce(), envelope: envelopeTo(mixed.csrDer, fake.caDer) }));
    const issued = openCertRep(m.body, mixed)[0]!;
    expect(text(osslOk(['x509', '-inform', 'DER', '-noout', '-text'], issued))).toContain('id-ecPublicKey');
    const ec = makeRequester('ec-signer.fake.test', 'pw', { signer: 'ec' });
    const e = repAttrs((await post(fake, pkiMessage(ec, { messageType: 19, tid: tidOf(), nonce: nonce(), envelope: envelopeTo(ec.csrDer, fake.caDer) }))).body);
    expect([e.pkiStatus, e.failInfo]).toEqual(['2', '0']);
    expect(fake.requests.at(-1)!).toMatchObject({ signatureValid: true, challengePassword: 'pw' });
  });

  test('a body that is not a SignedData → 400 text/plain', async () => {
    fake.setScript(['success']);
    const res = await post(fake, Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00));
    expect([res.status, res.type]).toEqual([400, 'text/plain; charset=utf-8']);
    expect(text(res.body)).toContain('malformed PKIMessage');
  });

  test('GET PKIOperation: percent-encoded standard base64 works; a raw "+" is flagged', async () => {
    fake.setScript([]);
    let q = pkcsReq(fake);
    let b64 = Buffer.from(q.msg).toString('base64');
    const res = await get(fake, `operation=PKIOperation&message=${encodeURIComponent(b64)}`);
    expect(repAttrs(res.body).pkiStatus).toBe('0');
    expect(fake.requests.at(-1)!).toMatchObject({ method: 'GET', operation: 'PKIOperation', getMessageEncoding: 'std-base64-percent-encoded', messageType: 19, transactionID: q.tid, action: 'success' });
    openCertRep(res.body, q.r);
    q = pkcsReq(fake);
    b64 = Buffer.from(q.msg).toString('base64');
    expect(b64).toContain('+');
    await get(fake, `operation=PKIOperation&message=${b64.replace(/\//g, '%2F').replace(/=/g, '%3D')}`);
    expect(fake.requests.at(-1)!.getMessageEncoding).toBe('other');
    await get(fake, `operation=PKIOperation&message=${Buffer.from(q.msg).toString('base64url')}`);
    expect(fake.requests.at(-1)!.getMessageEncoding).toBe('other');
  });
});

describe('RA mode', () => {
  const ku = (der: Uint8Array): string => {
    const t = text(osslOk(['x509', '-inform', 'DER', '-noout', '-ext', 'keyUsage'], der));
    return t.split('\n')[1]?.trim() ?? '';
  };

  test.each([
    ['proper', 'Digital Signature', 'Key Encipherment'],
    ['ndes', 'Digital Signature, Key Encipherment', 'Key Encipherment'],
    ['ndes2', 'Digital Signature', 'Digital Signature, Key Encipherment'],
    ['none', '', ''],
  ] as const)('keyUsage %s: RA sign = "%s", RA encrypt = "%s"; both issued by the CA', async (mode, sign, encrypt) => {
    const f = await startFakeScep({ ra: { keyUsage: mode, raOrder: ['ca', 'encrypt', 'sign'] } });
    try {
      expect([ku(f.raSignDer!), ku(f.raEncryptDer!)]).toEqual([sign, encrypt]);
      const caFile = tmpFile('ca.pem', f.caPem);
      for (const c of [f.raSignDer!, f.raEncryptDer!]) expect(text(osslOk(['verify', '-CAfile', caFile], toPem(c)))).toContain(': OK');
      const chain = parseSignedData((await get(f, 'operation=GetCACert')).body).certificates;
      expect(chain.map(hex)).toEqual([f.caDer, f.raEncryptDer!, f.raSignDer!].map(hex));
    } finally {
      await f.close();
    }
  });

  test('replies are signed by the RA signing key; a request encrypted to the CA (not the RA) → FAILURE badMessageCheck', async () => {
    const f = await startFakeScep({ ra: { keyUsage: 'ndes' } });
    try {
      const good = pkcsReq(f, { recipient: f.raEncryptDer! });
      const res = await post(f, good.msg);
      const a = repAttrs(res.body);
      expect(a.pkiStatus).toBe('0');
      expect(hex(a.si.sidSerial)).toBe(hex(certFields(f.raSignDer!).serial));
      expect(a.sd.certificates.map(hex)).toEqual([f.raSignDer!, f.caDer].map(hex));
      cmsVerify(res.body, f.caDer); // RA sign cert chains to the CA
      expect(hex(openCertRep(res.body, good.r)[1])).toBe(hex(f.caDer));
      expect(f.requests.at(-1)!.recipientSerial).toBe(certFields(f.raEncryptDer!).serialHex);

      const bad = pkcsReq(f, { recipient: f.caDer });
      const b = repAttrs((await post(f, bad.msg)).body);
      expect([b.pkiStatus, b.failInfo]).toEqual(['2', '1']);
      expect(hex(b.si.sidSerial)).toBe(hex(certFields(f.raSignDer!).serial));
      expect(f.requests.at(-1)!).toMatchObject({ recipientSerial: '01', action: { failure: 1 } });
      expect(f.requests.at(-1)!.content).toBeUndefined();
    } finally {
      await f.close();
    }
  });
});

describe('BER input', () => {
  test('an indefinite-length, chunked SignedData is parsed and served', async () => {
    fake.setScript([]);
    const q = pkcsReq(fake);
    // re-encode the outer layers with indefinite lengths and the eContent as a constructed OCTET STRING
    const ci = parseBer(q.msg);
    const sd = child(child(ci, 1), 0);
    const eci = child(sd, 2);
    const env = content(child(child(eci, 1), 0));
    const indef = (tag: number, ...parts: Uint8Array[]): Uint8Array => Buffer.concat([Uint8Array.of(tag, 0x80), ...parts, Uint8Array.of(0, 0)]);
    const chunks = [env.subarray(0, 100), env.subarray(100)].map((c) => octets(c));
    const newEci = indef(0x30, oid(OID.data), indef(0xa0, indef(0x24, ...chunks)));
    const rest = sd.children.slice(3).map((n) => n.buf.subarray(n.start, n.end));
    const newSd = indef(0x30, ...sd.children.slice(0, 2).map((n) => n.buf.subarray(n.start, n.end)), newEci, ...rest);
    const ber = indef(0x30, oid(OID.signedData), indef(0xa0, newSd));
    expect(ossl(['cms', '-cmsout', '-print', '-inform', 'DER'], ber).ok).toBe(true);
    const a = repAttrs((await post(fake, new Uint8Array(ber))).body);
    expect(a.pkiStatus).toBe('0');
    expect(fake.requests.at(-1)!).toMatchObject({ signatureValid: true, transactionID: q.tid });
  });
});

describe('reproducible mode (fixed material, clock and random source: the golden transcripts)', () => {
  const fx = (f: string) => readFileSync(new URL(`../../vectors/fixtures/${f}`, import.meta.url), 'utf8');
  /** A counter-mode byte source (the same seed gives the same bytes). */
  const seeded = (seed: string) => {
    let i = 0;
    return (n: number): Uint8Array => {
      const out = new Uint8Array(n);
      for (let o = 0; o < n; o += 32) out.set(nc.createHash('sha256').update(`${seed}/${i++}`).digest().subarray(0, n - o), o);
      return out;
    };
  };
  const start = (seed: string) =>
    startFakeScep({
      material: { caKeyPem: fx('scep-ca.key'), caCertPem: fx('scep-ca.pem'), nextKeyPem: fx('scep-next-ca.key'), nextCertPem: fx('scep-next-ca.pem') },
      now: () => new Date('2026-11-27T03:12:44Z'),
      random: seeded(seed),
    });

  test('the same request gets byte-identical CertReps, which OpenSSL verifies and opens; the issued certificate starts at `now`', async () => {
    const [a, b, c] = await Promise.all([start('x'), start('x'), start('y')]);
    try {
      expect(hex(a.caDer)).toBe(hex(fromPem(fx('scep-ca.pem'))));
      expect(hex(a.nextCaDer)).toBe(hex(fromPem(fx('scep-next-ca.pem'))));
      const q = pkcsReq(a);
      const [ra, rb, rc] = await Promise.all([post(a, q.msg), post(b, q.msg), post(c, q.msg)]);
      expect(hex(ra.body)).toBe(hex(rb.body));
      expect(hex(ra.body)).not.toBe(hex(rc.body)); // another seed: other nonce, content key, padding
      cmsVerify(ra.body, a.caDer);
      const [issued] = openCertRep(ra.body, q.r); // openssl undoes our PKCS#1 v1.5 padding
      expect(hex(issued)).toBe(hex(a.issued[0]));
      expect(hex(issued)).toBe(hex(c.issued[0])); // the certificate itself does not depend on the seed
      expect(text(osslOk(['x509', '-inform', 'DER', '-noout', '-startdate', '-serial'], issued!))).toBe('notBefore=Nov 27 03:12:44 2026 GMT\nserial=10\n');
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });
});
