/**
 * SCEP interop "from the other side" (issue 5), in node against the real CA:
 *  - Debian's own client (micromdm `scepclient`) enrols through a recording proxy; its
 *    PKCSReq and the server's CertRep — SUCCESS and FAILURE — decode in our inspector, our
 *    parser verifies the server's signature, and our envelope code opens the reply with the
 *    client's key to the very certificate scepclient stored.
 *  - pkiMessages we build (each content cipher and digest we can choose) are accepted by the
 *    server, and OpenSSL verifies the signature and decrypts them with the CA's own key to the
 *    CSR we put in, which `openssl req -verify` accepts.
 *
 * With TRUSTPOINT_SAVE_SCEP_CAPTURES=DIR the messages seen here (scepclient's PKCSReq, the
 * server's SUCCESS and FAILURE CertReps, GetCACaps/GetCACert replies, our PKCSReqs and the
 * server's answers) and the CA certificate are also written to DIR: that is how the fuzz seeds
 * in tests/vectors/scep-captures/ were made (see its README).
 */
import { execFile, spawnSync } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '../pw.ts';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { createDirectCore } from '../../src/core/direct.ts';
import type { CoreApi } from '../../src/core/api.ts';
import { coreDecrypter, coreSigner } from '../../src/crypto/core-keys.ts';
import { createPkiEngine, type PkiEngine } from '../../src/pki/engine.ts';
import { makeVerify } from '../../src/pki/verify-core.ts';
import { webCryptoVerify } from '../../src/pki/verify-webcrypto.ts';
import { buildCsr } from '../../src/pki/csr.ts';
import { buildSelfSigned } from '../../src/pki/certgen.ts';
import { parseX500Name } from '../../src/pki/names.ts';
import type { VerifyFn } from '../../src/crypto/types.ts';
import type { ScepChoices, ScepCipher, ScepDigest } from '../../src/enroll/scep/caps.ts';
import { describeMessage } from '../../src/enroll/scep/inspect.ts';
import { buildPkiMessage, certRepCertificates, parseCertRep, transactionIdFor } from '../../src/enroll/scep/message.ts';
import { coreWasmPath } from '../unit/_core.ts';
import { labFromEnv, startLab, type Lab } from './lab.ts';

interface Exchange {
  method: string;
  url: string;
  request: Buffer;
  status: number;
  contentType: string;
  reply: Buffer;
}

/** A recording reverse proxy on 127.0.0.1 in front of `target` (an http://host:port origin). */
async function recordingProxy(target: string): Promise<{ url: string; log: Exchange[]; close(): Promise<void> }> {
  const log: Exchange[] = [];
  const t = new URL(target);
  const server: Server = createServer((req, res) => {
    const body: Buffer[] = [];
    req.on('data', (c: Buffer) => body.push(c));
    req.on('end', () => {
      const up = request({ host: t.hostname, port: t.port, path: req.url, method: req.method, headers: { ...req.headers, host: t.host } }, (r) => {
        const out: Buffer[] = [];
        r.on('data', (c: Buffer) => out.push(c));
        r.on('end', () => {
          const reply = Buffer.concat(out);
          log.push({ method: req.method!, url: req.url!, request: Buffer.concat(body), status: r.statusCode ?? 0, contentType: String(r.headers['content-type'] ?? ''), reply });
          res.writeHead(r.statusCode ?? 502, r.headers);
          res.end(reply);
        });
      });
      up.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      up.end(Buffer.concat(body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  const port = typeof a === 'object' && a ? a.port : 0;
  return { url: `http://127.0.0.1:${port}/scep`, log, close: () => new Promise((r) => server.close(() => r())) };
}

function run(cmd: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((res) => {
    execFile(cmd, args, { timeout: 30_000 }, (err, stdout, stderr) => res({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, out: stdout + stderr }));
  });
}

function openssl(args: string[], input?: Uint8Array): Buffer {
  const r = spawnSync('openssl', args, { input });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr.toString()}`);
  return r.stdout;
}

let lab: Lab;
let ownLab = false;
let work: string;
let core: CoreApi;
let engine: PkiEngine;
let verify: VerifyFn;
const choicesPost: ScepChoices = { cipher: 'DES-CBC', digest: 'SHA-1', post: true, renewal: true, getNextCACert: false };

test.beforeAll(async () => {
  const attached = labFromEnv();
  if (attached) lab = attached;
  else {
    lab = await startLab({ dir: '.lab/i/scep-captures', rawPort: 0, corsPort: 0, anyLocalPort: true });
    ownLab = true;
  }
  work = mkdtempSync(join(tmpdir(), 'tp-scep-captures-'));
  writeFileSync(join(work, 'ca.pem'), lab.caPem);
  core = await createDirectCore(readFileSync(coreWasmPath('release')));
  engine = createPkiEngine(core, { subtle: globalThis.crypto.subtle });
  verify = makeVerify(async () => core, webCryptoVerify);
});

test.afterAll(async () => {
  if (ownLab) await lab.stop();
  rmSync(work, { recursive: true, force: true });
});

/** Saves a captured message when TRUSTPOINT_SAVE_SCEP_CAPTURES names a directory. */
function saveCapture(name: string, der: Uint8Array): void {
  const dir = process.env.TRUSTPOINT_SAVE_SCEP_CAPTURES;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), der);
  writeFileSync(join(dir, 'ca.der'), lab.caDer);
}

/** The attribute lines of an inspector transcript, as name → value. */
function attributes(lines: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const l of lines) {
    const x = /^CRYPTO_PKI: {5}(\w+): (.*)$/.exec(l);
    if (x) m.set(x[1]!, x[2]!);
  }
  return m;
}

/** The certificates carried in a SignedData (DER). */
function signedDataCertificates(der: Uint8Array): Uint8Array[] {
  const ci = new pkijs.ContentInfo({ schema: asn1js.fromBER(der).result });
  const sd = new pkijs.SignedData({ schema: ci.content });
  return (sd.certificates ?? []).map((c) => new Uint8Array((c as pkijs.Certificate).toSchema().toBER()));
}

test("Debian's scepclient: its PKCSReq and the server's CertRep decode in our inspector, and our code opens the reply", async () => {
  const proxy = await recordingProxy(new URL(lab.rawUrl).origin);
  try {
    const dir = join(work, 'ok');
    mkdirSync(dir);
    const cn = `captures-${process.pid}.example`;
    const r = await run('scepclient', ['-server-url', proxy.url, '-private-key', join(dir, 'key.pem'), '-cn', cn, '-challenge', lab.challenge]);
    expect(r.code, r.out).toBe(0);
    const issued = new X509Certificate(readFileSync(join(dir, 'client.pem')));
    expect(issued.subject).toContain(`CN=${cn}`);

    const op = proxy.log.find((e) => e.url.includes('operation=PKIOperation'))!;
    saveCapture('micromdm-pkcsreq-from-scepclient.der', op.request);
    saveCapture('micromdm-certrep-success.der', op.reply);
    const caCert = proxy.log.find((e) => e.url.includes('operation=GetCACert'));
    if (caCert) saveCapture('micromdm-getcacert.der', caCert.reply);
    const caps = proxy.log.find((e) => e.url.includes('operation=GetCACaps'));
    if (caps) saveCapture('micromdm-getcacaps.txt', caps.reply);
    expect(op.method).toBe('POST');
    expect(op.status).toBe(200);
    expect(op.contentType).toBe('application/x-pki-message');

    const req = await describeMessage(new Uint8Array(op.request), 'request', choicesPost);
    const ra = attributes(req);
    expect(ra.get('messageType')).toBe('19 (PKCSReq)');
    expect(ra.get('senderNonce')).toMatch(/^[0-9A-F]{32}$/);
    expect(ra.get('transactionID')).toMatch(/^[A-Za-z0-9+/]{27}=$/); // base64(SHA-1(key)), as REPORT §3.3 says
    expect(req).toContain('CRYPTO_PKI:     digest: SHA-1; signature: sha1WithRSAEncryption');
    expect(req).toContain('CRYPTO_PKI:     envelope: DES-CBC, key transport rsaEncryption');
    expect(req).toContain('CRYPTO_PKI:     recipient: C=DE, O=Peer Lab, OU=SCEP Lab CA serial 01');
    expect(req).toContain('CRYPTO_PKI:     content: encrypted (not shown)');
    expect(req.find((l) => l.includes('signer:'))).toContain('CN=SCEP SIGNER');
    expect(req.join('\n')).not.toContain(lab.challenge);

    const rep = await describeMessage(new Uint8Array(op.reply), 'reply', choicesPost);
    const rr = attributes(rep);
    expect(rr.get('messageType')).toBe('3 (CertRep)');
    expect(rr.get('pkiStatus')).toBe('0 (SUCCESS)');
    expect(rr.get('recipientNonce')).toBe(ra.get('senderNonce'));
    expect(rr.get('transactionID')).toBe(ra.get('transactionID'));
    expect(rep).toContain('CRYPTO_PKI:     signer: C=DE, O=Peer Lab, OU=SCEP Lab CA serial 01');
    expect(rep).toContain('CRYPTO_PKI:     envelope: DES-CBC, key transport rsaEncryption');

    // Our parser verifies the server's signature against the CA, and our envelope code opens
    // the reply with scepclient's own key, to the certificate scepclient stored.
    const parsed = await parseCertRep(new Uint8Array(op.reply), { verify, trusted: [lab.caDer] }, engine);
    expect(parsed.status).toBe('SUCCESS');
    expect(parsed.transactionID).toBe(ra.get('transactionID'));
    const signerCert = signedDataCertificates(new Uint8Array(op.request))[0]!;
    const key = createPrivateKey(readFileSync(join(dir, 'key.pem')));
    const pkcs8 = new Uint8Array(key.export({ type: 'pkcs8', format: 'der' }));
    const spki = new Uint8Array(new X509Certificate(Buffer.from(signerCert)).publicKey.export({ type: 'spki', format: 'der' }));
    const certs = await certRepCertificates(parsed, { recipientCert: signerCert, decrypter: coreDecrypter(core, pkcs8, spki) }, engine);
    expect(certs.some((c) => Buffer.from(c).equals(Buffer.from(issued.raw)))).toBe(true);
    // Signed by the CA: a wrong trust anchor is refused by our parser.
    await expect(parseCertRep(new Uint8Array(op.reply), { verify, trusted: [signerCert] }, engine)).rejects.toThrow(/not signed by the authenticated CA/);
  } finally {
    await proxy.close();
  }
});

test("Debian's scepclient with a wrong challenge: the server's FAILURE CertRep decodes with its failInfo", async () => {
  const proxy = await recordingProxy(new URL(lab.rawUrl).origin);
  try {
    const dir = join(work, 'bad');
    mkdirSync(dir);
    const r = await run('scepclient', ['-server-url', proxy.url, '-private-key', join(dir, 'key.pem'), '-cn', `captures-bad-${process.pid}.example`, '-challenge', 'definitely-wrong']);
    expect(r.code).toBe(1);
    const op = proxy.log.find((e) => e.url.includes('operation=PKIOperation'))!;
    saveCapture('micromdm-certrep-failure.der', op.reply);
    const parsed = await parseCertRep(new Uint8Array(op.reply), { verify, trusted: [lab.caDer] }, engine);
    expect(parsed.status).toBe('FAILURE');
    expect(parsed.failInfo).toBe(2);
    const rep = await describeMessage(new Uint8Array(op.reply), 'reply', choicesPost, parsed);
    const rr = attributes(rep);
    expect(rr.get('pkiStatus')).toBe('2 (FAILURE)');
    expect(rr.get('failInfo')).toBe('2 (badRequest)');
    expect(rep).toContain('CRYPTO_PKI:     content: 0 bytes');
    expect(rep.at(-1)).toMatch(/^CRYPTO_PKI: {5}=> FAILURE: the CA refused the request/);
  } finally {
    await proxy.close();
  }
});

const COMBOS: { cipher: ScepCipher; digest: ScepDigest; openssl: string }[] = [
  { cipher: 'AES-128-CBC', digest: 'SHA-256', openssl: 'aes-128-cbc' },
  { cipher: 'DES-EDE3-CBC', digest: 'SHA-1', openssl: 'des-ede3-cbc' },
  { cipher: 'DES-CBC', digest: 'SHA-512', openssl: 'des-cbc' },
];

for (const combo of COMBOS) {
  test(`a PKCSReq we build (${combo.cipher}, ${combo.digest}) is accepted by the server and opened by OpenSSL with the CA key`, async () => {
    const kp = await core.rsaGenerate(2048, 65537);
    const signer = coreSigner(core, kp.pkcs8, kp.spki, { kind: 'rsa', bits: 2048 });
    const cn = `ours-${combo.cipher}-${process.pid}.example`;
    const csr = await buildCsr({ subject: parseX500Name(`CN=${cn}, O=Trustpoint interop`), challengePassword: lab.challenge, keyUsage: ['digitalSignature', 'keyEncipherment'] }, signer);
    const now = Date.now();
    const self = await buildSelfSigned({ subject: parseX500Name(`CN=${cn}`), serial: new Uint8Array([1, 2, 3, 4]), notBefore: new Date(now - 600_000), notAfter: new Date(now + 3_600_000), usage: [] }, signer);
    const senderNonce = crypto.getRandomValues(new Uint8Array(16));
    const transactionID = transactionIdFor(await core.digest('SHA-256', kp.spki));
    const msg = await buildPkiMessage({ messageType: 'PKCSReq', transactionID, senderNonce, content: csr, recipients: [lab.caDer], cipher: combo.cipher, digest: combo.digest, signer, signerCert: self }, engine);

    // OpenSSL: the signature verifies, the envelope is for the CA, the CA key opens it to our CSR.
    const reqFile = join(work, `req-${combo.openssl}.der`);
    writeFileSync(reqFile, msg);
    const printed = openssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', reqFile]).toString();
    expect(printed).toContain(`algorithm: ${combo.digest === 'SHA-1' ? 'sha1' : combo.digest === 'SHA-256' ? 'sha256' : 'sha512'} `);
    const env = openssl(['cms', '-verify', '-noverify', '-inform', 'DER', '-in', reqFile, '-binary']);
    const envFile = join(work, `env-${combo.openssl}.der`);
    writeFileSync(envFile, env);
    expect(openssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', envFile]).toString()).toContain(`algorithm: ${combo.openssl} `);
    const plain = openssl(['cms', '-decrypt', '-provider', 'legacy', '-provider', 'default', '-inform', 'DER', '-in', envFile, '-inkey', join(lab.dir, 'scep', 'depot', 'ca.key'), '-passin', lab.caKind === 'scep' ? 'pass:' : 'pass:lab-ca-pass', '-recip', join(work, 'ca.pem'), '-binary']);
    expect(Buffer.from(plain).equals(Buffer.from(csr))).toBe(true);
    const csrFile = join(work, `csr-${combo.openssl}.der`);
    writeFileSync(csrFile, plain);
    const rv = spawnSync('openssl', ['req', '-inform', 'DER', '-in', csrFile, '-verify', '-noout'], { encoding: 'utf8' });
    expect(rv.stdout + rv.stderr).toMatch(/verify OK|Certificate request self-signature verify OK/);

    // The server accepts it and issues a certificate for our key, encrypted to us.
    const res = await fetch(`${lab.rawUrl}?operation=PKIOperation`, { method: 'POST', body: Buffer.from(msg), headers: { 'content-type': 'application/x-pki-message' } });
    expect(res.status).toBe(200);
    const reply = new Uint8Array(await res.arrayBuffer());
    saveCapture(`trustpoint-pkcsreq-${combo.openssl}.der`, msg);
    saveCapture(`micromdm-certrep-to-trustpoint-${combo.openssl}.der`, reply);
    const parsed = await parseCertRep(reply, { verify, trusted: [lab.caDer] }, engine);
    expect(parsed.status).toBe('SUCCESS');
    expect(Buffer.from(parsed.recipientNonce!).equals(Buffer.from(senderNonce))).toBe(true);
    expect(parsed.transactionID).toBe(transactionID);
    const certs = await certRepCertificates(parsed, { recipientCert: self, decrypter: coreDecrypter(core, kp.pkcs8, kp.spki) }, engine);
    const mine = certs.map((c) => new X509Certificate(Buffer.from(c))).find((c) => c.subject.includes(`CN=${cn}`));
    expect(mine).toBeDefined();
    expect(Buffer.from(mine!.publicKey.export({ type: 'spki', format: 'der' })).equals(Buffer.from(kp.spki))).toBe(true);
    expect(mine!.checkIssued(new X509Certificate(lab.caPem))).toBe(true);
  });
}
