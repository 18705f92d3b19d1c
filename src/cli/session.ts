/**
 * A console session: IOS modes and prompts, line execution, `?` help, Tab completion,
 * history, questions answered by the next input line, and the IOS error markers.
 *
 * The session never touches the DOM: input arrives through `submit(line)` (and `ctrlZ()`,
 * `interrupt()`), output leaves as text chunks to `onOutput` listeners. `tp-console` renders
 * it; `window.trustpoint.cli` and the tests drive it directly.
 *
 * Lines are queued and executed one at a time, in order. A command that asks a question
 * takes the next queued line as its answer — so a pasted block that contains answers works
 * exactly as on a router.
 */
import { CliError, PkiError, abortError, isAbortError } from '../util/errors.ts';
import { caretLine, complete as completeLine, compileCommand, fallbackSecretSpans, formatHelp, helpFor, lex, matchLine, matchSecrets, redactSpans, type Args, type CommandSpec, type CompiledCommand } from '../config/grammar.ts';
import { CONFIG_COMMANDS, hexDataLine, type ConfigCtx } from '../config/commands.ts';
import { MODES, type ModeFrame, type ModeId, type ModeTarget } from '../config/modes.ts';
import type { TrustpointApp } from '../app/app.ts';
import { isNo, isYes, type Question } from '../app/prompter.ts';
import { userMessage } from '../app/messages.ts';
import { EXEC_COMMANDS } from './commands/exec.ts';
import { CONFIG_MODE_COMMANDS, SUBMODE_COMMANDS } from './commands/config-mode.ts';
import { CRYPTO_ACTION_COMMANDS } from './commands/crypto-actions.ts';
import { SHOW_CRYPTO_COMMANDS } from './commands/show-crypto.ts';
import { CRYPTO_KEY_COMMANDS, SHOW_KEY_COMMANDS } from './commands/crypto-key.ts';
import { FILE_COMMANDS } from './commands/files.ts';
import { DEBUG_COMMANDS } from './commands/debug.ts';
import { applyContinuation, isContinuation, templateLineOf, type TemplateLine } from '../config/continuation.ts';
import { TOKEN_CONFIG_COMMANDS, TOKEN_EXEC_COMMANDS } from './commands/token.ts';
import { REVOCATION_CONFIG_COMMANDS, REVOCATION_EXEC_COMMANDS } from './commands/revocation.ts';

/** What a console command handler sees. */
export interface CommandCtx extends ConfigCtx {
  readonly app: TrustpointApp;
  readonly session: CliSession;
  /** Cancelled by Ctrl-C. */
  readonly signal: AbortSignal;
  /** Ask a question; resolves to the answer line (validated for yes/no). */
  ask(q: Question): Promise<string>;
  /** Ask a yes/no question; true for yes. */
  confirm(text: string): Promise<boolean>;
  /** Set the base mode (user/exec) or enter configuration mode. */
  setMode(mode: ModeId): void;
  /** Run a line in privileged EXEC mode (for `do`); `offset` shifts error carets. */
  exec(line: string, offset: number): Promise<void>;
}

export type CliHandler = (ctx: CommandCtx, args: Args) => void | Promise<void>;
export type CliCommand = CommandSpec<CliHandler>;

type Registry = Map<ModeId, CompiledCommand<CliHandler>[]>;

let registry: Registry | undefined;

/** All console commands per mode: configuration commands, actions, exec commands. */
export function cliRegistry(): Registry {
  if (registry) return registry;
  const r: Registry = new Map();
  const add = (mode: ModeId, cmds: readonly CliCommand[]) => {
    const list = r.get(mode) ?? [];
    for (const c of cmds) list.push(compileCommand(c, list.length));
    r.set(mode, list);
  };
  add('user', EXEC_COMMANDS.user);
  add('exec', EXEC_COMMANDS.exec);
  add('exec', SHOW_CRYPTO_COMMANDS);
  add('exec', SHOW_KEY_COMMANDS);
  add('exec', FILE_COMMANDS);
  add('exec', DEBUG_COMMANDS);
  add('exec', TOKEN_EXEC_COMMANDS);
  add('exec', REVOCATION_EXEC_COMMANDS);
  for (const [mode, cmds] of Object.entries(CONFIG_COMMANDS) as [ModeId, NonNullable<(typeof CONFIG_COMMANDS)['config']>][]) {
    add(
      mode,
      cmds.map((c) => ({ ...c, handler: c.handler as unknown as CliHandler, config: true })),
    );
  }
  add('config', CRYPTO_ACTION_COMMANDS);
  add('config', CRYPTO_KEY_COMMANDS);
  add('config', TOKEN_CONFIG_COMMANDS);
  add('config', REVOCATION_CONFIG_COMMANDS);
  add('config', CONFIG_MODE_COMMANDS);
  for (const mode of ['ca-trustpoint', 'ca-profile-enroll', 'config-cert-chain', 'cs-server', 'ca-certificate-map', 'ca-trustpool'] as ModeId[]) add(mode, SUBMODE_COMMANDS);
  registry = r;
  return r;
}

type Listener = (chunk: string) => void;

interface PendingAsk {
  q: Question;
  resolve(line: string): void;
  reject(e: unknown): void;
}

const HISTORY_MAX = 256;
const SCROLLBACK_MAX = 400_000;

export class CliSession {
  readonly app: TrustpointApp;
  private frames: ModeFrame[] = [{ mode: 'user', target: {} }];
  private queue: string[] = [];
  private running = false;
  private pendingAsk: PendingAsk | undefined;
  private listeners = new Set<Listener>();
  private idleWaiters: (() => void)[] = [];
  private controller = new AbortController();
  /** The line being executed (for carets under `do` commands). */
  private currentLine = '';
  /** The last profile command template entered: deeper-indented lines continue it (config/continuation.ts). */
  private template: TemplateLine | undefined;
  /** Everything written so far (bounded), so a console view can be re-created. */
  scrollback = '';
  /** Commands entered (not answers), oldest first. */
  readonly history: string[] = [];
  historySize = 10;

  constructor(app: TrustpointApp, opts: { privileged?: boolean } = {}) {
    this.app = app;
    if (opts.privileged) this.frames = [{ mode: 'exec', target: {} }];
    app.onMessage((line) => this.write(line + '\n'));
  }

  // ------------------------------------------------------------------ output

  onOutput(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  write(chunk: string): void {
    this.scrollback += chunk;
    if (this.scrollback.length > SCROLLBACK_MAX) this.scrollback = this.scrollback.slice(this.scrollback.indexOf('\n', this.scrollback.length - SCROLLBACK_MAX) + 1);
    for (const l of this.listeners) l(chunk);
  }

  print(line: string): void {
    this.write(line + '\n');
  }

  // ------------------------------------------------------------------ state

  get mode(): ModeId {
    return this.frames[this.frames.length - 1]!.mode;
  }

  get target(): ModeTarget {
    return this.frames[this.frames.length - 1]!.target;
  }

  /** The prompt for the next command, e.g. `kiosk7(ca-trustpoint)#`. */
  prompt(): string {
    return this.app.running.hostname + MODES[this.mode].prompt;
  }

  /** The question being asked, if the session waits for an answer. */
  question(): Question | undefined {
    return this.pendingAsk?.q;
  }

  /** True when nothing is queued or running (or the running command waits for an answer). */
  isIdle(): boolean {
    return this.queue.length === 0 && (!this.running || this.pendingAsk !== undefined);
  }

  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private checkIdle(): void {
    if (!this.isIdle()) return;
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const r of w) r();
  }

  // ------------------------------------------------------------------ input

  /** A line entered (Return pressed). */
  submit(line: string): void {
    const clean = line.replace(/[\r\n]+$/, '');
    if (this.pendingAsk && this.queue.length === 0) {
      const p = this.pendingAsk;
      this.pendingAsk = undefined;
      p.resolve(clean);
      return;
    }
    this.queue.push(clean);
    void this.pump();
  }

  /** Several lines at once (a paste). */
  paste(text: string): void {
    const lines = text.replace(/\r\n?/g, '\n').split('\n');
    if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
    for (const l of lines) this.submit(l);
  }

  /** Ctrl-Z: leave configuration mode (like `end`). */
  ctrlZ(): void {
    this.queue.push('\u001a');
    void this.pump();
  }

  /** Ctrl-C: abandon the question or long operation in progress and drop queued input. */
  interrupt(): void {
    this.queue.length = 0;
    if (this.pendingAsk) {
      const p = this.pendingAsk;
      this.pendingAsk = undefined;
      this.write('^C\n');
      p.reject(abortError());
    } else if (this.running) {
      this.write('^C\n');
    }
    this.controller.abort();
    this.controller = new AbortController();
    this.checkIdle();
  }

  /** `?` pressed after `line`: the help lines IOS prints. */
  help(line: string): string[] {
    const { commands, offset, text } = this.helpScope(line);
    const h = helpFor(commands, text);
    if (h.kind === 'error') {
      if (h.error.message.startsWith('% Invalid')) return [caretLine(this.prompt().length + offset + h.error.position), h.error.message];
      return [h.error.message];
    }
    if (h.kind === 'partial') return [h.words.join('  ')];
    return formatHelp(h.items);
  }

  /**
   * `?` typed in the console (not submitted): echoes the line with its `?` and prints the
   * help, as IOS does; the caller keeps the partial line in the input.
   */
  showHelp(partial: string): void {
    if (this.pendingAsk) return;
    this.write(this.prompt() + this.redact(partial) + '?\n');
    for (const l of this.help(partial)) this.print(l);
  }

  /** Tab pressed: the completed line, or undefined when the last word is not a unique keyword. */
  complete(line: string): string | undefined {
    const { commands, offset, text } = this.helpScope(line);
    const done = completeLine(commands, text);
    return done === undefined ? undefined : line.slice(0, offset) + done;
  }

  /** Help and completion look inside `do ...` into the EXEC grammar. */
  private helpScope(line: string): { commands: CompiledCommand<CliHandler>[]; offset: number; text: string } {
    const reg = cliRegistry();
    if (MODES[this.mode].config) {
      const words = lex(line);
      const first = words[0];
      if (first && 'do'.startsWith(first.text.toLowerCase()) && first.text.length >= 2 && (words.length > 1 || /\s$/.test(line))) {
        const rest = line.slice(first.start + first.text.length).replace(/^\s+/, '');
        const offset = line.length - rest.length;
        return { commands: reg.get('exec')!, offset, text: rest };
      }
    }
    return { commands: this.modeCommands(this.mode), offset: 0, text: line };
  }

  /**
   * `line` with every argument that fills a secret slot of the grammar (a password, however its
   * keywords are abbreviated) replaced by `*****`. The line is read as the session would run it
   * (this mode, then its parents; `do` lines as EXEC commands); a line no mode there accepts is
   * read against every mode's commands (a password typed in the wrong mode), and, failing all,
   * everything after an abbreviation of `password` is hidden.
   */
  redact(line: string, mode: ModeId = this.mode): string {
    const spans = this.secretSpans(line, mode);
    return spans.length ? redactSpans(line, spans) : line;
  }

  private secretSpans(line: string, mode: ModeId): [number, number][] {
    const reg = cliRegistry();
    if (MODES[mode].config) {
      const words = lex(line);
      const first = words[0];
      if (first && first.text.length >= 2 && 'do'.startsWith(first.text.toLowerCase()) && words.length > 1) {
        const offset = words[1]!.start;
        return this.secretSpans(line.slice(offset), 'exec').map(([a, b]) => [a + offset, b + offset] as [number, number]);
      }
    }
    const chain: ModeId[] = [mode];
    if (MODES[mode].config) for (let i = this.frames.length - 2; i >= 0 && MODES[this.frames[i]!.mode].config; i--) chain.push(this.frames[i]!.mode);
    const all = [...new Set<ModeId>([...chain, ...reg.keys()])];
    const partial: [number, number][] = [];
    for (const m of all) {
      const r = matchSecrets(reg.get(m) ?? [], line);
      if (r.full && chain.includes(m)) return r.spans;
      partial.push(...r.spans);
    }
    return partial.length ? partial : fallbackSecretSpans(line);
  }

  private modeCommands(mode: ModeId): CompiledCommand<CliHandler>[] {
    return cliRegistry().get(mode) ?? [];
  }

  // ------------------------------------------------------------------ execution

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.length) {
        const line = this.queue.shift()!;
        await this.execute(line);
        // Mode and prompt may have changed without output: tell the views.
        this.write('');
      }
    } finally {
      this.running = false;
      this.checkIdle();
    }
  }

  private async ask(q: Question): Promise<string> {
    for (;;) {
      this.write(q.text);
      const answer = await new Promise<string>((resolve, reject) => {
        if (this.queue.length) {
          resolve(this.queue.shift()!);
          return;
        }
        this.pendingAsk = { q, resolve, reject };
        this.write('');
        this.checkIdle();
      });
      this.write((q.kind === 'secret' ? '' : answer) + '\n');
      if (q.kind === 'yesno') {
        const a = answer.trim() === '' && q.default !== undefined ? q.default : answer;
        if (isYes(a) || isNo(a)) return a;
        this.print('% Please answer \'yes\' or \'no\'.');
        continue;
      }
      if (q.kind === 'text' && answer.trim() === '' && q.default !== undefined) return q.default;
      return answer;
    }
  }

  private makeCtx(signal: AbortSignal): CommandCtx {
    const session = this;
    return {
      app: this.app,
      session: this,
      signal,
      get config() {
        return session.app.running;
      },
      get target() {
        return session.target;
      },
      interactive: true,
      enter(mode, target) {
        const parent = MODES[mode].parent!;
        while (session.frames.length > 1 && session.mode !== parent) session.frames.pop();
        session.frames.push({ mode, target });
      },
      leave() {
        if (MODES[session.mode].config) session.frames.pop();
      },
      print: (line) => this.print(line),
      ask: (q) => this.ask(q),
      confirm: async (text) => isYes(await this.ask({ text, kind: 'yesno' })),
      setMode: (mode) => {
        if (mode === 'user' || mode === 'exec') this.frames = [{ mode, target: {} }];
        else this.frames.push({ mode, target: {} });
      },
      exec: (line, offset) => this.runIn('exec', line, offset >= 0 ? offset : (/^\s*\S+\s+/.exec(this.currentLine)?.[0].length ?? 0), signal, false),
    };
  }

  private async execute(raw: string): Promise<void> {
    const signal = this.controller.signal;
    if (raw === '\u001a') {
      this.write(this.prompt() + '^Z\n');
      if (MODES[this.mode].config) this.frames = [{ mode: 'exec', target: {} }];
      return;
    }
    const prompt = this.prompt();
    const mode = this.mode;
    // Secrets typed on a command line (challenge, import and export passwords) are never echoed
    // — so never in the scrollback or a window.trustpoint.cli transcript — nor kept in the history.
    const shown = mode === 'config-pubkey' ? raw : this.redact(raw);
    this.write(prompt + shown + '\n');
    if (mode === 'config-pubkey') {
      try {
        hexDataLine(this.makeCtx(signal), raw);
      } catch (e) {
        this.reportError(e, prompt.length);
      }
      return;
    }
    const line = raw.replace(/\s+$/, '');
    if (mode === 'ca-profile-enroll' && isContinuation(this.template, line)) {
      try {
        applyContinuation(this.app.running, this.template!, line);
        this.app.touch();
      } catch (e) {
        this.reportError(e, prompt.length);
      }
      return;
    }
    this.template = undefined;
    if (line.trim() === '') return;
    if (MODES[mode].config && line.trim().startsWith('!')) return;
    if (line.endsWith('?')) {
      for (const l of this.help(line.slice(0, -1))) this.print(l);
      return;
    }
    this.currentLine = line;
    this.history.push(shown.replace(/\s+$/, '').trim());
    if (this.history.length > HISTORY_MAX) this.history.shift();
    await this.runIn(mode, line, 0, signal, true, prompt.length);
    if (this.mode === 'ca-profile-enroll') this.template = templateLineOf(this.app.running, this.target.profile, line);
  }

  /**
   * Matches `line` in `mode` (and, for configuration sub-modes, in the parent modes, leaving
   * the sub-mode when a parent command matches) and runs the handler.
   */
  private async runIn(mode: ModeId, line: string, offset: number, signal: AbortSignal, fallback: boolean, promptLen = this.prompt().length): Promise<void> {
    let firstError: CliError | undefined;
    let chosen: { depth: number; m: Extract<ReturnType<typeof matchLine<CliHandler>>, { ok: true }> } | undefined;
    const depths = fallback ? this.frames.map((_, i) => i).reverse() : [-1];
    for (const depth of depths) {
      const m2 = depth === -1 ? mode : this.frames[depth]!.mode;
      if (depth !== -1 && depth !== this.frames.length - 1 && !MODES[m2].config) break;
      const m = matchLine(this.modeCommands(m2), line);
      if (m.ok) {
        chosen = { depth, m };
        break;
      }
      firstError ??= m.error;
      if (m.error.code !== 'no-match') break;
    }
    if (!chosen) {
      const e = firstError!;
      if (e.code === 'no-match') this.print(caretLine(promptLen + offset + e.position));
      this.print(e.message);
      return;
    }
    if (chosen.depth >= 0) this.frames.length = chosen.depth + 1;
    const spec = chosen.m.command.spec as CliCommand & { config?: boolean };
    try {
      await spec.handler(this.makeCtx(signal), chosen.m.args);
      if (spec.config) this.app.touch();
    } catch (e) {
      this.reportError(e, promptLen);
    }
  }

  private reportError(e: unknown, _promptLen: number): void {
    if (isAbortError(e)) {
      this.print('% Operation aborted.');
      return;
    }
    if (e instanceof PkiError) {
      // a CA's error text may echo the challenge password
      this.print(this.app.redactSecrets(userMessage(e)));
      return;
    }
    console.error(e);
    this.print(`% Internal error: ${(e as Error)?.message ?? String(e)}`);
  }
}
