/**
 * Cut-and-paste and file enrollment (`enrollment terminal [pem]`, `enrollment url tftp:|flash:…`,
 * and profiles that enroll either way): the PKCS#10 request per key — shown for copying, or
 * written to `NAME[-sign|-encr].req` — and `crypto pki import NAME certificate`, which takes
 * the issued certificate back (pasted or read from `NAME[-sign|-encr].crt`), checks it against
 * the trustpoint's keys and CA and stores it with its key in one commit.
 */
import type { Trustpoint } from '../config/model.ts';
import type { IosKeyPurpose } from '../pki/csr.ts';
import { readPasted, writeBase64Lines, writeCsrPem } from '../pki/pem.ts';
import { summarizeCertificate } from '../pki/x509.ts';
import { utf8 } from '../util/bytes.ts';
import { toHex } from '../util/hex.ts';
import { iosDate } from '../util/time.ts';
import { certificatesIn } from './authenticate.ts';
import { caCertificates, keepOtherUsage, type EnrollHost, type EnrollKey } from './host.ts';
import { fileTarget, readTargetFile, writeTargetFile, type FileTarget } from './file.ts';
import { announceSubject, askIdentity, subjectFor, trustpointCsr } from './identity.ts';
import { isYes, readPaste, refuse, type EnrollIo } from './io.ts';

function printRequest(io: EnrollIo, title: string, body: string) {
  if (title) io.print(title);
  io.print('Certificate Request follows:');
  io.print('');
  for (const l of body.split('\n')) io.print(l);
  io.print('');
  io.print('---End - This line not part of the certificate request---');
  io.print('');
}

/**
 * `crypto pki enroll NAME` for the terminal and file methods: the requests (one per key), shown
 * or written to `target` (a file method), and the hint to import the certificate. `pem`: show
 * PEM instead of IOS's bare base64.
 */
export async function enrollTerminal<K extends EnrollKey>(host: EnrollHost<K>, tp: Trustpoint, target: FileTarget | undefined, pem: boolean): Promise<void> {
  const io = host.io;
  const name = tp.name;
  if (!caCertificates(host.running, name).length) refuse(`% You must authenticate the Certificate Authority before you can enroll with it ("crypto pki authenticate ${name}").`);

  io.print('% Start certificate enrollment ..');
  const keys = await host.keysFor(tp, { forEnrollment: true });
  announceSubject(host, io, tp);
  const id = await askIdentity(host, io, tp, false);
  const { subject } = subjectFor(host, tp, id);
  io.print('');
  if (id.serialNumber) io.print(`% The serial number in the certificate will be: ${id.serialNumber}`);
  if (id.ipAddress) io.print(`% The IP address in the certificate is ${id.ipAddress}`);
  const requests: { purpose: IosKeyPurpose; der: Uint8Array }[] = [];
  for (const k of keys) {
    const signer = await host.signer(k);
    const purpose: IosKeyPurpose = k.usage;
    const der = await trustpointCsr(tp, subject, id, purpose, signer, io.signal);
    requests.push({ purpose, der });
  }
  const render = (der: Uint8Array) => (pem ? writeCsrPem(der) : writeBase64Lines(der)).replace(/\n$/, '');
  const label = (p: IosKeyPurpose) => (p === 'signature' ? 'Signature key certificate request -' : p === 'encryption' ? 'Encryption key certificate request -' : '');
  if (target) {
    const suffix = (p: IosKeyPurpose) => (p === 'signature' ? '-sign' : p === 'encryption' ? '-encr' : '');
    for (const r of requests) await writeTargetFile(host, target, `${target.base}${suffix(r.purpose)}.req`, utf8(writeCsrPem(r.der)));
    const show = await io.ask({ text: 'Display Certificate Request to terminal? [yes/no]: ', kind: 'yesno' });
    if (isYes(show)) for (const r of requests) printRequest(io, label(r.purpose), render(r.der));
  } else {
    const show = await io.ask({ text: 'Display Certificate Request to terminal? [yes/no]: ', kind: 'yesno' });
    for (const r of requests) {
      host.offerDownload(`${name}${r.purpose === 'signature' ? '-sign' : r.purpose === 'encryption' ? '-encr' : ''}.csr`, utf8(writeCsrPem(r.der)), 'application/pkcs10');
    }
    if (isYes(show)) {
      for (;;) {
        for (const r of requests) printRequest(io, label(r.purpose), render(r.der));
        const again = await io.ask({ text: 'Redisplay enrollment request? [yes/no]: ', kind: 'yesno' });
        if (!isYes(again)) break;
      }
    }
  }
  io.print(`% Paste the issued certificate${requests.length > 1 ? 's' : ''} with "crypto pki import ${name} certificate".`);
}

/**
 * `crypto pki import NAME certificate`: the certificate for one of the trustpoint's keys,
 * pasted or read from the file target (`profileFile`: a profile's file URL), valid and chaining
 * to the trustpoint's CA; stored with its key (the other usage key's certificate stays).
 */
export async function importCertificate<K extends EnrollKey>(host: EnrollHost<K>, tp: Trustpoint, profileFile?: string): Promise<void> {
  const io = host.io;
  const cfg = host.running;
  const name = tp.name;
  const cas = caCertificates(cfg, name);
  if (!cas.length) refuse(`% You must authenticate the Certificate Authority before importing a certificate ("crypto pki authenticate ${name}").`);
  const keys = await host.keysFor(tp, { forEnrollment: false });
  const e = tp.enrollment;
  const target = e?.kind === 'url' ? fileTarget(e.url, cfg) : profileFile ? fileTarget(profileFile, cfg) : undefined;
  let ders: Uint8Array[];
  if (target) {
    const own = cfg.chains.get(name)?.certificates.filter((c) => c.kind === 'general') ?? [];
    const usageKeys = keys.some((k) => k.usage !== 'general');
    let fname = `${target.base}.crt`;
    if (usageKeys) {
      const have = new Set(own.map((c) => toHex(summarizeCertificate(c.der).spki)));
      const sign = keys.find((k) => k.usage === 'signature');
      fname = sign && !have.has(toHex(sign.spki)) ? `${target.base}-sign.crt` : `${target.base}-encr.crt`;
    }
    ders = certificatesIn(await readTargetFile(host, target, fname));
  } else {
    io.print('');
    io.print('Enter the base 64 encoded certificate.');
    io.print('End with a blank line or the word "quit" on a line by itself');
    io.print('');
    const text = await readPaste(io);
    if (!text.trim()) refuse('% No certificate entered: nothing imported.');
    ders = certificatesIn(readPasted(text));
  }
  // A pasted chain may carry the CA certificates too: keep the one that is not a CA.
  const leaves = ders.filter((d) => !summarizeCertificate(d).isCA);
  if (leaves.length !== 1) refuse(`% Expected one router certificate, found ${leaves.length}.`);
  const der = leaves[0]!;
  const s = summarizeCertificate(der);
  const key = keys.find((k) => toHex(k.spki) === toHex(s.spki));
  if (!key) refuse(`% The certificate's public key does not match any key pair of trustpoint ${name}: not imported.`);
  const now = host.clock();
  if (now > s.notAfter) refuse(`% The certificate expired at ${iosDate(s.notAfter)}: not imported.`);
  const chain = cas.map((c) => c.der);
  const v = await host.validateChain({ leaf: der, intermediates: chain.slice(0, -1), anchors: [chain[chain.length - 1]!], time: now, ca: false, trustpoint: tp });
  if (!v.ok) refuse(`% The certificate does not chain to the CA of trustpoint ${name}: ${v.reason}. Not imported.`);
  io.print('% Router Certificate successfully imported');
  await host.commit({
    activate: [key],
    apply: (c) => {
      const entry = c.chains.get(name)!;
      entry.certificates = [{ kind: 'general', serial: s.serial, der }, ...keepOtherUsage(entry.certificates, keys, key)];
    },
  });
}
