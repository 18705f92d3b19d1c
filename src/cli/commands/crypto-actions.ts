/**
 * The `crypto pki` and `crypto key` action commands (global configuration mode, as in IOS).
 * Their grammar is complete so that pasted configurations and scripts parse; their actions
 * arrive with the enrollment issues and until then they say so plainly.
 */
import type { CliCommand, CommandCtx } from '../session.ts';
// The workflows (and pkijs under them) load on first use: the console starts without them.
const pki = () => import('../../app/pki.ts');
const transfer = () => import('../../app/transfer.ts');

function notYet(what: string) {
  return (ctx: CommandCtx) => {
    ctx.print(`% "${what}" is not available yet in this version of Trustpoint.`);
  };
}

const H = {
  crypto: 'Encryption module',
  pki: 'Public Key components',
  ca: 'Certification authority (same as "pki")',
  $name: 'Trustpoint name',
};

export const CRYPTO_ACTION_COMMANDS: CliCommand[] = [
  {
    syntax: 'crypto ( pki | ca ) authenticate WORD$name',
    help: { ...H, authenticate: 'Get the certification authority certificate' },
    handler: async (ctx, a) => (await pki()).authenticate(ctx.app, ctx, a.name!),
  },
  {
    syntax: 'crypto ( pki | ca ) enroll WORD$name',
    help: { ...H, enroll: 'Request a certificate from a certification authority' },
    handler: async (ctx, a) => (await pki()).enroll(ctx.app, ctx, a.name!),
  },
  {
    syntax: 'crypto ( pki | ca ) import WORD$name ( certificate$cert | pkcs12$p12 WORD$url ( password LINE$pw ) | pem ( terminal | url WORD ) password LINE$pw )',
    help: {
      ...H,
      import: 'Import a certificate or keys',
      certificate: 'Import a certificate from the terminal or a file',
      pkcs12: 'Import keys and certificates in PKCS#12 format',
      $url: 'File name or URL of the PKCS#12 file',
      pem: 'Import keys and certificates in PEM format',
      terminal: 'From the terminal',
      url: 'From a file',
      password: 'Password that protects the private key',
      $pw: 'Password',
    },
    handler: async (ctx, a) =>
      a.cert ? (await pki()).importCertificate(ctx.app, ctx, a.name!) : a.p12 ? (await transfer()).importPkcs12(ctx.app, ctx, a.name!, a.url!, a.pw!.trim()) : notYet('crypto pki import ... pem')(ctx),
  },
  {
    syntax: 'crypto ( pki | ca ) export WORD$name ( pem$pem ( terminal$term | url WORD$url ) [( 3des$alg | aes$alg )] password LINE$pw | pkcs12$p12 WORD$url [( 3des$alg | aes$alg )] password LINE$pw )',
    help: {
      ...H,
      export: 'Export keys and certificates',
      pem: 'Export in PEM format',
      pkcs12: 'Export in PKCS#12 format',
      $url: 'File name or URL',
      terminal: 'To the terminal',
      url: 'To a file',
      '3des': 'Encrypt the private key with 3DES (compatibility)',
      aes: 'Encrypt the private key with AES (default)',
      password: 'Password that protects the private key',
      $pw: 'Password',
    },
    handler: async (ctx, a) => {
      const profile = a.alg === '3des' ? '3des' : 'aes';
      const t = await transfer();
      if (a.p12) return t.exportPkcs12(ctx.app, ctx, a.name!, a.url!, a.pw!.trim(), profile);
      return t.exportPem(ctx.app, ctx, a.name!, a.term ? { terminal: true } : { url: a.url! }, a.pw!.trim(), profile);
    },
  },
];
