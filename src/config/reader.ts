/**
 * IOS configuration text → model: runs each line through the same grammar and handlers as
 * the console, non-interactively (as IOS does when it loads the startup-config at boot).
 * `!` lines are comments, `end` stops, and a line that does not belong to the current
 * sub-mode is tried in the parent modes. Errors do not stop the load; they are returned
 * with their line numbers so the console can print them, as a router prints the lines it
 * could not apply at boot.
 */
import { CliError } from '../util/errors.ts';
import { CONFIG_COMMANDS, ConfigError, hexDataLine, type ConfigCommand, type ConfigCtx } from './commands.ts';
import { compileCommand, matchLine, type CompiledCommand } from './grammar.ts';
import { emptyConfig, type RunningConfig } from './model.ts';
import { MODES, type ModeFrame, type ModeId } from './modes.ts';
import { applyContinuation, isContinuation, templateLineOf, type TemplateLine } from './continuation.ts';

export interface ReadError {
  line: number;
  text: string;
  message: string;
}

export interface ReadResult {
  config: RunningConfig;
  errors: ReadError[];
}

let compiled: Map<ModeId, CompiledCommand<ConfigCommand['handler']>[]> | undefined;

export function configGrammar(): Map<ModeId, CompiledCommand<ConfigCommand['handler']>[]> {
  if (!compiled) {
    compiled = new Map();
    for (const [mode, cmds] of Object.entries(CONFIG_COMMANDS)) compiled.set(mode as ModeId, cmds!.map((c, i) => compileCommand(c, i)));
  }
  return compiled;
}

/**
 * Applies configuration text to `base` (a fresh config by default). Handlers are awaited
 * because some of them may ask questions; the reader answers every question with yes.
 */
export async function readConfig(text: string, base: RunningConfig = emptyConfig()): Promise<ReadResult> {
  const config = base;
  const errors: ReadError[] = [];
  const stack: ModeFrame[] = [{ mode: 'config', target: {} }];
  const top = () => stack[stack.length - 1]!;
  const ctx: ConfigCtx = {
    config,
    get target() {
      return top().target;
    },
    enter(mode, target) {
      // Entering a sibling section first leaves the current one.
      const parent = MODES[mode].parent!;
      while (stack.length > 1 && top().mode !== parent) stack.pop();
      stack.push({ mode, target });
    },
    leave() {
      if (stack.length > 1) stack.pop();
    },
    print() {},
    confirm: async () => true,
    interactive: false,
  };
  const grammar = configGrammar();
  const lines = text.split(/\r?\n/);
  // the last `authentication|enrollment command` line: deeper-indented lines may continue it
  let template: TemplateLine | undefined;
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n]!;
    const line = raw.trim();
    try {
      if (top().mode === 'config-pubkey') {
        hexDataLine(ctx, line);
        continue;
      }
      if (top().mode === 'ca-profile-enroll' && isContinuation(template, raw)) {
        applyContinuation(config, template!, raw);
        continue;
      }
      template = undefined;
      if (line === '' || line.startsWith('!')) continue;
      if (line === 'end') break;
      if (line === 'exit') {
        ctx.leave();
        continue;
      }
      // Try the current mode, then its parents.
      let firstError: CliError | undefined;
      let done = false;
      for (let depth = stack.length - 1; depth >= 0 && !done; depth--) {
        const mode = stack[depth]!.mode;
        const cmds = grammar.get(mode) ?? [];
        const m = matchLine(cmds, raw);
        if (m.ok) {
          stack.length = depth + 1;
          await m.command.spec.handler(ctx, m.args);
          if (mode === 'ca-profile-enroll') template = templateLineOf(config, top().target.profile, raw);
          done = true;
        } else firstError ??= m.error;
      }
      if (!done) throw firstError!;
    } catch (e) {
      if (e instanceof ConfigError || e instanceof CliError) errors.push({ line: n + 1, text: raw, message: e.message });
      else throw e;
    }
  }
  if (top().mode === 'config-pubkey') errors.push({ line: lines.length, text: '', message: '% Certificate data not terminated with "quit"; certificate discarded.' });
  return { config, errors };
}
