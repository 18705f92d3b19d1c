/**
 * PIV tokens from the console, with IOS's names where IOS has them ("Storing PKI Credentials"):
 *
 *   crypto pki token usbtoken0: login     (EXEC; also accepted in configuration mode)
 *   crypto pki token usbtoken0: logout
 *   dir usbtoken0:
 *   show crypto pki token [usbtoken0:]    (ours: routes, why not, what is needed, token state)
 *
 * The PIN is asked (never echoed, never a command-line argument, never kept); IOS's optional
 * `login PIN` form is not offered because command lines are echoed and kept in the history.
 * Keys are generated with `crypto key generate ... on usbtoken0:` (crypto-key.ts) and trustpoints
 * name the token with `on usbtoken0:` (config/commands.ts).
 */
import type { CliCommand, CommandCtx } from '../session.ts';
import { isTokenDevice, TOKEN_DEVICE } from '../../app/tokens.ts';

const H = {
  crypto: 'Encryption module',
  pki: 'Public Key components',
  token: 'Configure a cryptographic token (PIV smart card / USB token)',
  $dev: 'Token device name: usbtoken0:',
  login: 'Log in to the token (the PIN is asked)',
  logout: 'Log out of the token',
};

function deviceOk(ctx: CommandCtx, dev: string): boolean {
  if (dev.toLowerCase() === TOKEN_DEVICE) return true;
  ctx.print(isTokenDevice(dev) ? `% Device ${dev} is not present: Trustpoint uses one token, ${TOKEN_DEVICE}` : `% Invalid token name "${dev}": use ${TOKEN_DEVICE}`);
  return false;
}

const LOGIN: CliCommand[] = [
  {
    syntax: 'crypto pki token WORD$dev ( login$op | logout$op )',
    help: H,
    async handler(ctx, a) {
      if (!deviceOk(ctx, a.dev!)) return;
      if (a.op === 'login') await ctx.app.tokens.login(ctx);
      else await ctx.app.tokens.logout(ctx);
    },
  },
];

export const TOKEN_EXEC_COMMANDS: CliCommand[] = [
  ...LOGIN,
  {
    syntax: 'dir usbtoken0:$fs',
    help: { dir: 'List files on a filesystem', 'usbtoken0:': 'List the PIV slots and objects of the token' },
    handler: (ctx) => ctx.app.tokens.dir(ctx),
  },
  {
    syntax: 'show crypto pki token [WORD$dev]',
    help: { show: 'Show running system information', crypto: H.crypto, pki: H.pki, token: 'Token routes in this browser and the token state', $dev: H.$dev },
    async handler(ctx, a) {
      if (a.dev && !deviceOk(ctx, a.dev)) return;
      await ctx.app.tokens.show(ctx);
    },
  },
];

/** `crypto pki token ... login` in configuration mode too (the pasted scripts use it there). */
export const TOKEN_CONFIG_COMMANDS: CliCommand[] = LOGIN;
