/**
 * `debug crypto pki messages | transactions` (IOS names), `no debug ...`, `undebug all` and
 * `show debugging`: the SCEP protocol inspector. `messages` decodes every pkiMessage sent and
 * received (secrets stay encrypted and are never printed); `transactions` traces the steps.
 */
import type { CliCommand } from '../session.ts';

const H = {
  debug: 'Debugging functions (see also \'undebug\')',
  crypto: 'Cryptographic subsystem',
  pki: 'PKI debugging',
  messages: 'Every SCEP message sent and received, decoded',
  transactions: 'The steps of each enrollment transaction',
};

export const DEBUG_COMMANDS: CliCommand[] = [
  {
    syntax: 'debug crypto pki ( messages$what | transactions$what )',
    help: H,
    handler(ctx, a) {
      const what = a.what as 'messages' | 'transactions';
      ctx.app.debug[what] = true;
      ctx.print(`Crypto PKI ${what === 'messages' ? 'Msg' : 'Trans'} debugging is on`);
    },
  },
  {
    syntax: 'no debug crypto pki ( messages$what | transactions$what )',
    help: { no: 'Disable debugging functions', ...H },
    handler(ctx, a) {
      const what = a.what as 'messages' | 'transactions';
      ctx.app.debug[what] = false;
      ctx.print(`Crypto PKI ${what === 'messages' ? 'Msg' : 'Trans'} debugging is off`);
    },
  },
  {
    syntax: 'undebug all',
    help: { undebug: 'Disable debugging functions (see also \'debug\')', all: 'Disable all debugging' },
    handler(ctx) {
      ctx.app.debug.messages = false;
      ctx.app.debug.transactions = false;
      ctx.print('All possible debugging has been turned off');
    },
  },
  {
    syntax: 'show debugging',
    help: { show: 'Show running system information', debugging: 'State of each debugging option' },
    handler(ctx) {
      const d = ctx.app.debug;
      if (!d.messages && !d.transactions) return;
      ctx.print('Crypto PKI:');
      if (d.messages) ctx.print('  Crypto PKI Msg debugging is on');
      if (d.transactions) ctx.print('  Crypto PKI Trans debugging is on');
    },
  },
];
