/**
 * Revocation commands: `crypto pki certificate validate NAME` and `show crypto pki crls`
 * (privileged EXEC), `crypto pki crl request NAME` (global configuration, as in IOS). The work is
 * in app/revocation.ts; this file parses and prints.
 */
import type { CliCommand, CommandCtx } from '../session.ts';
import { cachedCrls, checkPathRevocation, requestCrls } from '../../app/revocation.ts';
import { refuse } from '../../app/refuse.ts';
import { iosDate } from '../../util/time.ts';

const H = {
  crypto: 'Encryption module',
  pki: 'Public Key components',
  ca: 'Certification authority (same as "pki")',
  $name: 'Trustpoint name',
};

const REASONS = ['unspecified', 'keyCompromise', 'cACompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'certificateHold', '', 'removeFromCRL', 'privilegeWithdrawn', 'aACompromise'];
/** At most this many revoked serial numbers are listed per CRL (a CRL may hold 100,000). */
const SHOW_REVOKED_MAX = 50;

function trustpointChain(ctx: CommandCtx, name: string) {
  const cfg = ctx.app.running;
  const tp = cfg.trustpoints.get(name);
  if (!tp) refuse(`% Trustpoint ${name} is not configured`);
  const certs = cfg.chains.get(name)?.certificates ?? [];
  const cas = certs.filter((c) => c.kind === 'ca').map((c) => c.der);
  const own = certs.filter((c) => c.kind === 'general' || c.kind === 'self-signed').map((c) => c.der);
  return { tp, cas, own };
}

async function validate(ctx: CommandCtx, name: string): Promise<void> {
  const { tp, cas, own } = trustpointChain(ctx, name);
  if (!cas.length && !own.length) refuse(`% Trustpoint ${name} has no certificates: authenticate the CA and enroll first.`);
  const { orderCaChain } = await import('../../app/pki.ts'); // the workflows load on first use (start-up weight)
  const chain = cas.length ? orderCaChain(cas).map((c) => c.der) : [];
  const leaves = own.length ? own : chain.length ? [chain[0]!] : [];
  const now = ctx.app.clock();
  let failed = false;
  for (const leaf of leaves) {
    const selfSigned = !cas.length;
    const intermediates = selfSigned ? [] : leaf === chain[0] ? chain.slice(1, -1) : chain.slice(0, -1);
    const anchors = selfSigned ? [leaf] : [chain[chain.length - 1]!];
    const count = selfSigned ? 1 : leaf === chain[0] ? chain.length : chain.length + 1;
    ctx.print(`Certificate chain has ${count} certificate${count === 1 ? '' : 's'}.`);
    const v = await ctx.app.validateChain({ leaf, intermediates, anchors, time: now, ca: leaf === chain[0] });
    if (!v.ok) {
      ctx.print(`Certificate chain for ${name} is not valid`);
      ctx.print(`% ${v.reason}`);
      failed = true;
      continue;
    }
    const r = await checkPathRevocation(ctx.app, tp, v.path, ctx.signal);
    if (r.status === 'revoked' || r.status === 'unknown') {
      ctx.print(`Certificate chain for ${name} is not valid`);
      ctx.print(`% ${r.reason}`);
      failed = true;
      continue;
    }
    ctx.print(`Certificate chain for ${name} is valid`);
    if (r.status === 'not-checked') ctx.print('  Revocation status: not checked (no revocation-check configured)');
    else if (r.method === 'none') ctx.print(`  Revocation status: not checked (revocation-check none)${r.notes.length ? `; ${r.notes.join('; ')}` : ''}`);
    else ctx.print(`  Revocation status: good (${r.method === 'crl' ? 'CRL' : 'OCSP'})`);
  }
  if (failed) ctx.print(`% Validation of trustpoint ${name} failed`);
}

async function showCrls(ctx: CommandCtx): Promise<void> {
  const list = await cachedCrls(ctx.app);
  if (!list.length) {
    ctx.print('% No CRLs present (they are fetched when a certificate is validated with "revocation-check crl", or by "crypto pki crl request").');
    return;
  }
  const now = ctx.app.clock().getTime();
  for (const { entry, crl } of list) {
    ctx.print('CRL Issuer Name:');
    ctx.print(`    ${entry.issuer}`);
    ctx.print(`    LastUpdate: ${iosDate(new Date(crl.thisUpdate * 1000))}`);
    ctx.print(`    NextUpdate: ${crl.nextUpdate !== undefined ? iosDate(new Date(crl.nextUpdate * 1000)) : '(none)'}${crl.nextUpdate !== undefined && crl.nextUpdate * 1000 < now ? ' (stale)' : ''}`);
    ctx.print('    Retrieved from CRL Distribution Point:');
    ctx.print(`      ${entry.url}`);
    ctx.print(`    CRL downloaded at: ${iosDate(new Date(entry.fetchedAt))}`);
    ctx.print(`    CRL size: ${entry.der.length} bytes`);
    ctx.print('    CRL stored to nvram');
    const revoked = [...crl.revoked.entries()];
    if (!revoked.length) {
      ctx.print('    Revoked Certificates: none');
      continue;
    }
    ctx.print(`    Revoked Certificates: ${revoked.length}`);
    for (const [key, e] of revoked.slice(0, SHOW_REVOKED_MAX)) {
      const serial = key.slice(key.indexOf('#') + 1).replace(/^00(?=[89a-f])/, '').toUpperCase();
      ctx.print(`      Serial Number: 0x${serial}`);
      ctx.print(`        Revocation Date: ${iosDate(new Date(e.revocationDate * 1000))}`);
      if (e.reason !== undefined && REASONS[e.reason]) ctx.print(`        Reason: ${REASONS[e.reason]}`);
    }
    if (revoked.length > SHOW_REVOKED_MAX) ctx.print(`      ... ${revoked.length - SHOW_REVOKED_MAX} more`);
  }
}

async function crlRequest(ctx: CommandCtx, name: string): Promise<void> {
  const { cas, own } = trustpointChain(ctx, name);
  const ders = [...own, ...cas];
  if (!ders.length) refuse(`% Trustpoint ${name} has no certificates: authenticate the CA first.`);
  const results = await requestCrls(ctx.app, ders, ctx.signal);
  if (!results.length) refuse(`% The certificates of trustpoint ${name} name no http CRL distribution point: no CRL to request.`);
  for (const r of results) {
    if (r.entry && !r.error) ctx.print(`%PKI-6-CRLHTTPFETCHOK: CRL download from ${r.url} succeeded (${r.entry.revokedCount} revoked, next update ${r.entry.nextUpdate !== undefined ? iosDate(new Date(r.entry.nextUpdate * 1000)) : 'not given'})`);
    else ctx.print(`%PKI-3-CRL_FETCH_FAIL: CRL fetch for trustpoint ${name} failed: ${r.error}${r.entry ? ' (the cached CRL is kept)' : ''}`);
  }
}

/** Privileged EXEC commands. */
export const REVOCATION_EXEC_COMMANDS: CliCommand[] = [
  {
    syntax: 'crypto ( pki | ca ) certificate validate WORD$name',
    help: { ...H, certificate: 'Actions on certificates', validate: "Validate the trustpoint's certificate chain now, with its revocation check" },
    handler: (ctx, a) => validate(ctx, a.name!),
  },
  {
    syntax: 'show crypto pki crls',
    help: { show: 'Show running system information', crypto: 'Encryption module', pki: 'Public Key components', crls: 'Show the cached certificate revocation lists' },
    handler: (ctx) => showCrls(ctx),
  },
];

/** Global configuration commands. */
export const REVOCATION_CONFIG_COMMANDS: CliCommand[] = [
  {
    syntax: 'crypto ( pki | ca ) crl request WORD$name',
    help: { ...H, crl: 'Certificate revocation lists', request: "Fetch the CRLs of the trustpoint's certificates now" },
    handler: (ctx, a) => crlRequest(ctx, a.name!),
  },
];
