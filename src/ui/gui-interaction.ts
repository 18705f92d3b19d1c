/**
 * The GUI's side of the Interaction seam: workflow questions become a modal dialog
 * (`tp-dialog`, one per app, mounted by tp-app), printed lines go to the view's log, progress
 * events to its progress bar, and Cancel aborts the signal. A paste question (the console's
 * empty prompt) is answered from one textarea: the text is handed over line by line.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { Interaction, ProgressEvent, Question } from '../app/services.ts';
import { isYes } from '../app/prompter.ts';
import { palette, shared } from './theme.ts';

type CaFp = Extract<ProgressEvent, { stage: 'ca-certificate' }>;

interface Ask {
  q: Question;
  context: string[];
  fingerprints: CaFp[];
  resolve(v: string): void;
  reject(e: unknown): void;
}

let host: TpDialog | undefined;

function dialogHost(): TpDialog {
  if (!host || !host.isConnected) {
    host = document.createElement('tp-dialog');
    document.body.append(host);
  }
  return host;
}

export class GuiInteraction implements Interaction {
  readonly interactive = true;
  private controller = new AbortController();
  readonly lines: string[] = [];
  private paste: string[] | undefined;
  private fps: CaFp[] = [];

  constructor(
    private readonly onLine?: (line: string) => void,
    private readonly onProgress?: (e: ProgressEvent) => void,
  ) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  cancel(): void {
    this.controller.abort();
    dialogHost().dismiss();
  }

  print(line: string): void {
    this.lines.push(line);
    if (this.lines.length > 500) this.lines.shift();
    this.onLine?.(line);
  }

  progress(e: ProgressEvent): void {
    if (e.stage === 'ca-certificate') this.fps.push(e);
    this.onProgress?.(e);
  }

  async ask(q: Question): Promise<string> {
    if (this.signal.aborted) throw new DOMException('The operation was aborted.', 'AbortError');
    if (q.text === '' && q.kind === 'text') {
      if (!this.paste?.length) {
        const text = await dialogHost().ask({ q: { text: 'Paste the data (PEM or base64), then OK:', kind: 'text' }, context: this.lines.slice(-6), fingerprints: [] }, true);
        this.paste = [...text.replace(/\r\n?/g, '\n').split('\n'), '', ''];
      }
      return this.paste.shift()!;
    }
    const fps = /accept this certificate/i.test(q.text) ? this.fps : [];
    return dialogHost().ask({ q, context: this.lines.slice(-6), fingerprints: fps });
  }

  async confirm(text: string): Promise<boolean> {
    return isYes(await this.ask({ text, kind: 'yesno' }));
  }
}

const norm = (s: string) => s.replace(/[\s:]/g, '').toUpperCase();

/** The modal question dialog. */
export class TpDialog extends LitElement {
  static override properties = { current: { state: true }, compare: { state: true }, scanning: { state: true } };
  declare current: (Ask & { paste?: boolean }) | undefined;
  declare compare: string;
  declare scanning: boolean;
  private queue: (Ask & { paste?: boolean })[] = [];
  private stream: MediaStream | undefined;

  constructor() {
    super();
    this.compare = '';
    this.scanning = false;
  }

  static override styles = [
    palette,
    shared,
    css`
      dialog {
        max-width: min(720px, 94vw);
        width: 100%;
        border: 1px solid var(--tp-border);
        border-radius: 12px;
        background: var(--tp-card);
        color: var(--tp-fg);
        padding: 18px;
      }
      dialog::backdrop {
        background: rgb(0 0 0 / 45%);
      }
      .context {
        font: 13px ui-monospace, monospace;
        color: var(--tp-muted);
        white-space: pre-wrap;
        margin: 0 0 10px;
      }
      .fp {
        font: 600 20px ui-monospace, 'DejaVu Sans Mono', monospace;
        letter-spacing: 0.04em;
        word-break: break-all;
        margin: 4px 0 10px;
      }
      .q {
        font-size: 17px;
        font-weight: 600;
        margin: 10px 0;
      }
      textarea {
        width: 100%;
        min-height: 180px;
      }
      input.answer {
        width: 100%;
      }
      label {
        display: block;
        margin: 8px 0 4px;
      }
      video {
        max-width: 100%;
        border-radius: 8px;
      }
    `,
  ];

  ask(a: Omit<Ask, 'resolve' | 'reject'>, paste = false): Promise<string> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...a, resolve, reject, paste });
      if (!this.current) this.next();
    });
  }

  /** Closes any open question as cancelled (the workflow's Cancel). */
  dismiss(): void {
    const all = [...(this.current ? [this.current] : []), ...this.queue];
    this.queue = [];
    this.current = undefined;
    for (const a of all) a.reject(new DOMException('The operation was aborted.', 'AbortError'));
    this.stopScan();
    this.dialog?.close();
  }

  private get dialog(): HTMLDialogElement | null {
    return this.renderRoot.querySelector('dialog');
  }

  private next(): void {
    this.current = this.queue.shift();
    this.compare = '';
    if (!this.current) return;
    void this.updateComplete.then(() => {
      const d = this.dialog;
      if (d && !d.open) d.showModal();
      (this.renderRoot.querySelector('[autofocus]') as HTMLElement | null)?.focus();
    });
  }

  private answer(v: string): void {
    const c = this.current;
    if (!c) return;
    this.stopScan();
    this.dialog?.close();
    this.current = undefined;
    c.resolve(v);
    this.next();
  }

  private cancelCurrent(): void {
    const c = this.current;
    if (!c) return;
    this.stopScan();
    this.dialog?.close();
    this.current = undefined;
    c.reject(new DOMException('The operation was aborted.', 'AbortError'));
    this.next();
  }

  private async scan(): Promise<void> {
    const BD = (window as unknown as { BarcodeDetector?: new (o: { formats: string[] }) => { detect(v: HTMLVideoElement): Promise<{ rawValue: string }[]> } }).BarcodeDetector;
    if (!BD) return;
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
    } catch {
      return;
    }
    this.scanning = true;
    await this.updateComplete;
    const v = this.renderRoot.querySelector('video')!;
    v.srcObject = this.stream;
    await v.play();
    const det = new BD({ formats: ['qr_code'] });
    while (this.scanning) {
      const found = await det.detect(v).catch(() => []);
      if (found[0]) {
        this.compare = found[0].rawValue;
        this.stopScan();
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  private stopScan(): void {
    this.scanning = false;
    for (const t of this.stream?.getTracks() ?? []) t.stop();
    this.stream = undefined;
  }

  private submitText(e: Event): void {
    e.preventDefault();
    const el = this.renderRoot.querySelector('.answer') as HTMLInputElement | HTMLTextAreaElement;
    this.answer(el.value);
  }

  private fingerprintBlock() {
    const c = this.current!;
    if (!c.fingerprints.length) return nothing;
    const cmp = norm(this.compare);
    const hit = cmp ? c.fingerprints.some((f) => [f.fingerprints.md5, f.fingerprints.sha1, f.fingerprints.sha256].some((x) => norm(x) === cmp)) : undefined;
    const hasBD = 'BarcodeDetector' in window;
    return html`
      ${c.fingerprints.map(
        (f) => html`<div>
          <div class="muted">${f.of > 1 ? `${f.index === 0 ? 'Issuing CA' : f.index === f.of - 1 ? 'Root CA' : 'Intermediate CA'}: ` : 'CA: '}${f.subject || '(no subject)'}</div>
          <div class="muted">SHA-256</div>
          <div class="fp" data-fp="sha256">${f.fingerprints.sha256}</div>
          <div class="muted">SHA-1</div>
          <div class="fp" data-fp="sha1">${f.fingerprints.sha1}</div>
        </div>`,
      )}
      <label for="cmp">Fingerprint to compare (typed or scanned)</label>
      <div class="row">
        <input id="cmp" class="cmp grow" .value=${this.compare} @input=${(e: Event) => (this.compare = (e.target as HTMLInputElement).value)} />
        ${hasBD ? html`<button @click=${() => (this.scanning ? this.stopScan() : this.scan())}>${this.scanning ? 'Stop camera' : 'Scan QR code'}</button>` : nothing}
      </div>
      ${this.scanning ? html`<video muted playsinline aria-label="Camera"></video>` : nothing}
      <p role="status" class=${hit === undefined ? 'muted' : hit ? 'ok' : 'error'}>
        ${hit === undefined ? 'Compare with the fingerprint the CA administrator gave you.' : hit ? 'Fingerprint matches.' : 'Fingerprint does NOT match: do not accept.'}
      </p>
    `;
  }

  override render() {
    const c = this.current;
    return html`<dialog aria-labelledby="q" @cancel=${(e: Event) => (e.preventDefault(), this.cancelCurrent())}>
      ${c
        ? html`
            ${c.context.length ? html`<pre class="context">${c.context.join('\n')}</pre>` : nothing}
            ${this.fingerprintBlock()}
            <p class="q" id="q">${c.q.text.replace(/^%\s*/, '').replace(/\s*\[(yes\/no|confirm)\]:?\s*$/, '').replace(/:\s*$/, '') || 'Answer'}</p>
            ${c.q.kind === 'yesno' || c.q.kind === 'confirm'
              ? html`<div class="row">
                  <button class="primary" autofocus @click=${() => this.answer('yes')}>Yes</button>
                  <button @click=${() => this.answer('no')}>No</button>
                </div>`
              : html`<form @submit=${this.submitText}>
                  ${c.paste
                    ? html`<textarea class="answer" aria-labelledby="q" autofocus></textarea>`
                    : html`<input class="answer" aria-labelledby="q" autofocus type=${c.q.kind === 'secret' ? 'password' : 'text'} .value=${c.q.default ?? ''} />`}
                  <div class="row mt">
                    <button class="primary" type="submit">OK</button>
                    <button type="button" @click=${() => this.cancelCurrent()}>Cancel</button>
                  </div>
                </form>`}
          `
        : nothing}
    </dialog>`;
  }
}

customElements.define('tp-dialog', TpDialog);

declare global {
  interface HTMLElementTagNameMap {
    'tp-dialog': TpDialog;
  }
}
