/**
 * `crypto key generate rsa|ec`, `crypto key zeroize`, `show crypto key mypubkey` — the key
 * store as IOS shows it.
 */
import type { CliCommand, CommandCtx } from '../session.ts';
import type { KeyRecord } from '../../store/keystore.ts';
import type { KeyInfo, NamedCurve } from '../../crypto/types.ts';
import { fqdnOf } from '../../config/model.ts';
import { toIosHexWords } from '../../util/hex.ts';
import { iosDate } from '../../util/time.ts';
import { baseLabel, displayLabel, keyState } from '../../app/keys.ts';
import { generatePairs } from '../../app/trustpoint-keys.ts';
import { storeGeneratedKeys, zeroizeKeys, zeroizeTargets } from '../../app/key-actions.ts';
import { assertCanStoreKeys } from '../../app/keys.ts';
import { TOKEN_DEVICE, isTokenDevice } from '../../app/tokens.ts';

const KEY_H = {
  crypto: 'Encryption module',
  key: 'Long term key operations',
  generate: 'Generate new keys',
  label: 'Provide a label',
  exportable: 'Allow the key to be exported',
  on: 'Generate the keys on a device',
  $dev: 'Device name, e.g. usbtoken0:',
};

/** The default key label: the FQDN (IOS names general keys after hostname.domain). */
function defaultLabel(ctx: CommandCtx): string | undefined {
  return ctx.app.running.domainName ? fqdnOf(ctx.app.running) : undefined;
}

/**
 * Generates and stores keys the IOS way: names them, asks before replacing, reports
 * `[OK] (elapsed time was N seconds)`. Shared with enrollment (keys made on demand).
 */
export async function generateKeysInteractive(
  ctx: CommandCtx,
  label: string,
  key: KeyInfo,
  usageKeys: boolean,
  exportable: boolean,
  opts: { announceName?: boolean; confirmReplace?: boolean; device?: string } = {},
): Promise<KeyRecord[] | undefined> {
  const kind = key.kind === 'rsa' ? 'RSA' : 'EC';
  if (opts.announceName !== false) {
    ctx.print(`The name for the keys will be: ${label}`);
  }
  const existing = (await ctx.app.keys.byLabel(label)).filter((k) => k.kind === key.kind);
  if (existing.length && opts.confirmReplace !== false) {
    ctx.print(`% You already have ${kind} keys defined named ${label}.`);
    if (!(await ctx.confirm('% Do you really want to replace them? [yes/no]: '))) return undefined;
  }
  if (key.kind === 'rsa') {
    ctx.print('');
    ctx.print(`% The key modulus size is ${key.bits} bits`);
    if (key.bits < 2048) ctx.print('% A key modulus of less than 2048 bits is not recommended.');
  }
  if (!opts.device && ctx.app.keys.holderFor(exportable) === 'core') await assertCanStoreKeys(ctx, 'the new private key');
  const records = await generatePairs(ctx.app, ctx, label, { key, usageKeys, ...(opts.device ? { device: opts.device } : {}) }, exportable);
  await storeGeneratedKeys(ctx.app, ctx, records);
  return records;
}

/** The label to generate under, or undefined after printing why there is none (IOS checks). */
function keyLabelFor(ctx: CommandCtx, a: Record<string, string | undefined>): string | undefined {
  if (a.dev) {
    if (!isTokenDevice(a.dev)) {
      ctx.print(`% Invalid device "${a.dev}": keys can be generated on a token, ${TOKEN_DEVICE}`);
      return undefined;
    }
    if (a.exportable !== undefined) {
      ctx.print(`% Keys generated on ${a.dev} never leave it: "exportable" cannot be used with "on ${a.dev}".`);
      return undefined;
    }
  }
  const label = a.label ?? defaultLabel(ctx);
  if (!label) ctx.print('% Please define a domain-name first.');
  return label;
}

const dev = (a: Record<string, string | undefined>) => (a.dev ? { device: a.dev.toLowerCase() } : {});

async function keygenRsa(ctx: CommandCtx, a: Record<string, string | undefined>) {
  const label = keyLabelFor(ctx, a);
  if (!label) return;
  const usageKeys = a.usage === 'usage-keys';
  let bits = a.mod !== undefined ? Number(a.mod) : undefined;
  if (bits === undefined) {
    ctx.print(`The name for the keys will be: ${label}`);
    ctx.print(`Choose the size of the key modulus in the range of 512 to 4096 for your`);
    ctx.print(`  ${usageKeys ? 'Signature Keys' : 'General Purpose Keys'}. Choosing a key modulus greater than 2048 may take`);
    ctx.print('  a few seconds.');
    ctx.print('');
    const ans = (await ctx.ask({ text: 'How many bits in the modulus [2048]: ', kind: 'text', default: '2048' })).trim();
    bits = Number(ans);
    if (!/^\d+$/.test(ans) || bits < 512 || bits > 4096) {
      ctx.print('% Invalid modulus: use 512 to 4096 bits.');
      return;
    }
    await generateKeysInteractive(ctx, label, { kind: 'rsa', bits }, usageKeys, a.exportable !== undefined, { announceName: false, ...dev(a) });
    return;
  }
  await generateKeysInteractive(ctx, label, { kind: 'rsa', bits }, usageKeys, a.exportable !== undefined, dev(a));
}

async function keygenEc(ctx: CommandCtx, a: Record<string, string | undefined>) {
  const label = keyLabelFor(ctx, a);
  if (!label) return;
  const curve: NamedCurve = a.size === '384' ? 'P-384' : 'P-256';
  await generateKeysInteractive(ctx, label, { kind: 'ec', curve }, false, a.exportable !== undefined, dev(a));
}

async function zeroize(ctx: CommandCtx, kind: 'rsa' | 'ec' | undefined, label: string | undefined) {
  const victims = await zeroizeTargets(ctx.app, kind, label);
  const kindText = kind === 'ec' ? 'EC' : kind === 'rsa' ? 'RSA' : 'RSA and EC';
  if (!victims.length) {
    ctx.print(label ? `% No ${kindText} keys named ${label}.` : `% No ${kindText} keys to remove.`);
    return;
  }
  if (label) ctx.print(`% Keys to be removed are named '${label}'.`);
  else ctx.print(`% All ${kindText} keys will be removed.`);
  ctx.print('% All router certs issued using these keys will also be removed.');
  if (!(await ctx.confirm('Do you really want to remove these keys? [yes/no]: '))) return;
  await zeroizeKeys(ctx.app, ctx, victims);
}

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
    handler: (ctx, a) => keygenRsa(ctx, a),
  },
  {
    syntax: 'crypto key generate ec keysize ( 256$size | 384$size ) [label WORD$label] [exportable$exportable] [on WORD$dev]',
    help: { ...KEY_H, ec: 'Generate EC keys for ECDSA', keysize: 'Number of bits in prime modulus', '256': 'P-256 (secp256r1)', '384': 'P-384 (secp384r1)', $label: 'EC key pair label' },
    handler: (ctx, a) => keygenEc(ctx, a),
  },
  {
    syntax: 'crypto key zeroize [( rsa$kind | ec$kind )] [WORD$label]',
    help: { crypto: KEY_H.crypto, key: KEY_H.key, zeroize: 'Remove keys', rsa: 'Remove RSA keys', ec: 'Remove EC keys', $label: 'Key pair label' },
    handler: (ctx, a) => zeroize(ctx, a.kind as 'rsa' | 'ec' | undefined, a.label),
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
      const list = (await ctx.app.keys.list()).filter((k) => k.kind === a.kind && (a.label === undefined || baseLabel(k) === a.label));
      const order = { general: 0, signature: 1, encryption: 2 } as const;
      const state = { current: 0, pending: 1, retired: 2 } as const;
      list.sort((x, y) => baseLabel(x).localeCompare(baseLabel(y)) || state[keyState(x)] - state[keyState(y)] || order[x.usage] - order[y.usage]);
      if (!list.length && a.label) ctx.print(`% No ${a.kind === 'rsa' ? 'RSA' : 'EC'} key pair named ${a.label}.`);
      showKeys(ctx, list);
    },
  },
];
