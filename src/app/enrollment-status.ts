/**
 * What `show crypto pki trustpoints` says about enrollment profiles and ACME, and what NVRAM
 * keeps of ACME accounts and unfinished orders — kept apart from the workflows (app/profile.ts,
 * app/acme.ts) so the console's show commands do not load them.
 */
import type { TrustpointApp } from './app.ts';
import type { RunningConfig, Trustpoint } from '../config/model.ts';
import type { Identifier } from '../enroll/acme/client.ts';
import { describeTemplate } from '../enroll/profile/template.ts';

// ---------------------------------------------------------------------------------------
// what NVRAM keeps (meta store)

export const ACME_ACCOUNTS = 'acme-accounts';
export const ACME_ORDERS = 'acme-orders';

/** An ACME account of a trustpoint. */
export interface AcmeAccountRecord {
  directory: string;
  /** the account URL (the JWS kid) */
  url: string;
  keyLabel: string;
  /** hex SPKI of the account key it was registered with */
  spki: string;
  /** RFC 7638 thumbprint of the account key (what a stateless http-01 web server appends to tokens) */
  thumbprint: string;
  eabKid?: string;
  at: number;
}

/** An order not finished yet (pending authorizations, or interrupted). */
export interface AcmeOrderRecord {
  directory: string;
  url: string;
  identifiers: Identifier[];
  at: number;
}

async function records<T>(app: TrustpointApp, key: string): Promise<Record<string, T>> {
  return (await app.meta.get<Record<string, T>>(key)) ?? {};
}

export async function acmeAccountOf(app: TrustpointApp, tp: string): Promise<AcmeAccountRecord | undefined> {
  return (await records<AcmeAccountRecord>(app, ACME_ACCOUNTS))[tp];
}

export async function acmeOrderOf(app: TrustpointApp, tp: string): Promise<AcmeOrderRecord | undefined> {
  return (await records<AcmeOrderRecord>(app, ACME_ORDERS))[tp];
}

/** An enrollment profile as `show crypto pki trustpoints` lists it (never a parameter's value). */
export function profileSummaryLines(cfg: RunningConfig, label: string): string[] {
  const p = cfg.profiles.get(label);
  if (!p) return [`    Enrollment profile ${label}: not configured`];
  const out = [`    Enrollment profile ${label}:`];
  const a = p.authentication;
  out.push(`      Authentication: ${!a ? 'not configured' : a.kind === 'terminal' ? 'terminal (cut-and-paste)' : /^https?:/i.test(a.url) ? describeTemplate(a.url, p.authenticationCommand, 'authentication') : `file ${a.url}`}`);
  const en = p.enrollment;
  out.push(`      Enrollment: ${!en ? 'not configured' : en.kind === 'terminal' ? 'terminal (cut-and-paste)' : /^https?:/i.test(en.url) ? describeTemplate(en.url, p.enrollmentCommand, 'enrollment') : `file ${en.url}`}`);
  if (p.enrollmentCredential) out.push(`      Re-enrollment credential: trustpoint ${p.enrollmentCredential} (request sent as CMS SignedData)`);
  if (p.parameters.size)
    out.push(`      Parameters: ${[...p.parameters.entries()].sort(([x], [y]) => x - y).map(([n, v]) => (v.kind === 'value' ? `$P${n} value` : `$P${n} prompt "${v.text}"`)).join(', ')}`);
  return out;
}

export async function acmeStatusLines(app: TrustpointApp, tp: Trustpoint): Promise<string[]> {
  const e = tp.enrollment;
  if (e?.kind !== 'acme') return [];
  const out = [`    ACME directory: ${e.directory}`];
  out.push(`      Challenges: ${e.autoChallenge ? `${e.autoChallenge}, answered without asking (the web server publishes every token)` : 'shown to a person to publish, then checked again'}`);
  if (e.eab) out.push(`      External account binding: key ID ${e.eab.kid} (MAC key not shown)`);
  const acct = await acmeAccountOf(app, tp.name).catch(() => undefined);
  if (acct && acct.directory === e.directory) {
    out.push(`      Account: ${acct.url} (key ${acct.keyLabel})`);
    out.push(`      Account key thumbprint: ${acct.thumbprint}`);
  }
  else out.push('      Account: not registered yet');
  const order = await acmeOrderOf(app, tp.name).catch(() => undefined);
  if (order && order.directory === e.directory) out.push(`      Pending order: ${order.url} (${order.identifiers.map((i) => i.value).join(', ')}); "crypto pki enroll ${tp.name}" checks again`);
  return out;
}
