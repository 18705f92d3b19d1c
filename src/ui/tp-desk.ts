/**
 * The provisioning desk: device names pasted or loaded from a CSV (name, subject,
 * subject-alt-names, challenge[, password]), a trustpoint (its CA and method), an export
 * password, Start. Per-row status with errors, a progress bar, Cancel, Resume after a reload
 * (the batch is kept in IndexedDB by the service), and one ZIP with every PKCS#12 file and a
 * CSV report; batch keys are deleted after the download unless "Keep the keys" is ticked.
 */
import { LitElement, css, html, nothing } from 'lit';
import {
  cancelDeskBatch,
  deskBatch,
  deskZip,
  explain,
  finishDeskBatch,
  listTrustpoints,
  onDesk,
  parseDeskRows,
  resumeDeskBatch,
  startDeskBatch,
  type DeskBatch,
  type TrustpointApp,
} from '../app/services.ts';
import { GuiInteraction } from './gui-interaction.ts';
import { palette, shared } from './theme.ts';

const STATE_TEXT: Record<string, string> = {
  queued: 'waiting',
  keygen: 'generating key',
  sending: 'at the CA',
  issued: 'issued',
  failed: 'failed',
  interrupted: 'interrupted',
  cancelled: 'cancelled',
};

export class TpDesk extends LitElement {
  static override properties = {
    app: { attribute: false },
    revision: { type: Number },
    batch: { state: true },
    message: { state: true },
    parseErrors: { state: true },
  };
  declare app: TrustpointApp | undefined;
  declare revision: number;
  declare batch: DeskBatch | undefined;
  declare message: string;
  declare parseErrors: string[];
  private off: (() => void) | undefined;
  private io: GuiInteraction | undefined;

  constructor() {
    super();
    this.revision = 0;
    this.message = '';
    this.parseErrors = [];
  }

  static override styles = [
    palette,
    shared,
    css`
      :host {
        display: block;
      }
      form {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(min(100%, 260px), 1fr));
        gap: 10px 16px;
        align-items: end;
      }
      .field {
        display: flex;
        flex-direction: column;
        gap: 3px;
      }
      .field > label {
        font-weight: 600;
        font-size: 14px;
      }
      .wide {
        grid-column: 1 / -1;
      }
      textarea {
        min-height: 140px;
      }
      progress {
        width: 100%;
        height: 18px;
      }
      table {
        border-collapse: collapse;
        width: 100%;
        font-size: 14px;
      }
      th,
      td {
        text-align: left;
        padding: 4px 8px 4px 0;
        border-bottom: 1px solid var(--tp-border);
      }
      .check {
        display: flex;
        align-items: center;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.app) this.attach();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.off?.();
    this.off = undefined;
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('app') && this.app) this.attach();
  }

  private attach(): void {
    if (this.off || !this.app) return;
    this.off = onDesk(this.app, (b) => (this.batch = b.rows.length ? b : undefined));
    void deskBatch(this.app).then((b) => (this.batch ??= b));
  }

  private val(id: string): string {
    return (this.renderRoot.querySelector(`#${id}`) as HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement).value;
  }

  private async start(e: Event): Promise<void> {
    e.preventDefault();
    const { rows, errors } = parseDeskRows(this.val('names'));
    this.parseErrors = errors;
    if (errors.length) return;
    this.io = new GuiInteraction();
    this.message = '';
    try {
      this.batch = await startDeskBatch(this.app!, this.io, {
        trustpoint: this.val('tp'),
        rows,
        password: this.val('pw'),
        profile: this.val('alg') as 'aes' | '3des',
        concurrency: Number(this.val('inflight')) || 1,
      });
      this.message = this.summary();
    } catch (err) {
      this.message = explain(err);
    }
  }

  private async resume(): Promise<void> {
    this.io = new GuiInteraction();
    try {
      this.batch = await resumeDeskBatch(this.app!, this.io);
      this.message = this.summary();
    } catch (err) {
      this.message = explain(err);
    }
  }

  private summary(): string {
    const b = this.batch;
    if (!b) return '';
    const n = (s: string) => b.rows.filter((r) => r.state === s).length;
    return `${n('issued')} issued, ${n('failed')} failed, ${n('interrupted')} interrupted, ${n('cancelled') + n('queued')} not done.`;
  }

  private async download(): Promise<void> {
    const b = this.batch!;
    const zip = await deskZip(this.app!, b);
    const url = URL.createObjectURL(new Blob([zip as Uint8Array<ArrayBuffer>], { type: 'application/zip' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `trustpoint-batch-${new Date(b.createdAt).toISOString().slice(0, 10)}.zip`;
    this.renderRoot.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    const keep = (this.renderRoot.querySelector('#keep') as HTMLInputElement).checked;
    await finishDeskBatch(this.app!, keep);
    this.batch = undefined;
    this.message = keep ? 'ZIP saved; the keys were kept in the key store.' : 'ZIP saved; the batch keys were deleted from this device.';
  }

  private async loadCsv(e: Event): Promise<void> {
    const f = (e.target as HTMLInputElement).files?.[0];
    if (!f) return;
    (this.renderRoot.querySelector('#names') as HTMLTextAreaElement).value = await f.text();
  }

  override render() {
    const app = this.app;
    if (!app) return nothing;
    const tps = listTrustpoints(app).filter((t) => t.url && /^https?:/i.test(t.url));
    const b = this.batch;
    const done = b ? b.rows.filter((r) => !['queued', 'keygen', 'sending'].includes(r.state)).length : 0;
    const unfinished = b && !b.running && b.rows.some((r) => ['queued', 'keygen', 'sending'].includes(r.state));
    return html`<h2>Provisioning desk</h2>
      ${!b || (!b.running && !unfinished && !b.rows.some((r) => r.state === 'issued'))
        ? html`<form @submit=${this.start} novalidate>
            <div class="field wide">
              <label for="names">Device names</label>
              <textarea id="names" aria-describedby="names-hint" spellcheck="false"></textarea>
              <small id="names-hint" class="muted">One name per line, or CSV: name, subject, subject-alt-names, challenge (a header line is optional).</small>
            </div>
            <div class="field">
              <label for="csv" class="button">Load CSV…</label>
              <input id="csv" class="sr-only" type="file" accept=".csv,.txt" @change=${this.loadCsv} />
            </div>
            <div class="field">
              <label for="tp">Trustpoint</label>
              <select id="tp">
                ${tps.map((t) => html`<option value=${t.name}>${t.name} — ${t.ca ?? 'CA not authenticated'}</option>`)}
              </select>
            </div>
            <div class="field">
              <label for="pw">Export password</label>
              <input id="pw" type="password" autocomplete="new-password" />
            </div>
            <div class="field">
              <label for="alg">Encryption</label>
              <select id="alg">
                <option value="aes">AES-256</option>
                <option value="3des">3DES (old readers)</option>
              </select>
            </div>
            <div class="field">
              <label for="inflight">Requests in flight</label>
              <input id="inflight" inputmode="numeric" value="1" aria-describedby="inflight-hint" />
              <small id="inflight-hint" class="muted">1–8 at the CA at once; keys and files are made in parallel anyway</small>
            </div>
            <div class="field"><button class="primary" type="submit" ?disabled=${!tps.length}>Start</button></div>
            ${tps.length ? nothing : html`<p class="wide warn">Configure and authenticate a trustpoint with an http(s) enrollment URL first.</p>`}
            ${this.parseErrors.length ? html`<ul class="wide error" role="alert">${this.parseErrors.map((x) => html`<li>${x}</li>`)}</ul>` : nothing}
          </form>`
        : nothing}
      ${this.message ? html`<p role="status" data-message>${this.message}</p>` : nothing}
      ${b
        ? html`<section aria-label="Batch">
            <p>Batch of ${b.rows.length} from trustpoint ${b.trustpoint}: ${done} of ${b.rows.length} done.</p>
            <progress aria-label="Batch progress" max=${b.rows.length} value=${done}></progress>
            <div class="row mt mb">
              ${b.running ? html`<button class="danger" @click=${() => cancelDeskBatch()}>Cancel</button>` : nothing}
              ${unfinished ? html`<button class="primary" @click=${() => this.resume()}>Resume</button>` : nothing}
              ${!b.running
                ? html`<div class="check"><input id="keep" type="checkbox" /><label for="keep">Keep the keys</label></div>
                    <button class="primary" ?disabled=${!b.rows.some((r) => r.state === 'issued')} @click=${() => this.download()}>Download ZIP</button>
                    <button
                      @click=${async () => {
                        await finishDeskBatch(this.app!, false);
                        this.batch = undefined;
                      }}
                    >
                      Discard batch
                    </button>`
                : nothing}
            </div>
            <table>
              <thead>
                <tr>
                  <th scope="col">Device</th>
                  <th scope="col">Subject</th>
                  <th scope="col">Status</th>
                  <th scope="col">Serial</th>
                  <th scope="col">Error</th>
                </tr>
              </thead>
              <tbody>
                ${b.rows.map(
                  (r) => html`<tr data-row=${r.name} data-state=${r.state}>
                    <td>${r.name}</td>
                    <td>${r.subject}</td>
                    <td>${STATE_TEXT[r.state]}</td>
                    <td>${r.serial ?? ''}</td>
                    <td class="error">${r.error ?? ''}</td>
                  </tr>`,
                )}
              </tbody>
            </table>
          </section>`
        : nothing}`;
  }
}

customElements.define('tp-desk', TpDesk);

declare global {
  interface HTMLElementTagNameMap {
    'tp-desk': TpDesk;
  }
}
