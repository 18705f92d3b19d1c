/**
 * `crypto pki import NAME pkcs12 URL password P`, `crypto pki export NAME pkcs12 URL
 * [3des|aes] password P` and `crypto pki export NAME pem (terminal | url URL) [3des|aes]
 * password P` — keys and certificates in and out, honouring the exportable flag.
 *
 * Files: `flash:`/`disk0:` ... are the IndexedDB file systems; `http(s)://` is fetched (import
 * only); `tftp://` and `ftp://` are the user's own files — offered as downloads on export and
 * pasted (PEM or base64) or dropped on the console on import.
 */
import type { TrustpointApp } from './app.ts';
import { readPaste, type Interaction } from './interaction.ts';
import { orderCaChain, refuse } from './pki.ts';
import { commitChange } from './commit.ts';
import { assertCanStoreKeys } from './keys.ts';
import { keySpecOf } from './trustpoint-keys.ts';
import { isUrlError, parseEnrollmentUrl } from '../config/url.ts';
import { newTrustpoint, type ChainCertificate } from '../config/model.ts';
import { httpRequest } from '../enroll/transport.ts';
import { readPasted, writePem } from '../pki/pem.ts';
import { keyCertificate, readPkcs12, writePkcs12 } from '../pki/pkcs12.ts';
import { writeEncryptedPrivateKeyPem } from '../pki/private-key.ts';
import { summarizeCertificate } from '../pki/x509.ts';
import { PkiError } from '../util/errors.ts';
import { toHex } from '../util/hex.ts';
import { normalizePath } from '../store/files.ts';

/** Reads the bytes a file argument names. */
export async function readFileArg(app: TrustpointApp, io: Interaction, url: string, what: string): Promise<Uint8Array> {
  const u = parseEnrollmentUrl(url);
  if (isUrlError(u)) refuse(`% ${u.error}`);
  if (u.kind === 'ifs') {
    const path = normalizePath(u.filesystem, u.path);
    const f = await app.files.read(path);
    if (!f) refuse(`%Error opening ${path} (No such file or directory)`);
    io.print(`Loading ${path} ... (${f.data.length} bytes)`);
    return f.data;
  }
  if (u.kind === 'http') {
    io.print(`Loading ${url} ...`);
    return (await httpRequest(url, { signal: io.signal, maxBytes: 4 << 20 })).body;
  }
  const name = u.path.split('/').filter(Boolean).pop() ?? what;
  io.print(`% ${u.kind.toUpperCase()} is not possible in a browser: provide ${name} instead —`);
  io.print('% drop the file on the console, or paste it (base64 or PEM).');
  io.print('End with a blank line or the word "quit" on a line by itself');
  const text = await readPaste(io);
  if (!text.trim()) refuse(`% No data for ${name}: nothing imported.`);
  const blocks = readPasted(text);
  if (blocks.length !== 1) refuse(`% Expected one ${what}, found ${blocks.length} blocks.`);
  return blocks[0]!.der;
}

/** Writes bytes where a file argument says (file system, or a download). */
export async function writeFileArg(app: TrustpointApp, io: Interaction, url: string, data: Uint8Array, mime: string): Promise<void> {
  const u = parseEnrollmentUrl(url);
  if (isUrlError(u)) refuse(`% ${u.error}`);
  if (u.kind === 'ifs') {
    const path = normalizePath(u.filesystem, u.path);
    if (!u.path) refuse(`% Give a file name: ${u.filesystem}:NAME`);
    await app.files.write(path, data, app.clock().getTime());
    io.print(`% Wrote ${path} (${data.length} bytes)`);
    return;
  }
  if (u.kind === 'http') refuse('% Export over HTTP is not supported: export to flash: or tftp:// (a download).');
  const name = u.path.split('/').filter(Boolean).pop();
  if (!name) refuse('% Give a file name in the URL.');
  app.offerDownload(name, data, mime);
  io.print(`% ${u.kind.toUpperCase()} is not possible in a browser: ${name} is offered as a download.`);
}

function pkcs12Error(e: unknown): never {
  if (e instanceof PkiError) {
    if (e.code === 'pkcs12-password') refuse('% The PKCS #12 file could not be opened: wrong password (or a damaged file).');
    refuse(`% PKCS #12 import failed: ${e.message.replace(/^[\w.]+: /, '')}`);
  }
  throw e;
}

export async function importPkcs12(app: TrustpointApp, io: Interaction, name: string, url: string, password: string): Promise<void> {
  const der = await readFileArg(app, io, url, 'PKCS #12 file');
  const core = await app.core();
  let contents;
  try {
    contents = await readPkcs12(der, password, core, { signal: io.signal });
  } catch (e) {
    pkcs12Error(e);
  }
  for (const w of contents.warnings) io.print(`% Warning: ${w}`);
  if (!contents.key) refuse('% The PKCS #12 file holds no private key: nothing imported.');
  const own = keyCertificate(contents);
  if (!own) refuse("% The PKCS #12 file holds no certificate for its private key: nothing imported.");
  const cas = contents.certificates.filter((c) => c !== own).map((c) => c.der);
  const ownSummary = summarizeCertificate(own.der);
  const now = app.clock();
  if (now > ownSummary.notAfter) io.print(`% Warning: the certificate expired at ${ownSummary.notAfter.toISOString()}.`);
  let chain: { der: Uint8Array; s: ReturnType<typeof summarizeCertificate> }[] = [];
  if (cas.length) {
    chain = orderCaChain(cas);
    const known = app.running.trustpoints.get(name);
    const v = await app.validateChain({ leaf: own.der, intermediates: chain.slice(0, -1).map((c) => c.der), anchors: [chain[chain.length - 1]!.der], time: now, ca: false, ...(known ? { trustpoint: known } : {}) });
    if (!v.ok) refuse(`% The certificate in the PKCS #12 file does not chain to its CA certificates: ${v.reason}. Nothing imported.`);
  } else io.print('% Warning: the PKCS #12 file holds no CA certificate; authenticate the CA before relying on this trustpoint.');
  const cfg = app.running;
  const existing = cfg.trustpoints.get(name);
  if (existing && (cfg.chains.get(name)?.certificates.length ?? 0) > 0) {
    io.print(`% Trustpoint ${name} already has certificates; they will be replaced by those of the PKCS #12 file.`);
    if (!(await io.confirm('% Do you want to continue? [yes/no]: '))) refuse('% Nothing imported.');
  }
  const tp = existing ?? newTrustpoint(name);
  const label = tp.rsaKeypair?.label ?? tp.ecKeypair ?? name;
  const rec = await app.keys.importPkcs8(label, 'general', contents.key.pkcs8, false);
  if (toHex(rec.spki) !== toHex(ownSummary.spki)) refuse("% The PKCS #12 file's key does not match its certificate: nothing imported.");
  if (rec.holder === 'core') await assertCanStoreKeys(io, 'the imported private key');
  const certs: ChainCertificate[] = [{ kind: 'general', serial: ownSummary.serial, der: own.der }, ...chain.map((c) => ({ kind: 'ca' as const, serial: c.s.serial, der: c.der }))];
  if (!existing) io.print(`% Trustpoint ${name} created for the imported key and certificates.`);
  io.print(`% The key pair ${label} was imported as non-exportable.`);
  io.print(`CRYPTO_PKI: Imported PKCS12 file successfully.`);
  // The key, the certificates and (when IOS would save) the startup-config in one commit; a key
  // the label held before is retired, not deleted, while a saved certificate still names it.
  await commitChange(app, io, {
    activate: [rec],
    apply: (cfg) => {
      if (!cfg.trustpoints.has(name)) {
        const t = newTrustpoint(name);
        if (rec.kind === 'rsa') t.rsaKeypair = { label };
        else t.ecKeypair = label;
        cfg.trustpoints.set(name, t);
      }
      cfg.chains.set(name, { trustpoint: name, certificates: certs });
    },
  });
}

/** The exportable key and certificates of a trustpoint, or a refusal. */
async function exportable(app: TrustpointApp, name: string) {
  const cfg = app.running;
  const tp = cfg.trustpoints.get(name);
  if (!tp) refuse(`% Trustpoint ${name} not found.`);
  const certs = cfg.chains.get(name)?.certificates ?? [];
  const own = certs.find((c) => c.kind === 'general' || c.kind === 'self-signed');
  if (!own) refuse(`% Trustpoint ${name} has no certificate to export.`);
  const spki = toHex(summarizeCertificate(own.der).spki);
  const spec = keySpecOf(app, tp);
  const rec = (await app.keys.byLabel(spec.label)).find((k) => toHex(k.spki) === spki);
  if (!rec) refuse(`% The key pair of trustpoint ${name} is not in the key store.`);
  if (!rec.exportable || rec.holder !== 'core') refuse(`% The key pair ${rec.label} of trustpoint ${name} is not exportable.`);
  const cas = certs.filter((c) => c.kind === 'ca').map((c) => c.der);
  return { rec, own, cas };
}

export async function exportPkcs12(app: TrustpointApp, io: Interaction, name: string, url: string, password: string, profile: 'aes' | '3des'): Promise<void> {
  if (!password) refuse('% A password is required to export keys.');
  const { rec, own, cas } = await exportable(app, name);
  const pkcs8 = await app.keys.exportPkcs8(rec);
  try {
    const der = await writePkcs12({ key: pkcs8, certificate: own.der, chain: cas, friendlyName: name }, password, await app.core(), { profile, signal: io.signal });
    await writeFileArg(app, io, url, der, 'application/x-pkcs12');
    io.print(`% Exported trustpoint ${name} as PKCS #12 (${profile === 'aes' ? 'PBES2 AES-256, HMAC-SHA-256' : '3DES, HMAC-SHA-1 for compatibility'}).`);
  } finally {
    pkcs8.fill(0);
  }
}

export async function exportPem(app: TrustpointApp, io: Interaction, name: string, dest: { terminal: true } | { url: string }, password: string, profile: 'aes' | '3des'): Promise<void> {
  if (!password) refuse('% A password is required to export keys.');
  const { rec, own, cas } = await exportable(app, name);
  const pkcs8 = await app.keys.exportPkcs8(rec);
  let keyPem: string;
  try {
    keyPem = await writeEncryptedPrivateKeyPem(pkcs8, password, await app.core(), { profile, signal: io.signal });
  } finally {
    pkcs8.fill(0);
  }
  const ca = cas[0] ? writePem('CERTIFICATE', cas[0]) : '';
  const cert = writePem('CERTIFICATE', own.der);
  if ('terminal' in dest) {
    if (ca) {
      io.print('% CA certificate:');
      for (const l of ca.trimEnd().split('\n')) io.print(l);
      io.print('');
    }
    io.print(`% Key name: ${rec.label}`);
    io.print(`   Usage: General Purpose Key`);
    for (const l of keyPem.trimEnd().split('\n')) io.print(l);
    io.print('');
    io.print('% Certificate:');
    for (const l of cert.trimEnd().split('\n')) io.print(l);
    return;
  }
  const base = dest.url.replace(/\.(pem|crt|key|ca)$/i, '');
  if (ca) await writeFileArg(app, io, `${base}.ca`, new TextEncoder().encode(ca), 'application/x-pem-file');
  await writeFileArg(app, io, `${base}.prv`, new TextEncoder().encode(keyPem), 'application/x-pem-file');
  await writeFileArg(app, io, `${base}.crt`, new TextEncoder().encode(cert), 'application/x-pem-file');
}
