/**
 * `show crypto pki ...` and `show crypto key ...`. The trustpoint listing works from the
 * configuration now; the certificate, timer and key views arrive with enrollment.
 */
import type { CliCommand, CommandCtx } from '../session.ts';
import type { Trustpoint } from '../../config/model.ts';
import { fqdnOf } from '../../config/model.ts';

function notYet(what: string) {
  return (ctx: CommandCtx) => {
    ctx.print(`% "${what}" is not available yet in this version of Trustpoint.`);
  };
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
    case 'profile':
      return `profile ${e.label}`;
  }
}

function showTrustpoints(ctx: CommandCtx, name: string | undefined, status: boolean): void {
  const cfg = ctx.app.running;
  const list = name === undefined ? [...cfg.trustpoints.values()] : [cfg.trustpoints.get(name)].filter((t): t is Trustpoint => !!t);
  if (name !== undefined && list.length === 0) {
    ctx.print(`% Trustpoint ${name} not found.`);
    return;
  }
  for (const t of list) {
    const chain = cfg.chains.get(t.name);
    const ca = chain?.certificates.find((c) => c.kind === 'ca');
    const own = chain?.certificates.filter((c) => c.kind === 'general' || c.kind === 'self-signed') ?? [];
    ctx.print(`Trustpoint ${t.name}:`);
    if (t.enrollment?.kind === 'selfsigned') ctx.print('    Persistent self-signed certificate trust point');
    ctx.print(`    Enrollment: ${describeEnrollment(t)}`);
    if (t.subjectName !== undefined) ctx.print(`    Subject Name: ${t.subjectName || fqdnOf(cfg)}`);
    if (!ca && t.enrollment?.kind !== 'selfsigned') ctx.print('    Not authenticated.');
    else if (ca) ctx.print(`    CA certificate: serial number ${ca.serial}`);
    if (status) {
      ctx.print(`    State:`);
      ctx.print(`      Keys generated ............. No (key storage arrives with enrollment)`);
      ctx.print(`      Issuing CA authenticated ... ${ca ? 'Yes' : 'No'}`);
      ctx.print(`      Certificate request(s) ..... ${own.length ? 'Yes' : 'None'}`);
    }
  }
}

const H = {
  show: 'Show running system information',
  crypto: 'Encryption module',
  pki: 'Show PKI',
  key: 'Show long term public keys',
};

export const SHOW_CRYPTO_COMMANDS: CliCommand[] = [
  {
    syntax: 'show crypto pki trustpoints [( status$status | WORD$name [status$status] )]',
    help: { ...H, trustpoints: 'Show trustpoints', status: 'Show trustpoint status', $name: 'Trustpoint name' },
    handler(ctx, a) {
      showTrustpoints(ctx, a.name, a.status !== undefined);
    },
  },
  {
    syntax: 'show crypto pki certificates [WORD$name [verbose]]',
    help: { ...H, certificates: 'Show certificates', $name: 'Trustpoint name', verbose: 'Display in verbose mode' },
    handler: notYet('show crypto pki certificates'),
  },
  {
    syntax: 'show crypto pki timers',
    help: { ...H, timers: 'Show PKI timers' },
    handler: notYet('show crypto pki timers'),
  },
];
