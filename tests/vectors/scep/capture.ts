/**
 * Captures real SCEP messages from the interop lab once, for the codec's unit tests
 * (tests/unit/enroll/rfc8894-captures.test.ts): run by hand, never in CI —
 *
 *   npx tsx tests/vectors/scep/capture.ts          # LAB_DIR .lab/i/capture, ports 26080/26081
 *
 * It starts the peer lab (micromdm `scepserver` 2.1.0 from Debian's `scep`, lab/lab.sh), puts a
 * recording HTTP proxy in front of its raw port, and lets three clients talk through it:
 *   1. Debian's `scepclient` (micromdm's client) with the right challenge: PKCSReq → SUCCESS;
 *   2. the same with a wrong challenge: PKCSReq → FAILURE;
 *   3. Trustpoint itself (the console, headless: `crypto pki authenticate` and `crypto pki
 *      enroll` twice) with a committed key: PKCSReq → SUCCESS, then RenewalReq → SUCCESS.
 * Every body is written as it crossed the wire, with the keys that open them (the lab CA's key
 * opens every request; each client's key opens its replies) and, as decoded by OpenSSL and by
 * the fake's independent DER reader (never by src/), what each holds: captures.json.
 * Stops the lab at the end. See README.md beside this file.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLab } from '../../interop/lab.ts';
import { harness } from '../../unit/cli/_harness.ts';
import { OID, attrValue, content, parseEnvelopedData, parseSignedData, stringValue, toPem } from '../../fakes/fake-scep-pki.ts';
import { readPem } from '../../../src/pki/pem.ts';

const execFileAsync = promisify(execFile);
const OUT = fileURLToPath(new URL('./', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'tp-scep-capture-'));

interface Exchange {
  method: string;
  url: string;
  request: Buffer;
  status: number;
  contentType: string;
  reply: Buffer;
}

/** A recording reverse proxy on 127.0.0.1 in front of `target` (an http://host:port origin). */
async function recordingProxy(target: string, port: number): Promise<{ url: string; log: Exchange[]; close(): Promise<void> }> {
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
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  const a = server.address();
  const p = typeof a === 'object' && a ? a.port : 0;
  return { url: `http://127.0.0.1:${p}/scep`, log, close: () => new Promise((r) => server.close(() => r())) };
}

const openssl = (args: string[], input?: Uint8Array): Buffer => execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'] });
const hex = (b: Uint8Array | undefined) => (b ? Buffer.from(b).toString('hex').toUpperCase() : undefined);
const write = (name: string, data: Uint8Array | string) => writeFileSync(join(OUT, name), data);
const tmp = (name: string, data: Uint8Array | string) => {
  const p = join(work, name);
  writeFileSync(p, data);
  return p;
};

/** What a pkiMessage says, read by the fake's own DER reader (independent of src/). */
function describe(der: Uint8Array) {
  const sd = parseSignedData(der);
  const si = sd.signerInfos[0]!;
  const s = (o: string) => {
    const v = attrValue(si.signedAttrs, o);
    return v ? stringValue(v) : undefined;
  };
  const b = (o: string) => {
    const v = attrValue(si.signedAttrs, o);
    return v ? hex(new Uint8Array(content(v))) : undefined;
  };
  const env = sd.eContent && sd.eContent.length ? parseEnvelopedData(sd.eContent) : undefined;
  return {
    messageType: s(OID.scepMessageType),
    pkiStatus: s(OID.scepPkiStatus),
    failInfo: s(OID.scepFailInfo),
    transactionID: s(OID.scepTransactionId),
    senderNonce: b(OID.scepSenderNonce),
    recipientNonce: b(OID.scepRecipientNonce),
    digestOid: si.digestOid,
    signatureOid: si.signatureOid,
    certificates: sd.certificates.length,
    contentCipherOid: env?.cipherOid,
    recipients: env?.recipients.length ?? 0,
  };
}

/** Opens a pkiMessage's envelope with OpenSSL: `certPem`/`keyPem` of the recipient. */
function opensslOpen(der: Uint8Array, certPem: string, keyPem: string): Buffer {
  const env = parseSignedData(der).eContent!;
  return openssl(['cms', '-decrypt', '-inform', 'DER', '-binary', '-provider', 'legacy', '-provider', 'default', '-recip', tmp('r.pem', certPem), '-inkey', tmp('r.key', keyPem)], env);
}

const certsOf = (p7: Uint8Array): string[] => [...openssl(['pkcs7', '-inform', 'DER', '-print_certs'], p7).toString().matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n/g)].map((m) => m[0]);

async function main(): Promise<void> {
  const lab = await startLab({ dir: '.lab/i/capture', rawPort: Number(process.env.SCEP_RAW_PORT ?? 26080), corsPort: Number(process.env.SCEP_CORS_PORT ?? 26081) });
  const proxy = await recordingProxy(new URL(lab.rawUrl).origin, Number(process.env.CAPTURE_PROXY_PORT ?? 26082));
  const meta: Record<string, unknown> = {
    capturedAt: new Date().toISOString(),
    server: `micromdm scepserver (Debian scep ${execFileSync('dpkg-query', ['-W', '-f=${Version}', 'scep']).toString()}), lab/lab.sh SCEP_CA_KIND=${lab.caKind}, challenge "${lab.challenge}"`,
    openssl: openssl(['version']).toString().trim(),
    node: process.version,
    files: {} as Record<string, unknown>,
  };
  const files = meta.files as Record<string, unknown>;
  try {
    // The CA: its certificate and (PKCS#8) key, which opens every request.
    const caKeyPem = createPrivateKey({ key: readFileSync(join(lab.dir, 'scep', 'depot', 'ca.key')), passphrase: lab.caKind === 'scep' ? '' : 'lab-ca-pass' }).export({ type: 'pkcs8', format: 'pem' }) as string;
    write('micromdm-ca.pem', lab.caPem);
    write('micromdm-ca.key', caKeyPem);

    // 1 + 2: scepclient, right and wrong challenge.
    for (const [tag, challenge] of [
      ['scepclient', lab.challenge],
      ['scepclient-bad', 'definitely-wrong'],
    ] as const) {
      const d = mkdtempSync(join(work, `${tag}-`));
      const cn = `${tag}.capture.example`;
      const from = proxy.log.length;
      try {
        // async: the recording proxy lives in this event loop
        await execFileAsync('scepclient', ['-server-url', proxy.url, '-private-key', join(d, 'key.pem'), '-cn', cn, '-challenge', challenge], { timeout: 60_000 });
      } catch (e) {
        if (tag === 'scepclient') throw e; // the wrong challenge is expected to fail
      }
      const op = proxy.log.slice(from).find((e) => e.url.includes('operation=PKIOperation'))!;
      const keyPem = createPrivateKey(readFileSync(join(d, 'key.pem'))).export({ type: 'pkcs8', format: 'pem' }) as string;
      const signerPem = toPem(parseSignedData(op.request).certificates[0]!);
      const csr = opensslOpen(op.request, lab.caPem, caKeyPem);
      write(`${tag}-pkcsreq.der`, op.request);
      write(`${tag}-pkcsreq.csr.der`, csr);
      write(`${tag}-key.pem`, keyPem);
      files[`${tag}-pkcsreq.der`] = { what: `PKCSReq by scepclient (CN=${cn}, challenge "${challenge}")`, opensBy: 'micromdm-ca.key', plaintext: `${tag}-pkcsreq.csr.der`, signer: 'its own self-signed certificate, key ' + `${tag}-key.pem`, ...describe(op.request) };
      const rep = tag === 'scepclient' ? 'certrep-success' : 'certrep-failure';
      write(`${tag}-${rep}.der`, op.reply);
      const info: Record<string, unknown> = { what: `CertRep by scepserver to ${tag}-pkcsreq.der (HTTP ${op.status} ${op.contentType})`, signedBy: 'micromdm-ca.pem', ...describe(op.reply) };
      if (tag === 'scepclient') {
        const p7 = opensslOpen(op.reply, signerPem, keyPem);
        const issued = certsOf(p7);
        write('scepclient-issued.pem', issued.join(''));
        const stored = new X509Certificate(readFileSync(join(d, 'client.pem')));
        if (!Buffer.from(stored.raw).equals(Buffer.from(new X509Certificate(issued[0]!).raw))) throw new Error('scepclient stored another certificate than the CertRep holds');
        Object.assign(info, { opensBy: 'scepclient-key.pem (recipient: the signer certificate in scepclient-pkcsreq.der)', plaintext: 'scepclient-issued.pem (the certificates of the degenerate PKCS#7 inside, as OpenSSL prints them; scepclient stored the same)' });
      }
      files[`${tag}-${rep}.der`] = info;
    }

    // 3: Trustpoint's own client, through the console.
    // The key Trustpoint enrolls: made once (kept across captures), PKCS#8.
    if (!existsSync(join(OUT, 'trustpoint-key.pem'))) write('trustpoint-key.pem', openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048']));
    const keyPem = readFileSync(join(OUT, 'trustpoint-key.pem'), 'utf8');
    const h = await harness({ privileged: true, clock: () => new Date() });
    const rec = await h.app.keys.importPkcs8('tp-capture', 'general', readPem(keyPem)[0]!.der, true);
    await h.app.keys.store.put([rec]);
    const from = proxy.log.length;
    const t = await h.run(
      [
        'configure terminal',
        'hostname kiosk7',
        'ip domain-name example.com',
        'crypto pki trustpoint CAP',
        ` enrollment url ${proxy.url}`,
        ' subject-name CN=trustpoint.capture.example, O=Trustpoint tests',
        ' serial-number none',
        ' ip-address none',
        ` password ${lab.challenge}`,
        ' rsakeypair tp-capture',
        ` fingerprint ${lab.fingerprints.sha1}`,
        ' exit',
        'crypto pki authenticate CAP',
        'crypto pki enroll CAP',
        'crypto pki enroll CAP',
        'yes',
      ].join('\n'),
    );
    if (!t.includes('Renewing: RenewalReq')) throw new Error(`Trustpoint did not renew:\n${t}`);
    const ops = proxy.log.slice(from).filter((e) => e.url.includes('operation=PKIOperation'));
    const caps = proxy.log.slice(from).find((e) => e.url.includes('operation=GetCACaps'))!;
    const cacert = proxy.log.slice(from).find((e) => e.url.includes('operation=GetCACert'))!;
    write('getcacaps.txt', caps.reply);
    write('getcacert.der', cacert.reply);
    files['getcacaps.txt'] = { what: `GetCACaps reply (${caps.contentType})` };
    files['getcacert.der'] = { what: `GetCACert reply (${cacert.contentType}): the CA certificate, DER` };
    const names = [
      ['trustpoint-pkcsreq', 'trustpoint-certrep-success', 'PKCSReq'],
      ['trustpoint-renewalreq', 'trustpoint-certrep-renewal', 'RenewalReq'],
    ] as const;
    for (const [i, [req, rep, kind]] of names.entries()) {
      const op = ops[i]!;
      const signerPem = toPem(parseSignedData(op.request).certificates[0]!);
      write(`${req}.der`, op.request);
      write(`${req}.csr.der`, opensslOpen(op.request, lab.caPem, caKeyPem));
      write(`${rep}.der`, op.reply);
      const issued = certsOf(opensslOpen(op.reply, signerPem, keyPem));
      write(`${rep}.issued.pem`, issued.join(''));
      files[`${req}.der`] = {
        what: `${kind} by Trustpoint (crypto pki enroll CAP, ${kind === 'PKCSReq' ? 'first enrollment' : 'renewal, signed with the certificate of the first'})`,
        opensBy: 'micromdm-ca.key',
        plaintext: `${req}.csr.der`,
        signer: kind === 'PKCSReq' ? 'a self-signed certificate of trustpoint-key.pem' : 'the certificate of trustpoint-certrep-success.issued.pem (key trustpoint-key.pem)',
        ...describe(op.request),
      };
      files[`${rep}.der`] = { what: `CertRep by scepserver to ${req}.der`, signedBy: 'micromdm-ca.pem', opensBy: 'trustpoint-key.pem', plaintext: `${rep}.issued.pem`, ...describe(op.reply) };
    }
    write('captures.json', JSON.stringify(meta, null, 2) + '\n');
    execFileSync('sh', ['-c', 'sha256sum -- *.der *.pem *.key *.txt captures.json > SHA256SUMS'], { cwd: OUT });
    console.log(`captured ${Object.keys(files).length} messages into ${OUT}`);
  } finally {
    await proxy.close();
    await lab.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
process.exit(0);
