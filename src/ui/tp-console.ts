/**
 * The IOS console: shows a CliSession's output and feeds it keystrokes.
 *
 * Keys: Return submits; Tab completes; `?` shows help for the line typed so far (Ctrl-V then
 * `?` inserts a literal question mark); Up/Down walk the history; Ctrl-Z leaves configuration
 * mode; Ctrl-C abandons a question or operation. A multi-line paste is executed line by line,
 * exactly like `window.trustpoint.cli`. Touch users get the same keys as buttons.
 *
 * @csspart output - the scrollback
 * @csspart input - the command line
 */
import { LitElement, css, html } from 'lit';
import type { CliSession } from '../cli/session.ts';

export class TpConsole extends LitElement {
  static override properties = {
    session: { attribute: false },
    output: { state: true },
    promptText: { state: true },
    secret: { state: true },
    offers: { state: true },
    dragging: { state: true },
  };

  declare session: CliSession | undefined;
  declare output: string;
  declare promptText: string;
  declare secret: boolean;
  /** Files the last commands offered (CSRs, exports), as download links. */
  declare offers: { name: string; url: string; size: number }[];
  declare dragging: boolean;
  private off: (() => void) | undefined;
  private offDownloads: (() => void) | undefined;
  private historyIndex = -1;
  private draft = '';
  private literalNext = false;

  constructor() {
    super();
    this.output = '';
    this.promptText = '';
    this.secret = false;
    this.offers = [];
    this.dragging = false;
  }

  static override styles = css`
    :host {
      display: flex;
      flex-direction: column;
      min-height: 0;
      height: 100%;
      background: var(--tp-term-bg, #0b1220);
      color: var(--tp-term-fg, #d7e3f4);
      font-family: ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace;
      font-size: 14px;
      border-radius: 8px;
      overflow: hidden;
    }
    .screen {
      flex: 1;
      overflow-y: auto;
      padding: 10px 12px 4px;
      cursor: text;
    }
    pre {
      margin: 0;
      white-space: pre-wrap;
      word-break: break-all;
      font: inherit;
    }
    .line {
      display: flex;
      align-items: center;
      white-space: pre;
    }
    input {
      flex: 1;
      min-width: 4ch;
      background: transparent;
      border: 0;
      outline: 0;
      color: inherit;
      font: inherit;
      padding: 0;
      min-height: 44px;
      caret-color: #7dd3fc;
    }
    .screen.drop {
      outline: 2px dashed #7dd3fc;
      outline-offset: -6px;
    }
    .offers {
      display: flex;
      gap: 12px;
      flex-wrap: wrap;
      padding: 6px 10px;
      border-top: 1px solid #1e293b;
      font: 13px system-ui, sans-serif;
    }
    .offers a {
      color: #7dd3fc;
    }
    .keys {
      display: flex;
      gap: 6px;
      padding: 6px 8px;
      border-top: 1px solid #1e293b;
      flex-wrap: wrap;
    }
    .keys button {
      font: 13px system-ui, sans-serif;
      min-height: 44px;
      min-width: 48px;
      border-radius: 6px;
      border: 1px solid #334155;
      background: #111827;
      color: #cbd5e1;
    }
  `;

  override connectedCallback(): void {
    super.connectedCallback();
    this.attach();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.off?.();
    this.off = undefined;
    this.offDownloads?.();
    this.offDownloads = undefined;
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('session')) {
      this.off?.();
      this.off = undefined;
      this.offDownloads?.();
      this.offDownloads = undefined;
      this.attach();
    }
  }

  private attach(): void {
    if (!this.session || this.off) return;
    this.output = this.session.scrollback;
    this.offDownloads = this.session.app.onDownload((d) => {
      const url = URL.createObjectURL(new Blob([d.data as Uint8Array<ArrayBuffer>], { type: d.mime }));
      // A newer file of the same name replaces the older; at most four are offered.
      const keep = this.offers.filter((o) => o.name !== d.name);
      for (const o of this.offers) if (!keep.includes(o)) URL.revokeObjectURL(o.url);
      while (keep.length >= 4) URL.revokeObjectURL(keep.shift()!.url);
      this.offers = [...keep, { name: d.name, url, size: d.data.length }];
    });
    this.off = this.session.onOutput(() => {
      this.output = this.session!.scrollback;
      this.syncPrompt();
    });
    this.syncPrompt();
  }

  private syncPrompt(): void {
    const s = this.session;
    if (!s) return;
    const q = s.question();
    this.secret = q?.kind === 'secret';
    this.promptText = q ? '' : s.prompt();
  }

  /** Output up to the last newline is scrollback; a trailing partial line (a question) prefixes the input. */
  private split(): [string, string] {
    const i = this.output.lastIndexOf('\n');
    return [this.output.slice(0, i + 1), this.output.slice(i + 1)];
  }

  protected override updated(): void {
    const screen = this.renderRoot.querySelector('.screen');
    if (screen) screen.scrollTop = screen.scrollHeight;
  }

  private get input(): HTMLInputElement {
    return this.renderRoot.querySelector('input')!;
  }

  override focus(): void {
    this.input?.focus();
  }

  private submitLine(): void {
    const s = this.session;
    if (!s) return;
    const value = this.input.value;
    this.input.value = '';
    this.historyIndex = -1;
    s.submit(value);
    this.syncPrompt();
  }

  private onKey(e: KeyboardEvent): void {
    const s = this.session;
    if (!s) return;
    const input = this.input;
    if (e.ctrlKey && (e.key === 'v' || e.key === 'V') && !e.shiftKey) {
      // IOS: Ctrl-V quotes the next character (so a literal `?` can be typed).
      this.literalNext = true;
      return;
    }
    if (e.key === '?' && !this.literalNext && !s.question()) {
      e.preventDefault();
      s.showHelp(input.value);
      return;
    }
    this.literalNext = false;
    if (e.key === 'Enter') {
      e.preventDefault();
      this.submitLine();
    } else if (e.key === 'Tab') {
      e.preventDefault();
      const done = s.complete(input.value);
      if (done !== undefined) input.value = done;
    } else if ((e.ctrlKey && (e.key === 'z' || e.key === 'Z')) || e.key === '\u001a') {
      e.preventDefault();
      input.value = '';
      s.ctrlZ();
    } else if (e.ctrlKey && (e.key === 'c' || e.key === 'C') && input.selectionStart === input.selectionEnd) {
      e.preventDefault();
      input.value = '';
      s.interrupt();
      this.syncPrompt();
    } else if (e.key === 'ArrowUp' || (e.ctrlKey && e.key === 'p')) {
      e.preventDefault();
      this.walkHistory(-1);
    } else if (e.key === 'ArrowDown' || (e.ctrlKey && e.key === 'n')) {
      e.preventDefault();
      this.walkHistory(1);
    }
  }

  private walkHistory(dir: -1 | 1): void {
    const h = this.session?.history ?? [];
    if (!h.length) return;
    if (this.historyIndex === -1) {
      if (dir === 1) return;
      this.draft = this.input.value;
      this.historyIndex = h.length;
    }
    this.historyIndex = Math.min(h.length, Math.max(0, this.historyIndex + dir));
    this.input.value = this.historyIndex === h.length ? this.draft : h[this.historyIndex]!;
    if (this.historyIndex === h.length) this.historyIndex = -1;
    const n = this.input.value.length;
    this.input.setSelectionRange(n, n);
  }

  private onPaste(e: ClipboardEvent): void {
    const text = e.clipboardData?.getData('text/plain') ?? '';
    if (!/[\r\n]/.test(text) || !this.session) return;
    e.preventDefault();
    const input = this.input;
    const before = input.value.slice(0, input.selectionStart ?? input.value.length);
    const after = input.value.slice(input.selectionEnd ?? input.value.length);
    const joined = before + text;
    const lines = joined.replace(/\r\n?/g, '\n').split('\n');
    const last = lines.pop() ?? '';
    input.value = last + after;
    this.session.paste(lines.join('\n') + '\n');
  }

  /**
   * A file dropped on the console is never typed in as console input (a .pem holding
   * `crypto key zeroize` would run): tp-app takes every drop and shows the file in the
   * certificate viewer, or — if the user agrees — lets it answer a waiting paste question.
   */

  private key(action: 'tab' | 'help' | 'ctrlz' | 'ctrlc' | 'up' | 'down' | 'enter'): void {
    const s = this.session;
    if (!s) return;
    const input = this.input;
    if (action === 'tab') {
      const done = s.complete(input.value);
      if (done !== undefined) input.value = done;
    } else if (action === 'help') s.showHelp(input.value);
    else if (action === 'ctrlz') {
      input.value = '';
      s.ctrlZ();
    } else if (action === 'ctrlc') {
      input.value = '';
      s.interrupt();
    } else if (action === 'up') this.walkHistory(-1);
    else if (action === 'down') this.walkHistory(1);
    else this.submitLine();
    input.focus();
  }

  override render() {
    const [scroll, partial] = this.split();
    return html`
      <div
        class="screen ${this.dragging ? 'drop' : ''}"
        part="output"
        @click=${() => this.focus()}
      >
        <pre>${scroll}</pre>
        <div class="line">
          <span class="prompt">${partial}${this.promptText}</span>
          <input
            part="input"
            aria-label="Console input"
            autocomplete="off"
            autocapitalize="off"
            spellcheck="false"
            type=${this.secret ? 'password' : 'text'}
            @keydown=${this.onKey}
            @paste=${this.onPaste}
          />
        </div>
      </div>
      ${this.offers.length
        ? html`<div class="offers" aria-label="Files">
            ${this.offers.map((o) => html`<a href=${o.url} download=${o.name}>⬇ ${o.name} (${o.size} bytes)</a>`)}
          </div>`
        : ''}
      <div class="keys" aria-label="Console keys">
        <button @click=${() => this.key('tab')} title="Complete the word (Tab)">Tab</button>
        <button @click=${() => this.key('help')} title="Help (?)">?</button>
        <button @click=${() => this.key('up')} title="Previous command">↑</button>
        <button @click=${() => this.key('down')} title="Next command">↓</button>
        <button @click=${() => this.key('ctrlz')} title="Leave configuration mode (Ctrl-Z)">Ctrl-Z</button>
        <button @click=${() => this.key('ctrlc')} title="Abort (Ctrl-C)">Ctrl-C</button>
        <button @click=${() => this.key('enter')} title="Return">⏎</button>
      </div>
    `;
  }
}

customElements.define('tp-console', TpConsole);

declare global {
  interface HTMLElementTagNameMap {
    'tp-console': TpConsole;
  }
}
