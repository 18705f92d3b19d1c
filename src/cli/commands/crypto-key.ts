/**
 * `crypto key generate rsa|ec`, `crypto key zeroize`, `show crypto key mypubkey` — parsed here
 * and printed as IOS shows them; the workflows are app/key-actions.ts.
 */
import type { CliCommand, CommandCtx } from '../session.ts';
import type { KeyRecord } from '../../app/surface.ts';
import { toIosHexWords } from '../../util/hex.ts';
import { iosDate } from '../../util/time.ts';
import { displayLabel } from '../../app/keys.ts';
import { generateKeys, publicKeys, zeroize } from '../../app/key-actions.ts';

const KEY_H = {
  crypto: 'Encryption module',
  key: 'Long term key operations',
  generate: 'Generate new keys',
  label: 'Provide a label',
  exportable: 'Allow the key to be exported',
  on: 'Generate the keys on a device',
  $dev: 'Device name, e.g. usbtoken0:',
};

function showKeys(ctx: CommandCtx, list: KeyRecord[]) {
  const usageText = { general: 'General Purpose Key', signature: 'Signature Key', encryption: 'Encryption Key' } as const;
  for (const k of list) {
    ctx.print(`% Key pair was generated at: ${iosDate(new Date(k.createdAt))}`);
    ctx.print(`Key name: ${displayLabel(k)}`);
    ctx.print(`Key type: ${k.kind === 'rsa' ? `RSA KEYS ${k.bits} bits` : `EC KEYS ${k.curve}`}`);
    ctx.print(`Usage: ${usageText[k.usage]}`);
    ctx.print(k.exportable ? 'Key is exportable.' : 'Key is not exportable.');
    ctx.print(
      `Key storage: ${k.holder === 'token' ? `${k.device} (PIV slot ${k.slot}; generated on the token, the private key never leaves it)` : k.holder === 'webcrypto' ? 'browser key store (WebCrypto, non-extractable)' : k.wrapped?.alg === 'AES-GCM' ? 'Trustpoint core (wrapped with AES-GCM at rest)' : 'Trustpoint core (not wrapped: no WebCrypto on this page)'}`,
    );
    ctx.print('Key Data:');
    for (const l of toIosHexWords(k.spki, 8)) ctx.print(` ${l}`);
  }
}

export const CRYPTO_KEY_COMMANDS: CliCommand[] = [
  {
    syntax: 'crypto key generate rsa [( general-keys$usage | usage-keys$usage )] [label WORD$label] [modulus <512-4096>$mod] [exportable$exportable] [on WORD$dev]',
    help: {
      ...KEY_H,
      rsa: 'Generate RSA keys',
      'general-keys': 'Generate a general purpose RSA key pair for signing and encryption',
      'usage-keys': 'Generate separate RSA key pairs for signing and encryption',
      $label: 'RSA key pair label',
      modulus: 'Provide number of modulus bits on the command line',
      $mod: 'Size of the key modulus in bits',
    },
    handler: async (ctx, a) => {
      await generateKeys(ctx.app, ctx, {
        kind: 'rsa',
        ...(a.label !== undefined ? { label: a.label } : {}),
        ...(a.mod !== undefined ? { bits: Number(a.mod) } : {}),
        usageKeys: a.usage === 'usage-keys',
        exportable: a.exportable !== undefined,
        ...(a.dev ? { device: a.dev } : {}),
      });
    },
  },
  {
    syntax: 'crypto key generate ec keysize ( 256$size | 384$size ) [label WORD$label] [exportable$exportable] [on WORD$dev]',
    help: { ...KEY_H, ec: 'Generate EC keys for ECDSA', keysize: 'Number of bits in prime modulus', '256': 'P-256 (secp256r1)', '384': 'P-384 (secp384r1)', $label: 'EC key pair label' },
    handler: async (ctx, a) => {
      await generateKeys(ctx.app, ctx, { kind: 'ec', size: a.size === '384' ? 384 : 256, ...(a.label !== undefined ? { label: a.label } : {}), exportable: a.exportable !== undefined, ...(a.dev ? { device: a.dev } : {}) });
    },
  },
  {
    syntax: 'crypto key zeroize [( rsa$kind | ec$kind )] [WORD$label]',
    help: { crypto: KEY_H.crypto, key: KEY_H.key, zeroize: 'Remove keys', rsa: 'Remove RSA keys', ec: 'Remove EC keys', $label: 'Key pair label' },
    handler: (ctx, a) => zeroize(ctx.app, ctx, a.kind as 'rsa' | 'ec' | undefined, a.label),
  },
];

export const SHOW_KEY_COMMANDS: CliCommand[] = [
  {
    syntax: 'show crypto key mypubkey ( rsa$kind | ec$kind ) [WORD$label]',
    help: {
      show: 'Show running system information',
      crypto: 'Encryption module',
      key: 'Show long term public keys',
      mypubkey: 'Show public keys associated with this router',
      rsa: 'Show RSA public keys',
      ec: 'Show EC public keys',
      $label: 'Key label',
    },
    async handler(ctx, a) {
      const list = await publicKeys(ctx.app, a.kind as 'rsa' | 'ec', a.label);
      if (!list.length && a.label) ctx.print(`% No ${a.kind === 'rsa' ? 'RSA' : 'EC'} key pair named ${a.label}.`);
      showKeys(ctx, list);
    },
  },
];
