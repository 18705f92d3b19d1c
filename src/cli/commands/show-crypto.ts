/**
 * `show crypto pki certificates [NAME [verbose]]`, `show crypto pki trustpoints [status |
 * NAME [status]]` and `show crypto pki timers`, in the layouts of the IOS guide's examples.
 */
import type { CliCommand, CommandCtx } from '../session.ts';
import type { Trustpoint } from '../../config/model.ts';
import { associatedTrustpoints, chainEntries, displayOid, fingerprints, iosCertificateUsage, type Attribute, type CertificateSummary, type ChainEntry } from '../../app/certs.ts';
import { iosDate } from '../../util/time.ts';
import { toHex } from '../../util/hex.ts';
import { PENDING_PREFIX } from '../../app/keys.ts';
import { keySpecOf } from '../../app/trustpoint-keys.ts';
import { formatTimers, renewDateOf, timersOf, unattendedBlocker } from '../../app/auto.ts';
import { acmeStatusLines, profileSummaryLines } from '../../app/enrollment-status.ts';

/** Names as IOS lists them: one attribute a line, most specific first (`CN = x`). */
function nameLines(attrs: Attribute[], indent: string): string[] {
  return [...attrs].reverse().map((a) => `${indent}${a.short} = ${a.value}`);
}

function subjectLines(s: CertificateSummary, indent: string): string[] {
  const out: string[] = [];
  const host = s.subject.find((a) => a.short === 'hostname');
  if (host) out.push(`${indent}Name: ${host.value}`);
  const ip = s.subject.find((a) => a.short === 'ipaddress');
  if (ip) out.push(`${indent}IP Address: ${ip.value}`);
  const sn = s.subject.find((a) => a.short === 'serialNumber');
  if (sn) out.push(`${indent}Serial Number: ${sn.value}`);
  return [...out, ...nameLines(s.subject, indent)];
}

async function printCertificate(ctx: CommandCtx, title: string, e: ChainEntry, tp: Trustpoint, own: boolean, verbose: boolean): Promise<void> {
  const s = e.summary;
  const cfg = ctx.app.running;
  const now = ctx.app.clock();
  const status = now > s.notAfter ? 'Expired' : now < s.notBefore ? 'Not yet valid' : 'Available';
  ctx.print(title);
  ctx.print(`  Status: ${status}`);
  ctx.print(`  Certificate Serial Number (hex): ${s.serial}`);
  ctx.print(`  Certificate Usage: ${iosCertificateUsage(s)}`);
  ctx.print('  Issuer:');
  for (const l of nameLines(s.issuer, '    ')) ctx.print(l);
  ctx.print('  Subject:');
  for (const l of subjectLines(s, '    ')) ctx.print(l);
  if (s.crlDistributionPoints.length) {
    ctx.print('  CRL Distribution Points:');
    for (const u of s.crlDistributionPoints) ctx.print(`    ${u}`);
  }
  ctx.print('  Validity Date:');
  ctx.print(`    start date: ${iosDate(s.notBefore)}`);
  ctx.print(`    end   date: ${iosDate(s.notAfter)}`);
  if (own) ctx.print(`    renew date: ${iosDate(renewDateOf(ctx.app, tp, e.cert.der))}`);
  if (verbose) {
    ctx.print('  Subject Key Info:');
    ctx.print(
      s.publicKey.kind === 'rsa'
        ? `    Public Key Algorithm: rsaEncryption\n    RSA Public Key: (${s.publicKey.bits} bit)`
        : s.publicKey.kind === 'ec'
          ? `    Public Key Algorithm: id-ecPublicKey\n    EC Public Key: (${s.publicKey.curve})`
          : `    Public Key Algorithm: ${s.publicKey.oid}`,
    );
    ctx.print(`  Signature Algorithm: ${displayOid(s.signatureAlgorithm)}`);
    const fp = await fingerprints(await ctx.app.core(), e.cert.der);
    ctx.print(`  Fingerprint MD5: ${fp.md5}`);
    ctx.print(`  Fingerprint SHA1: ${fp.sha1}`);
    ctx.print(`  Fingerprint SHA256: ${fp.sha256}`);
    if (s.keyUsage) ctx.print(`  X509v3 Key Usage: ${s.keyUsage.join(', ')}`);
    if (s.extKeyUsage) ctx.print(`  X509v3 Extended Key Usage: ${s.extKeyUsage.map(displayOid).join(', ')}`);
    if (s.subjectAltNames.length) ctx.print(`  X509v3 Subject Alternative Name: ${s.subjectAltNames.map((n) => `${n.kind.toUpperCase()}:${n.value}`).join(', ')}`);
    if (s.subjectKeyId) ctx.print(`  X509v3 Subject Key ID: ${s.subjectKeyId}`);
    if (s.authorityKeyId) ctx.print(`  X509v3 Authority Key ID: ${s.authorityKeyId}`);
  }
  ctx.print(`  Associated Trustpoints: ${associatedTrustpoints(cfg, e.cert.der).join(' ')}`);
  if (own) {
    const keys = await ctx.app.keys.list();
    const k = keys.find((r) => toHex(r.spki) === toHex(s.spki));
    if (k) ctx.print(`  Key Label: ${k.label}`);
  }
  ctx.print('');
}

async function showCertificates(ctx: CommandCtx, name: string | undefined, verbose: boolean): Promise<void> {
  const cfg = ctx.app.running;
  const names = name !== undefined ? [name] : [...cfg.trustpoints.keys()];
  if (name !== undefined && !cfg.trustpoints.has(name)) {
    ctx.print(`% Trustpoint ${name} not found.`);
    return;
  }
  const shown = new Set<string>();
  for (const n of names) {
    const tp = cfg.trustpoints.get(n)!;
    const entries = chainEntries(cfg, n);
    const order = (e: ChainEntry) => (e.cert.kind === 'general' || e.cert.kind === 'self-signed' ? 0 : e.cert.kind === 'ca' ? 1 : 2);
    for (const e of [...entries].sort((a, b) => order(a) - order(b))) {
      const id = toHex(e.cert.der);
      if (shown.has(id)) continue;
      shown.add(id);
      const own = e.cert.kind === 'general' || e.cert.kind === 'rollover';
      const title =
        e.cert.kind === 'self-signed'
          ? 'Router Self-Signed Certificate'
          : e.cert.kind === 'ca'
            ? 'CA Certificate'
            : e.cert.kind === 'rollover'
              ? 'Rollover Certificate'
              : e.cert.kind === 'ca-rollover'
                ? 'Rollover CA Certificate'
              : e.cert.kind.startsWith('ra-')
                ? `RA ${e.cert.kind === 'ra-sign' ? 'Signature' : e.cert.kind === 'ra-encrypt' ? 'KeyEncipher' : 'General Purpose'} Certificate`
                : 'Certificate';
      await printCertificate(ctx, title, e, tp, own || e.cert.kind === 'self-signed', verbose);
    }
  }
}

function describeEnrollment(t: Trustpoint): string {
  const e = t.enrollment;
  if (!e) return 'not configured';
  switch (e.kind) {
    case 'url':
      return `URL ${e.url}${t.raMode ? ' (RA mode)' : ''}`;
    case 'terminal':
      return `terminal (cut-and-paste)${e.pem ? ', PEM' : ''}`;
    case 'selfsigned':
      return 'self-signed';
    case 'pkcs12':
      return 'PKCS #12 import';
    case 'profile':
      return `profile ${e.label}`;
    case 'acme':
      return `ACME ${e.directory}`;
  }
}



async function showTrustpoints(ctx: CommandCtx, name: string | undefined, status: boolean): Promise<void> {
  const cfg = ctx.app.running;
  const list = name === undefined ? [...cfg.trustpoints.values()] : [cfg.trustpoints.get(name)].filter((t): t is Trustpoint => !!t);
  if (name !== undefined && list.length === 0) {
    ctx.print(`% Trustpoint ${name} not found.`);
    return;
  }
  const core = status ? await ctx.app.core() : undefined;
  for (const t of list) {
    const entries = chainEntries(cfg, t.name);
    const cas = entries.filter((e) => e.cert.kind === 'ca');
    const own = entries.filter((e) => e.cert.kind === 'general' || e.cert.kind === 'self-signed');
    ctx.print(`Trustpoint ${t.name}:`);
    if (cas[0]) {
      ctx.print('    Subject Name:');
      for (const l of nameLines(cas[0].summary.subject, '    ')) ctx.print(l);
      ctx.print(`          Serial Number (hex): ${cas[0].summary.serial}`);
      ctx.print('    Certificate configured.');
    } else if (t.enrollment?.kind === 'selfsigned') {
      if (own[0]) {
        ctx.print('  Subject Name:');
        ctx.print(`    ${[...own[0].summary.subject].reverse().map((a) => `${a.short}=${a.value}`).join('+')}`);
        ctx.print(`    Serial Number: ${own[0].summary.serial}`);
      }
      ctx.print('  Persistent self-signed certificate trust point');
    } else ctx.print('    Not authenticated.');
    if (t.enrollment?.kind === 'url') ctx.print(`    ${/^https?:/i.test(t.enrollment.url) ? 'SCEP' : 'File'} URL: ${t.enrollment.url}`);
    else if (t.enrollment?.kind === 'profile') for (const l of profileSummaryLines(ctx.app.running, t.enrollment.label)) ctx.print(l);
    else if (t.enrollment?.kind === 'acme') for (const l of await acmeStatusLines(ctx.app, t)) ctx.print(l);
    else ctx.print(`    Enrollment: ${describeEnrollment(t)}`);
    if (!status) continue;
    for (const ca of cas.slice(0, 1)) {
      const fp = await fingerprints(core!, ca.cert.der);
      ctx.print('  Issuing CA certificate configured:');
      ctx.print('    Subject Name:');
      for (const l of nameLines(ca.summary.subject, '     ')) ctx.print(l);
      ctx.print(`    Fingerprint MD5: ${fp.md5}`);
      ctx.print(`    Fingerprint SHA1: ${fp.sha1}`);
    }
    for (const o of own) {
      const fp = await fingerprints(core!, o.cert.der);
      ctx.print(`  Router ${iosCertificateUsage(o.summary)} certificate configured:`);
      ctx.print('    Subject Name:');
      for (const l of nameLines(o.summary.subject, '     ')) ctx.print(l);
      ctx.print(`    Fingerprint MD5: ${fp.md5}`);
      ctx.print(`    Fingerprint SHA1: ${fp.sha1}`);
    }
    const spec = keySpecOf(ctx.app, t);
    const keys = (await ctx.app.keys.byLabel(spec.label)).filter((k) => k.kind === spec.key.kind);
    const pending = await ctx.app.keys.byLabel(PENDING_PREFIX + spec.label);
    const usage = keys.some((k) => k.usage === 'signature') ? 'Signature and Encryption' : 'General Purpose';
    ctx.print('  State:');
    ctx.print(`    Keys generated ............. ${keys.length ? `Yes (${usage}, ${keys[0]!.exportable ? 'exportable' : 'non-exportable'})` : 'No'}`);
    ctx.print(`    Issuing CA authenticated ....... ${cas.length ? 'Yes' : 'No'}`);
    ctx.print(`    Certificate request(s) ..... ${own.length ? 'Yes' : pending.length ? 'Pending (new key waiting for its certificate)' : 'None'}`);
    if (pending.length) ctx.print(`    Rollover key pair ......... ${spec.label} (pending)`);
  }
}

const H = {
  show: 'Show running system information',
  crypto: 'Encryption module',
  pki: 'Show PKI',
};

export const SHOW_CRYPTO_COMMANDS: CliCommand[] = [
  {
    syntax: 'show crypto pki trustpoints [( status$status | WORD$name [status$status] )]',
    help: { ...H, trustpoints: 'Show trustpoints', status: 'Show trustpoint status', $name: 'Trustpoint name' },
    handler: (ctx, a) => showTrustpoints(ctx, a.name, a.status !== undefined),
  },
  {
    syntax: 'show crypto pki certificates [WORD$name [verbose$verbose]]',
    help: { ...H, certificates: 'Show certificates', $name: 'Trustpoint name', verbose: 'Display in verbose mode' },
    handler: (ctx, a) => showCertificates(ctx, a.name, a.verbose !== undefined),
  },
  {
    syntax: 'show crypto pki timers',
    help: { ...H, timers: 'Show PKI timers' },
    async handler(ctx) {
      const now = ctx.app.clock().getTime();
      await ctx.app.auto?.refreshRevocation();
      for (const l of formatTimers(now, timersOf(ctx.app))) ctx.print(l);
      const auto = ctx.app.auto;
      if ([...ctx.app.running.trustpoints.values()].some((t) => t.autoEnroll)) {
        ctx.print(auto ? auto.background() : '% Automatic enrollment is not running in this session.');
        for (const t of ctx.app.running.trustpoints.values()) {
          const st = auto?.states[t.name];
          if (st?.lastResult) ctx.print(`  ${t.name}: last automatic attempt ${iosDate(new Date(st.lastResult.at))}: ${st.lastResult.ok ? 'succeeded' : `failed (${st.lastResult.text})`}${st.gaveUp ? '; stopped after the retry count' : ''}`);
          const why = t.autoEnroll ? unattendedBlocker(ctx.app.running, t) : undefined;
          if (why) ctx.print(`  ${t.name}: auto-enroll is configured but cannot run: ${why}.`);
        }
      }
    },
  },
];
