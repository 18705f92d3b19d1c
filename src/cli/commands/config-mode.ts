/** `end`, `exit` and `do` in every configuration mode. */
import type { CliCommand } from '../session.ts';

const endCmd: CliCommand = {
  syntax: 'end',
  help: { end: 'Exit from configure mode' },
  handler(ctx) {
    ctx.setMode('exec');
  },
};

const doCmd: CliCommand = {
  syntax: 'do LINE$cmd',
  help: { do: 'To run exec commands in config mode', $cmd: 'Exec Command' },
  async handler(ctx, a) {
    const line = a.cmd!;
    // The caret of an error must sit under the original text: find where the command starts.
    await ctx.exec(line, -1);
  },
};

export const CONFIG_MODE_COMMANDS: CliCommand[] = [
  doCmd,
  endCmd,
  {
    syntax: 'exit',
    help: { exit: 'Exit from configure mode' },
    handler(ctx) {
      ctx.setMode('exec');
    },
  },
];

export const SUBMODE_COMMANDS: CliCommand[] = [
  doCmd,
  endCmd,
  {
    syntax: 'exit',
    help: { exit: 'Exit from this sub-mode' },
    handler(ctx) {
      ctx.leave();
    },
  },
];
