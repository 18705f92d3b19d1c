/**
 * A FAKE SCEP responder (RFC 8894) for fault-injection tests. NOT a CA: it issues throw-away
 * certificates from a throw-away CA made at start, answers each PKIOperation as the test's
 * script says, and records every request. See tests/fakes/README.md for what each behaviour
 * models and which real server it imitates.
 *
 * - `node:http` on 127.0.0.1 (port 0 by default); any path, the `operation` query decides (§4.1).
 * - GetCACaps (§3.5.2), GetCACert (§4.2, CA or RA chain), GetNextCACert (§4.7.1),
 *   PKIOperation by POST and by GET with a percent-encoded standard base64 `message` (§4.1).
 * - CertRep (§3.3.2) signed by the CA (or the RA signing key) with SHA-256 and DER-sorted signed
 *   attributes; SUCCESS carries an EnvelopedData (AES-128-CBC, or 3DES when the request used
 *   3DES) to the requester's signer certificate of a degenerate PKCS#7 [issued cert, CA cert].
 *
 * Independent of `src/` by design (it referees that code). Request envelopes are opened with
 * `openssl cms -decrypt` (Node 20 refuses RSA PKCS#1 v1.5 decryption), certificates are issued
 * with `openssl x509 -req -copy_extensions copy`.
 */
import * as nc from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  OID,
  DIGEST_NAMES,
  attrValue,
  attribute,
  buildEnvelopedData,
  buildSignedData,
  certFields,
  certPublicKey,
  child,
  content,
  csrFields,
  degenerate,
  equalBytes,
  octets,
  openssl,
  parseBer,
  parseEnvelopedData,
  parseSignedData,
  printable,
  run,
  serialHex,
  signedAttrsDer,
  sortDer,
  stringValue,
  toPem,
  fromPem,
  utf8,
  cryptoRandom,
  type RandomBytes,
  type ReplyCipher,
  type SignerKey,
} from './fake-scep-pki.ts';

/** What the fake answers to one PKIOperation. */
export type FakeAction =
  | 'success' // issue a certificate for the CSR (CertRep SUCCESS, degenerate PKCS#7 with the cert, enveloped to the requester's signer cert)
  | 'pending' // CertRep PENDING (no content)
  | { failure: number; text?: string } // CertRep FAILURE with failInfo (0..4) and optional failInfoText (1.3.6.1.5.5.7.24.1, UTF8String)
  | 'garbage' // HTTP 200 application/x-pki-message, 300 random bytes
  | 'truncated' // a valid SUCCESS CertRep cut to its first half
  | 'wrong-nonce' // valid SUCCESS, but recipientNonce = 16 random bytes
  | 'wrong-transaction' // valid SUCCESS, but transactionID = another value
  | 'wrong-signer' // valid SUCCESS signed by a key/cert the client never saw (self-signed "Mallory CA")
  | { http: number; body?: string } // plain HTTP error with text/plain body (e.g. 500 "boom")
  | 'drop'; // destroy the socket without answering

/** Options of `startFakeScep`. */
export interface FakeScepOptions {
  /** GetCACaps body, sent verbatim. Default "POSTPKIOperation\nSHA-256\nAES\nDES3\nRenewal\nSCEPStandard\nGetNextCACert" */
  caps?: string;
  /** RA mode: GetCACert answers application/x-x509-ca-ra-cert, a degenerate PKCS#7 with [RA sign cert, RA encrypt cert, CA cert]
   *  (in that order unless `raOrder` says otherwise). Requests must then be encrypted to the RA *encryption* cert
   *  (else: FAILURE badMessageCheck, failInfo 1), and replies are signed by the RA *signing* key.
   *  `keyUsage` picks the RA certificates' KeyUsage:
   *   'proper' : sign = digitalSignature, encrypt = keyEncipherment
   *   'ndes'   : as NDES issues them: sign = digitalSignature,keyEncipherment ; encrypt = keyEncipherment
   *   'ndes2'  : sign = digitalSignature ; encrypt = digitalSignature,keyEncipherment
   *   'none'   : no KeyUsage extension on either */
  ra?: { keyUsage: 'proper' | 'ndes' | 'ndes2' | 'none'; raOrder?: ('sign' | 'encrypt' | 'ca')[] };
  /** Actions for successive PKIOperation requests (any message type), consumed in order; when empty, `then`. */
  script?: FakeAction[];
  /** Action once the script is used up. Default 'success'. */
  then?: FakeAction;
  /** CA key type. Default 'rsa' (2048). */
  caKey?: 'rsa';
  /** Days of validity of issued certs. Default 365. */
  certDays?: number;
  /** Redirects: a request whose path is a key is answered `307 Temporary Redirect` to the value
   *  (a path on this fake, or an absolute URL, e.g. another fake) with the request's query
   *  appended. Models a CA moved behind another path or host. */
  redirects?: Record<string, string>;
  /**
   * When the next CA certificate (GetNextCACert) becomes valid, in days from now (it is valid
   * for 10 years from then). Default 1825 (5 years): a CA announcing its rollover well ahead.
   * Requests encrypted to the next CA certificate are issued under the next CA's key.
   */
  nextCaStartsInDays?: number;
  /**
   * Fixed CA material instead of throw-away keys (golden transcripts: tests/vectors/fixtures/):
   * PKCS#8 PEM keys and PEM certificates of the CA and of the rollover CA (GetNextCACert). Not
   * with `ra`.
   */
  material?: { caKeyPem: string; caCertPem: string; nextKeyPem: string; nextCertPem: string };
  /** The CA's clock: issued certificates start at `now()` (default: real time, moved by `setClockOffset`). */
  now?: () => Date;
  /**
   * Where every random value of the fake comes from (CertRep senderNonce, the reply envelope's
   * content key, IV and PKCS#1 v1.5 padding, 'garbage', 'wrong-*'): a seeded source makes its
   * replies reproducible byte for byte. Default node:crypto.
   */
  random?: RandomBytes;
}

/** One request as the fake saw it. */
export interface FakeRequest {
  method: 'GET' | 'POST' | 'OPTIONS';
  operation: string; // GetCACaps, GetCACert, GetNextCACert, PKIOperation, or what was sent
  /** PKIOperation only: */
  messageType?: number; // 19 PKCSReq, 17 RenewalReq, 20 CertPoll, ...
  transactionID?: string;
  senderNonce?: Uint8Array;
  signerCert?: Uint8Array; // DER of the SignerInfo's certificate (matched by issuerAndSerialNumber or SKI)
  certificates?: Uint8Array[]; // all certs in SignedData.certificates
  digestOid?: string; // SignerInfo digestAlgorithm
  contentCipherOid?: string; // EnvelopedData content encryption algorithm
  recipientSerial?: string; // hex serial of the KTRI issuerAndSerialNumber
  attributesDerSorted?: boolean; // were the signed attributes in DER SET OF order as transmitted
  signatureValid?: boolean; // SignerInfo signature verified with signerCert's key (over the DER SET of signed attrs)
  content?: Uint8Array; // decrypted pkcsPKIEnvelope content: the CSR DER (PKCSReq/RenewalReq) or IssuerAndSubject DER (CertPoll); undefined if it could not be decrypted
  challengePassword?: string; // from the CSR, if present (tests check it arrives; the fake never logs it)
  action?: FakeAction; // what the fake answered
  redirectedTo?: string; // the Location this fake answered with (opts.redirects)
  getMessageEncoding?: 'std-base64-percent-encoded' | 'other'; // GET PKIOperation: was `message` standard base64 fully percent-encoded (+ / = as %2B %2F %3D)
  forNextCa?: boolean; // the envelope was addressed to the next CA certificate: issued under the next CA
}

/** A running fake. */
export interface FakeScep {
  url: string; // e.g. http://127.0.0.1:PORT/scep  (any path is accepted; the query decides)
  caDer: Uint8Array;
  caPem: string;
  raSignDer?: Uint8Array;
  raEncryptDer?: Uint8Array;
  nextCaDer: Uint8Array; // the rollover CA GetNextCACert returns
  requests: FakeRequest[]; // every request, in order
  issued: Uint8Array[]; // DER of every certificate issued
  /** Replace the remaining script (e.g. between phases of a test). */
  setScript(actions: FakeAction[], then?: FakeAction): void;
  /** Hold every PKIOperation reply this long after the request was read (0 = answer at once): a slow CA, or a window to crash the client in. */
  setReplyDelay(ms: number): void;
  /** Move the CA's clock: certificates issued from now on start at real time + `ms` (a CA in step with a test's fake clock). */
  setClockOffset(ms: number): void;
  close(): Promise<void>;
}

/** Default GetCACaps body. */
export const DEFAULT_CAPS = 'POSTPKIOperation\nSHA-256\nAES\nDES3\nRenewal\nSCEPStandard\nGetNextCACert';

/** SCEP messageType values (RFC 8894 §3.2.1.2). */
export const MSG = { CertRep: 3, RenewalReq: 17, UpdateReq: 18, PKCSReq: 19, CertPoll: 20, GetCert: 21, GetCRL: 22 } as const;

const generateKeyPair = promisify(nc.generateKeyPair);

const KU: Record<NonNullable<FakeScepOptions['ra']>['keyUsage'], { sign?: string; encrypt?: string }> = {
  proper: { sign: 'digitalSignature', encrypt: 'keyEncipherment' },
  ndes: { sign: 'digitalSignature,keyEncipherment', encrypt: 'keyEncipherment' },
  ndes2: { sign: 'digitalSignature', encrypt: 'digitalSignature,keyEncipherment' },
  none: {},
};

function opensslConfig(ku: { sign?: string; encrypt?: string }): string {
  const ra = (usage?: string): string =>
    `basicConstraints=critical,CA:FALSE\n${usage ? `keyUsage=critical,${usage}\n` : ''}subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n`;
  return [
    '[req]\ndistinguished_name=dn\n[dn]\n',
    '[v3_ca]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n',
    `[ra_sign]\n${ra(ku.sign)}`,
    `[ra_encrypt]\n${ra(ku.encrypt)}`,
    '[ee]\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n',
  ].join('');
}

async function newKey(dir: string, name: string, fixedPem?: string): Promise<{ key: nc.KeyObject; path: string }> {
  const privateKey = fixedPem ? nc.createPrivateKey(fixedPem) : (await generateKeyPair('rsa', { modulusLength: 2048 })).privateKey;
  const path = join(dir, `${name}.key`);
  writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, { mode: 0o600 });
  return { key: privateKey, path };
}

/** `openssl req -x509` (self-signed, or issued by `ca` when given); returns the DER and writes `<name>.pem`. */
async function makeCert(dir: string, name: string, keyPath: string, subject: string, ext: string, serial: number, ca?: { pem: string; key: string }): Promise<Uint8Array> {
  const args = ['req', '-x509', '-new', '-key', keyPath, '-subj', subject, '-days', '3650', '-sha256', '-config', join(dir, 'openssl.cnf'), '-extensions', ext, '-set_serial', String(serial), '-outform', 'DER'];
  if (ca) args.push('-CA', ca.pem, '-CAkey', ca.key);
  const der = await openssl(args);
  writeFileSync(join(dir, `${name}.pem`), toPem(der));
  return der;
}

/** YYYYMMDDHHMMSSZ, the form `openssl ca -startdate/-enddate` take. */
const genTime = (d: Date): string => d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';

/** A self-signed certificate valid from `notBefore` for `days` (`openssl ca -selfsign`, which, unlike `req -x509`, takes dates). */
async function makeDatedCert(dir: string, name: string, keyPath: string, subject: string, ext: string, serial: number, notBefore: Date, days: number): Promise<Uint8Array> {
  const d = join(dir, `ca-${name}`);
  mkdirSync(d);
  writeFileSync(join(d, 'index.txt'), '');
  writeFileSync(join(d, 'serial'), serial.toString(16).padStart(2, '0') + '\n');
  writeFileSync(
    join(d, 'ca.cnf'),
    `[ca]\ndefault_ca=d\n[d]\ndatabase=${d}/index.txt\nnew_certs_dir=${d}\nserial=${d}/serial\ndefault_md=sha256\npolicy=p\nunique_subject=no\nemail_in_dn=no\n[p]\norganizationName=optional\norganizationalUnitName=optional\ncommonName=optional\n`,
  );
  await openssl(['req', '-new', '-key', keyPath, '-subj', subject, '-config', join(dir, 'openssl.cnf'), '-out', join(d, 'req.pem')]);
  await openssl(['ca', '-batch', '-notext', '-selfsign', '-config', join(d, 'ca.cnf'), '-keyfile', keyPath, '-in', join(d, 'req.pem'), '-out', join(dir, `${name}.pem`), '-startdate', genTime(notBefore), '-enddate', genTime(new Date(notBefore.getTime() + days * 86_400_000)), '-extfile', join(dir, 'openssl.cnf'), '-extensions', ext]);
  return fromPem(readFileSync(join(dir, `${name}.pem`), 'utf8'));
}

const isContentFree = (a: FakeAction): boolean => a === 'pending' || a === 'garbage' || a === 'drop' || (typeof a === 'object' && ('failure' in a || 'http' in a));

/** Starts a fake SCEP responder on 127.0.0.1. Close it with `close()` (afterAll). */
export async function startFakeScep(opts: FakeScepOptions = {}): Promise<FakeScep> {
  const dir = mkdtempSync(join(tmpdir(), 'fake-scep-'));
  const caps = opts.caps ?? DEFAULT_CAPS;
  const certDays = opts.certDays ?? 365;
  const random = opts.random ?? cryptoRandom;
  const tag = Buffer.from(random(3)).toString('hex');
  const material = opts.material;
  if (material && opts.ra) throw new Error('fake-scep: fixed material is for CA mode only');
  writeFileSync(join(dir, 'openssl.cnf'), opensslConfig(opts.ra ? KU[opts.ra.keyUsage] : {}));

  const [caK, nextK, raSignK, raEncK] = await Promise.all([
    newKey(dir, 'ca', material?.caKeyPem),
    newKey(dir, 'next', material?.nextKeyPem),
    opts.ra ? newKey(dir, 'ra-sign') : undefined,
    opts.ra ? newKey(dir, 'ra-encrypt') : undefined,
  ]);
  const fixedCert = (name: string, pem: string): Uint8Array => {
    writeFileSync(join(dir, `${name}.pem`), pem);
    return fromPem(pem);
  };
  const [caDer, nextCaDer] = material
    ? [fixedCert('ca', material.caCertPem), fixedCert('next', material.nextCertPem)]
    : await Promise.all([
        makeCert(dir, 'ca', caK.path, `/O=Trustpoint tests/OU=FAKE SCEP responder/CN=Fake SCEP CA ${tag}`, 'v3_ca', 1),
        makeDatedCert(dir, 'next', nextK.path, `/O=Trustpoint tests/OU=FAKE SCEP responder/CN=Fake SCEP Next CA ${tag}`, 'v3_ca', 1, new Date(Date.now() + (opts.nextCaStartsInDays ?? 1825) * 86_400_000), 3650),
      ]);
  const caPemPath = join(dir, 'ca.pem');
  const caRef = { pem: caPemPath, key: caK.path };
  let raSignDer: Uint8Array | undefined;
  let raEncryptDer: Uint8Array | undefined;
  if (raSignK && raEncK) {
    [raSignDer, raEncryptDer] = await Promise.all([
      makeCert(dir, 'ra-sign', raSignK.path, `/O=Trustpoint tests/OU=FAKE SCEP responder/CN=Fake SCEP RA sign ${tag}`, 'ra_sign', 2, caRef),
      makeCert(dir, 'ra-encrypt', raEncK.path, `/O=Trustpoint tests/OU=FAKE SCEP responder/CN=Fake SCEP RA encrypt ${tag}`, 'ra_encrypt', 3, caRef),
    ]);
  }

  const ca: SignerKey = { certDer: caDer, key: caK.key };
  const replySigner: SignerKey = raSignK && raSignDer ? { certDer: raSignDer, key: raSignK.key } : ca;
  const decrypter = raEncK ? { cert: join(dir, 'ra-encrypt.pem'), key: raEncK.path, der: raEncryptDer! } : { cert: caPemPath, key: caK.path, der: caDer };
  const nextDecrypter = { cert: join(dir, 'next.pem'), key: nextK.path, der: nextCaDer };
  const raChain = (): Uint8Array[] => {
    const order = opts.ra?.raOrder ?? ['sign', 'encrypt', 'ca'];
    return order.map((w) => (w === 'sign' ? raSignDer! : w === 'encrypt' ? raEncryptDer! : caDer));
  };

  let mallory: Promise<SignerKey> | undefined;
  const getMallory = (): Promise<SignerKey> =>
    (mallory ??= (async () => {
      const k = await newKey(dir, 'mallory');
      const der = await makeCert(dir, 'mallory', k.path, `/O=Not Trustpoint/CN=Mallory CA ${tag}`, 'v3_ca', (Buffer.from(random(4)).readUInt32BE(0) % 1e9) + 1);
      return { certDer: der, key: k.key };
    })());

  const requests: FakeRequest[] = [];
  const issued: Uint8Array[] = [];
  let script: FakeAction[] = [...(opts.script ?? [])];
  let then: FakeAction = opts.then ?? 'success';
  let nextSerial = 16;
  /** CSRs of transactions answered PENDING, by transactionID (for CertPoll). */
  const pendingCsrs = new Map<string, Uint8Array>();

  const nextAction = (): FakeAction => script.shift() ?? then;
  let replyDelay = 0;
  let clockOffset = 0;

  // -------------------------------------------------------------------------------------------
  // Request parsing

  interface Parsed {
    transactionID: string;
    senderNonce: Uint8Array;
    signerCert?: Uint8Array;
  }

  async function parseRequest(body: Uint8Array, rec: FakeRequest): Promise<Parsed> {
    const sd = parseSignedData(body);
    rec.certificates = sd.certificates;
    const si = sd.signerInfos[0];
    if (!si) throw new Error('SignedData has no SignerInfo');
    rec.digestOid = si.digestOid;
    const attrs = si.signedAttrs;
    const mt = attrValue(attrs, OID.scepMessageType);
    if (mt) rec.messageType = Number.parseInt(stringValue(mt), 10);
    const tid = attrValue(attrs, OID.scepTransactionId);
    if (tid) rec.transactionID = stringValue(tid);
    const sn = attrValue(attrs, OID.scepSenderNonce);
    if (sn) rec.senderNonce = new Uint8Array(content(sn));
    if (attrs) rec.attributesDerSorted = attrs.every((a, i) => equalBytes(a.raw, sortDer(attrs.map((x) => x.raw))[i]));

    const signerCert = sd.certificates.find((c) => {
      const f = certFields(c);
      return si.sidSki ? equalBytes(f.ski, si.sidSki) : equalBytes(f.issuer, si.sidIssuer) && equalBytes(f.serial, si.sidSerial);
    });
    if (signerCert) rec.signerCert = signerCert;
    rec.signatureValid = signerCert ? verifySignerInfo(si, sd.eContent, signerCert) : false;

    let dec = decrypter;
    if (sd.eContent) {
      try {
        const env = parseEnvelopedData(sd.eContent);
        rec.contentCipherOid = env.cipherOid;
        const addressedTo = (der: Uint8Array) => {
          const f = certFields(der);
          return env.recipients.find((r) => (r.ski ? equalBytes(r.ski, f.ski) : equalBytes(r.issuer, f.issuer) && r.serialHex === f.serialHex));
        };
        let match = addressedTo(decrypter.der);
        // A request encrypted to the next CA certificate (a client rolling over) is for the next CA.
        if (!match && addressedTo(nextCaDer)) {
          dec = nextDecrypter;
          match = addressedTo(nextCaDer);
          rec.forNextCa = true;
        }
        const serial = (match ?? env.recipients[0])?.serialHex;
        if (serial !== undefined) rec.recipientSerial = serial;
      } catch {
        // not an EnvelopedData: left for openssl to refuse
      }
      const r = await run('openssl', ['cms', '-decrypt', '-inform', 'DER', '-binary', '-recip', dec.cert, '-inkey', dec.key, '-provider', 'legacy', '-provider', 'default'], sd.eContent);
      if (r.code === 0) rec.content = r.stdout;
    }
    if (rec.content && (rec.messageType === MSG.PKCSReq || rec.messageType === MSG.RenewalReq || rec.messageType === MSG.UpdateReq)) {
      try {
        const cp = csrFields(rec.content).challengePassword;
        if (cp !== undefined) rec.challengePassword = cp;
      } catch {
        // not a CSR: issuance will refuse it
      }
    }
    return { transactionID: rec.transactionID ?? '', senderNonce: rec.senderNonce ?? new Uint8Array(0), ...(signerCert ? { signerCert } : {}) };
  }

  /** RFC 5652 §5.4 / §5.6: messageDigest matches the content and the signature verifies over the DER SET of attributes. */
  function verifySignerInfo(si: ReturnType<typeof parseSignedData>['signerInfos'][number], eContent: Uint8Array | undefined, cert: Uint8Array): boolean {
    try {
      const hash = DIGEST_NAMES[si.digestOid];
      if (!hash) return false;
      const data = eContent ?? new Uint8Array(0);
      let signed: Uint8Array = data;
      if (si.signedAttrs) {
        const md = attrValue(si.signedAttrs, OID.messageDigest);
        if (!md || !equalBytes(content(md), nc.createHash(hash).update(data).digest())) return false;
        signed = signedAttrsDer(si.signedAttrs);
      }
      const key = certPublicKey(cert);
      if (si.signatureOid === OID.rsassaPss) {
        return nc.verify(hash, signed, { key, padding: nc.constants.RSA_PKCS1_PSS_PADDING, saltLength: nc.constants.RSA_PSS_SALTLEN_AUTO }, si.signature);
      }
      return nc.verify(hash, signed, key, si.signature);
    } catch {
      return false;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Replies

  function certRep(p: Parsed, status: 0 | 2 | 3, extra: { failInfo?: number; failText?: string; envelope?: Uint8Array; tid?: string; recipientNonce?: Uint8Array; signer?: SignerKey } = {}): Uint8Array {
    const signer = extra.signer ?? replySigner;
    const attrs = [
      attribute(OID.scepMessageType, printable(String(MSG.CertRep))),
      attribute(OID.scepPkiStatus, printable(String(status))),
      attribute(OID.scepTransactionId, printable(extra.tid ?? p.transactionID)),
      attribute(OID.scepSenderNonce, octets(random(16))),
      attribute(OID.scepRecipientNonce, octets(extra.recipientNonce ?? p.senderNonce)),
    ];
    if (extra.failInfo !== undefined) attrs.push(attribute(OID.scepFailInfo, printable(String(extra.failInfo))));
    if (extra.failText !== undefined) attrs.push(attribute(OID.scepFailInfoText, utf8(extra.failText)));
    const certificates = signer === replySigner && raSignDer ? [signer.certDer, caDer] : [signer.certDer];
    return buildSignedData({ ...(extra.envelope ? { eContent: extra.envelope } : {}), certificates, signer, attrs });
  }

  async function issue(csr: Uint8Array, underNext = false): Promise<Uint8Array> {
    const caCert = underNext ? join(dir, 'next.pem') : caPemPath;
    const caKey = underNext ? nextK.path : caK.path;
    const serial = nextSerial++;
    let r;
    const caNow = opts.now?.() ?? (clockOffset === 0 ? undefined : new Date(Date.now() + clockOffset));
    if (!caNow) {
      r = await run(
        'openssl',
        ['x509', '-req', '-inform', 'DER', '-CA', caCert, '-CAkey', caKey, '-set_serial', String(serial), '-days', String(certDays), '-sha256', '-copy_extensions', 'copy', '-extfile', join(dir, 'openssl.cnf'), '-extensions', 'ee', '-outform', 'DER'],
        csr,
      );
    } else {
      // The CA's clock is the test's (`now`, setClockOffset): `openssl ca`, which takes dates.
      const d = join(dir, `issue-${serial}`);
      mkdirSync(d);
      writeFileSync(join(d, 'index.txt'), '');
      writeFileSync(join(d, 'serial'), serial.toString(16).padStart(2, '0') + '\n');
      writeFileSync(join(d, 'req.pem'), toPem(csr, 'CERTIFICATE REQUEST'));
      writeFileSync(join(d, 'ca.cnf'), `[ca]\ndefault_ca=d\n[d]\ndatabase=${d}/index.txt\nnew_certs_dir=${d}\nserial=${d}/serial\ndefault_md=sha256\npolicy=p\nunique_subject=no\nemail_in_dn=no\ncopy_extensions=copy\npreserve=yes\n[p]\ncountryName=optional\norganizationName=optional\norganizationalUnitName=optional\ncommonName=optional\nunstructuredName=optional\nserialNumber=optional\n`);
      const start = caNow;
      r = await run('openssl', ['ca', '-batch', '-notext', '-config', join(d, 'ca.cnf'), '-cert', caCert, '-keyfile', caKey, '-in', join(d, 'req.pem'), '-startdate', genTime(start), '-enddate', genTime(new Date(start.getTime() + certDays * 86_400_000)), '-extfile', join(dir, 'openssl.cnf'), '-extensions', 'ee', '-out', join(d, 'cert.pem')]);
      if (r.code === 0) r = { ...r, stdout: fromPem(readFileSync(join(d, 'cert.pem'), 'utf8')) };
    }
    if (r.code !== 0) throw new Error(`CSR refused: ${r.stderr.trim().split('\n')[0] ?? ''}`);
    issued.push(r.stdout);
    return r.stdout;
  }

  function replyCipher(reqCipher: string | undefined): ReplyCipher {
    const capList = caps.split(/\r?\n/).map((c) => c.trim().toUpperCase());
    if (reqCipher === OID.desEde3Cbc) return 'des-ede3-cbc';
    if (!capList.includes('AES') && capList.includes('DES3')) return 'des-ede3-cbc';
    return 'aes-128-cbc';
  }

  type Reply = { kind: 'pki'; body: Uint8Array; action: FakeAction } | { kind: 'http'; status: number; body: string; action: FakeAction } | { kind: 'drop' };

  async function answer(action: FakeAction, p: Parsed | undefined, parseError: string | undefined, rec: FakeRequest): Promise<Reply> {
    if (action === 'drop') return { kind: 'drop' };
    if (action === 'garbage') {
      let g = random(300);
      while (g[0] === 0x30) g = random(300);
      return { kind: 'pki', body: g, action };
    }
    if (typeof action === 'object' && 'http' in action) return { kind: 'http', status: action.http, body: action.body ?? http.STATUS_CODES[action.http] ?? '', action };
    if (!p) {
      const body = `fake-scep: malformed PKIMessage: ${parseError ?? 'unparseable'}`;
      return { kind: 'http', status: 400, body, action: { http: 400, body } };
    }
    const fail = (failInfo: number, text: string): Reply => ({ kind: 'pki', body: certRep(p, 2, { failInfo, failText: text }), action: { failure: failInfo, text } });
    const isCsrReq = rec.messageType === MSG.PKCSReq || rec.messageType === MSG.RenewalReq || rec.messageType === MSG.UpdateReq;
    if (action === 'pending') {
      if (isCsrReq && rec.content) pendingCsrs.set(p.transactionID, rec.content);
      return { kind: 'pki', body: certRep(p, 3), action };
    }
    if (typeof action === 'object' && 'failure' in action) {
      return { kind: 'pki', body: certRep(p, 2, { failInfo: action.failure, ...(action.text !== undefined ? { failText: action.text } : {}) }), action };
    }
    // success family: needs a verified request and its decrypted content
    if (!rec.signatureValid || !p.signerCert) return fail(1, 'fake-scep: request signature does not verify');
    if (!rec.content) return fail(1, 'fake-scep: cannot decrypt the pkcsPKIEnvelope');
    if (certPublicKey(p.signerCert).asymmetricKeyType !== 'rsa') return fail(0, 'fake-scep: can only encrypt to an RSA signer certificate');
    let certs: Uint8Array[];
    try {
      if (isCsrReq) {
        pendingCsrs.delete(p.transactionID);
        certs = rec.forNextCa ? [await issue(rec.content, true), nextCaDer] : [await issue(rec.content), caDer];
      } else if (rec.messageType === MSG.CertPoll) {
        const csr = pendingCsrs.get(p.transactionID);
        if (!csr) return fail(4, 'fake-scep: no pending request with this transactionID');
        pendingCsrs.delete(p.transactionID);
        certs = [await issue(csr), caDer];
      } else if (rec.messageType === MSG.GetCert) {
        const ias = parseBer(rec.content);
        const wanted = serialHex(child(ias, 1, 'serialNumber'));
        const found = issued.find((c) => certFields(c).serialHex === wanted);
        if (!found) return fail(4, 'fake-scep: no certificate with this serial');
        certs = [found];
      } else {
        return fail(2, `fake-scep: messageType ${rec.messageType ?? '(none)'} not supported`);
      }
    } catch (e) {
      return fail(2, `fake-scep: ${(e as Error).message}`);
    }
    const envelope = buildEnvelopedData(degenerate(certs), p.signerCert, replyCipher(rec.contentCipherOid), opts.random);
    if (action === 'wrong-signer') return { kind: 'pki', body: certRep(p, 0, { envelope, signer: await getMallory() }), action };
    if (action === 'wrong-nonce') return { kind: 'pki', body: certRep(p, 0, { envelope, recipientNonce: random(16) }), action };
    if (action === 'wrong-transaction') return { kind: 'pki', body: certRep(p, 0, { envelope, tid: `FAKEWRONG${Buffer.from(random(8)).toString('hex')}` }), action };
    const full = certRep(p, 0, { envelope });
    if (action === 'truncated') return { kind: 'pki', body: full.subarray(0, Math.floor(full.length / 2)), action };
    return { kind: 'pki', body: full, action };
  }

  // -------------------------------------------------------------------------------------------
  // HTTP

  const send = (res: http.ServerResponse, status: number, type: string, body: Uint8Array | string): void => {
    const b = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': String(b.length) });
    res.end(b);
  };

  async function pkiOperation(req: http.IncomingMessage, res: http.ServerResponse, body: Uint8Array, rec: FakeRequest): Promise<void> {
    const action = nextAction();
    let p: Parsed | undefined;
    let parseError: string | undefined;
    try {
      p = await parseRequest(body, rec);
    } catch (e) {
      parseError = (e as Error).message;
    }
    const reply = await answer(action, p, parseError, rec);
    if (replyDelay > 0) await new Promise((r) => setTimeout(r, replyDelay));
    if (reply.kind === 'drop') {
      rec.action = 'drop';
      req.socket.destroy();
      return;
    }
    rec.action = reply.action;
    if (reply.kind === 'http') send(res, reply.status, 'text/plain; charset=utf-8', reply.body);
    else send(res, 200, 'application/x-pki-message', reply.body);
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Expose-Headers', 'Content-Type, Content-Length');
    const url = req.url ?? '/';
    const q = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
    const params = new URLSearchParams(q);
    const operation = params.get('operation') ?? '';
    const rec: FakeRequest = { method: (req.method ?? 'GET') as FakeRequest['method'], operation };
    requests.push(rec);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = new Uint8Array(Buffer.concat(chunks));

    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
        'Access-Control-Allow-Headers': 'Content-Type',
        'Access-Control-Allow-Private-Network': 'true',
        'Access-Control-Max-Age': '600',
      });
      res.end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'POST') return send(res, 405, 'text/plain; charset=utf-8', `fake-scep: method ${req.method ?? ''} not allowed`);
    const path = url.split('?')[0]!;
    const to = opts.redirects?.[path];
    if (to !== undefined) {
      rec.redirectedTo = to + (q ? `?${q}` : '');
      res.writeHead(307, { Location: rec.redirectedTo, 'Content-Type': 'text/plain', 'Content-Length': '0' });
      res.end();
      return;
    }
    switch (operation) {
      case 'GetCACaps':
        return send(res, 200, 'text/plain', caps);
      case 'GetCACert':
        return opts.ra ? send(res, 200, 'application/x-x509-ca-ra-cert', degenerate(raChain())) : send(res, 200, 'application/x-x509-ca-cert', caDer);
      case 'GetNextCACert':
        return send(res, 200, 'application/x-x509-next-ca-cert', buildSignedData({ eContent: degenerate([nextCaDer]), certificates: [caDer], signer: ca, attrs: [] }));
      case 'PKIOperation': {
        if (req.method === 'POST') return pkiOperation(req, res, body, rec);
        const rawMsg = rawQueryParam(q, 'message');
        if (rawMsg === undefined) return send(res, 400, 'text/plain; charset=utf-8', 'fake-scep: GET PKIOperation without message');
        rec.getMessageEncoding = /^(?:[A-Za-z0-9]|%2B|%2F|%3D)*$/i.test(rawMsg) ? 'std-base64-percent-encoded' : 'other';
        let decoded: string;
        try {
          decoded = decodeURIComponent(rawMsg);
        } catch {
          decoded = rawMsg;
        }
        return pkiOperation(req, res, new Uint8Array(Buffer.from(decoded, 'base64')), rec);
      }
      default:
        return send(res, 400, 'text/plain; charset=utf-8', `fake-scep: unknown operation "${operation}"`);
    }
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', `fake-scep internal error: ${(e as Error).message}`);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;

  return {
    url: `http://127.0.0.1:${port}/scep`,
    caDer,
    caPem: toPem(caDer),
    ...(raSignDer ? { raSignDer } : {}),
    ...(raEncryptDer ? { raEncryptDer } : {}),
    nextCaDer,
    requests,
    issued,
    setScript(actions: FakeAction[], newThen?: FakeAction): void {
      script = [...actions];
      if (newThen !== undefined) then = newThen;
    },
    setReplyDelay(ms: number): void {
      replyDelay = ms;
    },
    setClockOffset(ms: number): void {
      clockOffset = ms;
    },
    close(): Promise<void> {
      return new Promise((resolve) => {
        server.close(() => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
        server.closeAllConnections();
      });
    },
  };
}

/** The undecoded value of `name` in a raw query string (so a literal `+` stays visible). */
function rawQueryParam(q: string, name: string): string | undefined {
  for (const pair of q.split('&')) {
    const eq = pair.indexOf('=');
    const k = eq < 0 ? pair : pair.slice(0, eq);
    if (k === name) return eq < 0 ? '' : pair.slice(eq + 1);
  }
  return undefined;
}

/**
 * Fakes started by one test file, all closed at its end: `const pool = fakeScepPool();
 * afterAll(pool.closeAll); const f = await pool.fake({ ... });`.
 */
export function fakeScepPool(): { fake(opts?: FakeScepOptions): Promise<FakeScep>; closeAll(): Promise<void> } {
  const started: FakeScep[] = [];
  return {
    async fake(opts = {}) {
      const f = await startFakeScep(opts);
      started.push(f);
      return f;
    },
    async closeAll() {
      await Promise.all(started.splice(0).map((f) => f.close()));
    },
  };
}
