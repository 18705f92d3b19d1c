/**
 * Trustpoints: the list (each card with its status area — certificate, renew date, pending
 * request, and what the auto-enroller reports), the editor (every sub-command as a labelled
 * field, validated by the console's grammar, with a live preview of the IOS block), and guided
 * enrollment (Authenticate shows the CA fingerprints large for comparison; Enroll shows key
 * generation, request sent, pending with a countdown, issued; Cancel at any time).
 * Everything goes through app/services.ts.
 */
import { LitElement, css, html, nothing } from 'lit';
import {
  ENROLLMENT_METHODS,
  FIELD_LABELS,
  authenticate,
  deleteTrustpoint,
  demoTrustpoint,
  enroll,
  explain,
  iosDate,
  listTrustpoints,
  planTrustpoint,
  saveTrustpoint,
  setKioskPin,
  trustpointFields,
  type ProgressEvent,
  type TrustpointApp,
  type TrustpointFields,
  type TrustpointPlan,
  type TrustpointStatus,
} from '../app/services.ts';
import { GuiInteraction } from './gui-interaction.ts';
import { palette, shared } from './theme.ts';

interface Run {
  name: string;
  action: 'Authenticate' | 'Enroll';
  io: GuiInteraction;
  stage: string;
  keygen: boolean;
  pending?: { attempt: number; of: number; nextPollAt: number };
  done?: 'ok' | 'failed' | 'cancelled';
  error?: string;
  log: string[];
}

export class TpTrustpoints extends LitElement {
  static override properties = {
    app: { attribute: false },
    revision: { type: Number },
    editing: { state: true },
    fields: { state: true },
    plan: { state: true },
    run: { state: true },
    tick: { state: true },
    message: { state: true },
  };
  declare app: TrustpointApp | undefined;
  declare revision: number;
  /** undefined: list; '': a new trustpoint; NAME: editing NAME */
  declare editing: string | undefined;
  declare fields: TrustpointFields | undefined;
  declare plan: TrustpointPlan | undefined;
  declare run: Run | undefined;
  declare tick: number;
  declare message: string;
  private timer: ReturnType<typeof setInterval> | undefined;
  private planSeq = 0;

  constructor() {
    super();
    this.revision = 0;
    this.tick = 0;
    this.message = '';
  }

  static override styles = [
    palette,
    shared,
    css`
      :host {
        display: block;
      }
      .grid {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(min(100%, 320px), 1fr));
        gap: 12px;
      }
      .status {
        margin-top: 8px;
        padding: 8px 10px;
        border-radius: 8px;
        background: var(--tp-bg);
      }
      .demo {
        border-color: var(--tp-ok);
        background: var(--tp-ok-bg);
        margin-bottom: 14px;
      }
      .demo.off {
        border-color: var(--tp-warn);
        background: var(--tp-warn-bg);
      }
      form.editor {
        display: grid;
        grid-template-columns: minmax(0, 1.2fr) minmax(0, 1fr);
        gap: 16px;
      }
      @media (max-width: 900px) {
        form.editor {
          grid-template-columns: 1fr;
        }
      }
      .fields {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(min(100%, 240px), 1fr));
        gap: 10px 14px;
        align-content: start;
      }
      .field {
        display: flex;
        flex-direction: column;
        gap: 3px;
      }
      .field > label,
      fieldset legend {
        font-weight: 600;
        font-size: 14px;
      }
      .field small {
        font-size: 13px;
      }
      .check {
        display: flex;
        align-items: center;
        gap: 2px;
      }
      fieldset {
        border: 1px solid var(--tp-border);
        border-radius: 8px;
        padding: 4px 8px;
        margin: 0;
      }
      fieldset label {
        display: inline-flex;
        align-items: center;
        margin-right: 6px;
      }
      [aria-invalid='true'] {
        border-color: var(--tp-danger);
        outline: 1px solid var(--tp-danger);
      }
      .wide {
        grid-column: 1 / -1;
      }
      .progress {
        margin-top: 10px;
      }
      .stages {
        list-style: none;
        padding: 0;
        margin: 6px 0;
      }
      .stages li {
        padding: 2px 0;
      }
      .stages li[aria-current='step'] {
        font-weight: 700;
      }
      progress {
        width: 100%;
        height: 14px;
      }
      .log {
        max-height: 180px;
      }
    `,
  ];

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.timer) clearInterval(this.timer);
  }

  // ------------------------------------------------------------------ editor

  private edit(name: string | undefined): void {
    const app = this.app!;
    this.editing = name ?? '';
    this.fields = trustpointFields(app, name);
    this.message = '';
    void this.replan();
  }

  private async replan(): Promise<void> {
    const seq = ++this.planSeq;
    const p = await planTrustpoint(this.app!, this.fields!, this.editing || undefined);
    if (seq === this.planSeq) this.plan = p;
  }

  private set<K extends keyof TrustpointFields>(k: K, v: TrustpointFields[K]): void {
    this.fields = { ...this.fields!, [k]: v };
    void this.replan();
  }

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    const io = new GuiInteraction();
    try {
      const p = await saveTrustpoint(this.app!, io, this.fields!, this.editing || undefined);
      this.plan = p;
      if (!p.ok) {
        this.message = '% Not saved: correct the fields marked in red.';
        const first = Object.keys(p.errors)[0];
        (this.renderRoot.querySelector(`[name="${first}"]`) as HTMLElement | null)?.focus();
        return;
      }
      this.message = '';
      this.editing = undefined;
      this.dispatchEvent(new CustomEvent('tp-changed', { bubbles: true, composed: true }));
    } catch (err) {
      this.message = explain(err);
    }
  }

  private async removeTrustpoint(name: string): Promise<void> {
    const io = new GuiInteraction();
    try {
      await deleteTrustpoint(this.app!, io, name);
      this.editing = undefined;
      this.message = `Trustpoint ${name} deleted.`;
      this.dispatchEvent(new CustomEvent('tp-changed', { bubbles: true, composed: true }));
    } catch (err) {
      this.message = explain(err);
    }
  }

  private input(k: keyof TrustpointFields, opts: { type?: string; hint?: string; inputmode?: string; wide?: boolean } = {}) {
    const f = this.fields!;
    const err = this.plan?.errors[k];
    const id = `f-${k}`;
    return html`<div class="field ${opts.wide ? 'wide' : ''}">
      <label for=${id}>${FIELD_LABELS[k]}</label>
      <input
        id=${id}
        name=${k}
        type=${opts.type ?? 'text'}
        inputmode=${opts.inputmode ?? 'text'}
        autocomplete="off"
        .value=${String(f[k] ?? '')}
        aria-invalid=${err ? 'true' : 'false'}
        aria-describedby=${`${id}-msg`}
        @input=${(e: Event) => this.set(k, (e.target as HTMLInputElement).value as never)}
      />
      <small id=${`${id}-msg`} class=${err ? 'error' : 'muted'}>${err ?? opts.hint ?? ''}</small>
    </div>`;
  }

  private check(k: keyof TrustpointFields, hint = '') {
    const id = `f-${k}`;
    const err = this.plan?.errors[k];
    return html`<div class="field">
      <div class="check">
        <input id=${id} name=${k} type="checkbox" .checked=${!!this.fields![k]} @change=${(e: Event) => this.set(k, (e.target as HTMLInputElement).checked as never)} />
        <label for=${id}>${FIELD_LABELS[k]}</label>
      </div>
      <small class=${err ? 'error' : 'muted'}>${err ?? hint}</small>
    </div>`;
  }

  private group(k: 'usage' | 'revocationCheck', options: string[]) {
    const f = this.fields!;
    const err = this.plan?.errors[k];
    const list = f[k];
    return html`<div class="field">
      <fieldset aria-invalid=${err ? 'true' : 'false'}>
        <legend>${FIELD_LABELS[k]}</legend>
        ${options.map(
          (o) => html`<label
            ><input
              type="checkbox"
              .checked=${list.includes(o)}
              @change=${(e: Event) => this.set(k, (e.target as HTMLInputElement).checked ? [...list, o] : list.filter((x) => x !== o))}
            />${o}</label
          >`,
        )}
      </fieldset>
      <small class=${err ? 'error' : 'muted'}>${err ?? ''}</small>
    </div>`;
  }

  private select(k: keyof TrustpointFields, options: { value: string; label: string }[], hint = '') {
    const id = `f-${k}`;
    const err = this.plan?.errors[k];
    return html`<div class="field">
      <label for=${id}>${FIELD_LABELS[k]}</label>
      <select id=${id} name=${k} aria-invalid=${err ? 'true' : 'false'} @change=${(e: Event) => this.set(k, (e.target as HTMLSelectElement).value as never)}>
        ${options.map((o) => html`<option value=${o.value} ?selected=${this.fields![k] === o.value}>${o.label}</option>`)}
      </select>
      <small class=${err ? 'error' : 'muted'}>${err ?? hint}</small>
    </div>`;
  }

  private editor() {
    const f = this.fields!;
    const isNew = this.editing === '';
    return html`<h2>${isNew ? 'New trustpoint' : `Edit trustpoint ${this.editing}`}</h2>
      <form class="editor" @submit=${this.save} novalidate>
        <div class="fields">
          ${this.input('name', { hint: 'crypto pki trustpoint NAME' })}
          ${this.select('method', ENROLLMENT_METHODS)}
          ${f.method === 'url' ? this.input('url', { hint: 'http://ca.example.com/scep, tftp://…, flash:…', wide: true, type: 'url' }) : nothing}
          ${f.method === 'profile' ? this.input('profile', { hint: 'crypto pki profile enrollment LABEL' }) : nothing}
          ${f.method === 'acme' ? this.input('url', { hint: 'the ACME directory URL, https://…/directory', wide: true, type: 'url' }) : nothing}
          ${f.method === 'acme'
            ? this.select('acmeChallenge', [
                { value: '', label: 'Ask (show what to publish)' },
                { value: 'http-01', label: 'http-01 answered by the web server' },
              ])
            : nothing}
          ${f.method === 'acme' ? this.input('eabKid', { hint: 'external account binding (optional)' }) : nothing}
          ${f.method === 'acme' ? this.input('eabKey', { type: 'password', hint: 'base64url MAC key; saved as type 7' }) : nothing}
          ${f.method === 'url' || f.method === 'terminal' ? this.check('pem', 'enrollment … pem') : nothing}
          ${f.method === 'url' ? this.check('raMode', 'enrollment mode ra') : nothing}
          ${this.input('subjectName', { hint: 'e.g. CN=router1, O=example.com (FQDN when empty)', wide: true })}
          ${this.input('subjectAltName', { hint: 'a DNS name or an e-mail address' })}
          ${this.input('password', { type: 'password', hint: 'saved as type 7 (obfuscated)' })}
          ${this.input('keyLabel', { hint: 'rsakeypair / eckeypair LABEL' })}
          ${this.select('keyType', [
            { value: 'rsa', label: 'RSA' },
            { value: 'ec', label: 'EC P-256' },
          ])}
          ${f.keyType === 'rsa' ? this.input('keySize', { inputmode: 'numeric', hint: '512–4096 bits (default 2048)' }) : nothing}
          ${f.keyType === 'rsa' ? this.check('usageKeys', 'separate signature and encryption keys') : nothing}
          ${this.check('autoEnroll', 'auto-enroll')} ${this.input('autoEnrollPercent', { inputmode: 'numeric', hint: '10–100 % of the lifetime' })}
          ${this.check('autoEnrollRegenerate', 'auto-enroll … regenerate')} ${this.check('regenerate', 'a new key pair at the next enrollment')}
          ${this.input('fingerprint', { hint: 'MD5, SHA-1 or SHA-256 of the CA certificate', wide: true })}
          ${this.group('revocationCheck', ['crl', 'ocsp', 'none'])} ${this.group('usage', ['ike', 'ssl-client', 'ssl-server'])}
          ${this.input('retryPeriod', { inputmode: 'numeric', hint: 'minutes, 1–60 (default 1)' })}
          ${this.input('retryCount', { inputmode: 'numeric', hint: '1–100 (default 10)' })}
          ${this.select('serialNumber', [
            { value: '', label: 'Ask at enrollment' },
            { value: 'include', label: 'Include' },
            { value: 'none', label: 'None' },
          ])}
          ${this.input('ipAddress', { hint: 'A.B.C.D, X:X::X or none' })} ${this.input('fqdn', { hint: 'a domain name or none' })}
          ${this.input('httpProxy', { hint: 'HOST PORT (kept; the browser proxy applies)' })} ${this.input('vrf', { hint: 'kept; not applicable in a browser' })}
          ${this.input('onDevice', { hint: 'e.g. usbtoken0:' })} ${this.input('storageDevice', { hint: 'e.g. usbtoken0:' })}
        </div>
        <div>
          <h3 id="preview-h">IOS preview</h3>
          <pre class="code" aria-labelledby="preview-h" data-preview>${(this.plan?.preview ?? []).join('\n')}</pre>
          <p role="status" class="error">${this.message}</p>
          <div class="row mt">
            <button class="primary" type="submit">Save</button>
            <button type="button" @click=${() => (this.editing = undefined)}>Close</button>
            ${isNew ? nothing : html`<button type="button" class="danger" @click=${() => this.removeTrustpoint(this.editing!)}>Delete</button>`}
          </div>
        </div>
      </form>`;
  }

  // ------------------------------------------------------------------ guided enrollment

  private async start(name: string, action: 'Authenticate' | 'Enroll'): Promise<void> {
    const app = this.app!;
    const r: Run = {
      name,
      action,
      stage: action === 'Authenticate' ? 'Fetching the CA certificate' : 'Starting',
      keygen: false,
      log: [],
      io: new GuiInteraction(
        (l) => {
          r.log = [...r.log.slice(-40), l];
          this.requestUpdate();
        },
        (e) => this.onProgress(r, e),
      ),
    };
    this.run = r;
    this.timer ??= setInterval(() => (this.tick = Date.now()), 500);
    try {
      if (action === 'Authenticate') await authenticate(app, r.io, name);
      else await enroll(app, r.io, name);
      r.done = 'ok';
      r.stage = action === 'Authenticate' ? 'CA certificate accepted' : r.stage.startsWith('Issued') ? r.stage : 'Done';
    } catch (e) {
      r.done = r.io.signal.aborted ? 'cancelled' : 'failed';
      r.error = explain(e);
    }
    r.keygen = false;
    delete r.pending;
    this.requestUpdate();
    this.dispatchEvent(new CustomEvent('tp-changed', { bubbles: true, composed: true }));
  }

  private onProgress(r: Run, e: ProgressEvent): void {
    if (e.stage === 'keygen') {
      r.keygen = !e.done;
      r.stage = e.done ? `Key pair ${e.algorithm} ready` : `Generating a ${e.algorithm} key pair`;
    } else if (e.stage === 'request') {
      delete r.pending;
      r.stage = `Request sent (${e.method})`;
    } else if (e.stage === 'pending') {
      r.pending = { attempt: e.attempt, of: e.of, nextPollAt: e.nextPollAt };
      r.stage = 'Pending at the CA';
    } else if (e.stage === 'issued') {
      delete r.pending;
      r.stage = `Issued: serial ${e.serial}`;
    } else if (e.stage === 'ca-certificate') r.stage = 'Compare the CA fingerprint';
    this.requestUpdate();
  }

  private progressPanel(r: Run) {
    const steps = r.action === 'Enroll' ? ['Generating', 'Request sent', 'Pending', 'Issued'] : ['Fetching', 'Compare', 'accepted'];
    const current = steps.findIndex((s) => r.stage.includes(s));
    const secs = r.pending ? Math.max(0, Math.ceil((r.pending.nextPollAt - Date.now()) / 1000)) : 0;
    void this.tick;
    return html`<section class="card progress" aria-label=${`${r.action} ${r.name}`}>
      <h3>${r.action} ${r.name}</h3>
      <ol class="stages">
        ${steps.map((s, i) => html`<li aria-current=${i === current ? 'step' : 'false'}>${i < current || r.done === 'ok' ? '✓' : i === current ? '▶' : '○'} ${s}</li>`)}
      </ol>
      <p role="status" data-stage>${r.stage}</p>
      ${r.keygen ? html`<progress aria-label="Key generation"></progress>` : nothing}
      ${r.pending
        ? html`<p data-pending>Pending: next poll in <span data-countdown>${secs}</span> s (attempt ${r.pending.attempt} of ${r.pending.of}).</p>
            <progress aria-label="Next poll" max=${30} value=${Math.max(0, 30 - secs)}></progress>`
        : nothing}
      ${r.error ? html`<p class="error" role="alert" data-error>${r.error}</p>` : nothing}
      <div class="row">
        ${r.done ? html`<button @click=${() => (this.run = undefined)}>Close</button>` : html`<button class="danger" @click=${() => r.io.cancel()}>Cancel</button>`}
      </div>
      <details>
        <summary>Console output</summary>
        <pre class="code log">${r.log.join('\n')}</pre>
      </details>
    </section>`;
  }

  // ------------------------------------------------------------------ list

  private statusArea(t: TrustpointStatus) {
    const now = this.app!.clock();
    return html`<div class="status" data-status>
      ${t.certificate
        ? html`<div class=${t.valid ? 'ok' : 'error'}>${t.valid ? 'Certificate valid' : now > t.certificate.notAfter ? 'Certificate expired' : 'Certificate not yet valid'} until ${iosDate(t.certificate.notAfter)}</div>`
        : html`<div class="muted">No certificate</div>`}
      ${t.renewAt ? html`<div>Renews on ${iosDate(t.renewAt)}</div>` : nothing}
      ${t.pending ? html`<div class="warn">Request pending at the CA (poll ${t.pending.attempt} of ${t.pending.of})</div>` : nothing}
      ${t.auto?.nextTimer ? html`<div>Next timer${t.auto.nextKind ? ` (${t.auto.nextKind})` : ''}: ${iosDate(t.auto.nextTimer)}</div>` : nothing}
      ${t.auto?.lastAttempt ? html`<div>Last automatic attempt ${iosDate(t.auto.lastAttempt.at)}: ${t.auto.lastAttempt.result}</div>` : nothing}
    </div>`;
  }

  private demoCard() {
    const d = this.app!.demo;
    if (d.kind === 'unavailable')
      return html`<article class="card demo off" data-demo="unavailable">
        <h3>Demo CA not running</h3>
        <p>${d.reason}</p>
        <p class="muted">Trustpoint works without it; <code>lab/README.md</code> says how to start one.</p>
      </article>`;
    if (d.kind !== 'available') return nothing;
    const has = this.app!.running.trustpoints.has('DEMO');
    return html`<article class="card demo" data-demo="available">
      <h3>Demo CA</h3>
      <dl>
        <dt>CA</dt>
        <dd>${d.ca.caSubject || 'SCEP CA'}</dd>
        <dt>SCEP URL</dt>
        <dd>${d.ca.url}</dd>
        <dt>Fingerprint</dt>
        <dd>${d.ca.fingerprint.match(/.{8}/g)!.join(' ')}</dd>
      </dl>
      <div class="row mt">
        <button
          class="primary"
          @click=${async () => {
            try {
              const name = await demoTrustpoint(this.app!, new GuiInteraction());
              if (!this.app!.running.chains.get(name)?.certificates.some((c) => c.kind === 'ca')) await this.start(name, 'Authenticate');
              if (this.run?.done !== 'failed' && this.run?.done !== 'cancelled') await this.start(name, 'Enroll');
            } catch (e) {
              this.message = explain(e);
            }
          }}
        >
          ${has ? 'Enroll again from the demo CA' : 'Enroll from the demo CA'}
        </button>
      </div>
    </article>`;
  }

  override render() {
    const app = this.app;
    if (!app) return nothing;
    if (this.editing !== undefined && this.fields) return this.editor();
    const tps = listTrustpoints(app);
    const busy = !!this.run && !this.run.done;
    return html`
      ${this.demoCard()}
      <div class="row between">
        <h2>Trustpoints</h2>
        <button class="primary" @click=${() => this.edit(undefined)}>New trustpoint</button>
      </div>
      ${this.message ? html`<p role="status">${this.message}</p>` : nothing} ${this.run ? this.progressPanel(this.run) : nothing}
      ${tps.length === 0
        ? html`<p class="muted">No trustpoints yet. Press "New trustpoint" (or, in the console: <code>crypto pki trustpoint NAME</code>).</p>`
        : html`<div class="grid mt">
            ${tps.map(
              (t) => html`<article class="card" data-trustpoint=${t.name} aria-label=${`Trustpoint ${t.name}`}>
                <h3>${t.name}</h3>
                <dl>
                  <dt>Enrollment</dt>
                  <dd>${t.method}${t.url ? html` — ${t.url}` : nothing}</dd>
                  <dt>CA</dt>
                  <dd>${t.caAuthenticated ? t.ca || 'authenticated' : 'not authenticated'}</dd>
                  <dt>Subject</dt>
                  <dd>${t.subject}</dd>
                  <dt>Key pair</dt>
                  <dd>${t.keyPair}</dd>
                  <dt>Usage</dt>
                  <dd>${t.usage}</dd>
                  <dt>Auto-enroll</dt>
                  <dd>${t.autoEnroll}</dd>
                  <dt>CA fingerprint</dt>
                  <dd>${t.fingerprint}</dd>
                </dl>
                ${this.statusArea(t)}
                <div class="row mt">
                  <button @click=${() => this.edit(t.name)} aria-label=${`Edit ${t.name}`}>Edit</button>
                  <button ?disabled=${busy} @click=${() => this.start(t.name, 'Authenticate')}>Authenticate</button>
                  <button class="primary" ?disabled=${busy} @click=${() => this.start(t.name, 'Enroll')}>Enroll</button>
                </div>
              </article>`,
            )}
          </div>`}
      ${this.kioskCard(tps)}
    `;
  }

  private kioskCard(tps: TrustpointStatus[]) {
    if (!tps.length) return nothing;
    return html`<section class="card mt" aria-labelledby="kiosk-h">
      <h3 id="kiosk-h">Kiosk mode</h3>
      <p class="muted">A locked page for one trustpoint; leaving it needs the administrator PIN (only a PBKDF2 hash of it is stored).</p>
      <form
        class="row"
        @submit=${async (e: Event) => {
          e.preventDefault();
          const el = this.renderRoot.querySelector('#kpin') as HTMLInputElement;
          try {
            await setKioskPin(this.app!, el.value);
            this.message = 'Administrator PIN set.';
          } catch (err) {
            this.message = explain(err);
          }
          el.value = '';
        }}
      >
        <label for="kpin">Administrator PIN</label>
        <input id="kpin" type="password" inputmode="numeric" autocomplete="new-password" />
        <button type="submit">Set PIN</button>
      </form>
      <div class="row mt">${tps.map((t) => html`<a class="button" href=${`?kiosk=${encodeURIComponent(t.name)}`}>Open kiosk for ${t.name}</a>`)}</div>
    </section>`;
  }
}

customElements.define('tp-trustpoints', TpTrustpoints);

declare global {
  interface HTMLElementTagNameMap {
    'tp-trustpoints': TpTrustpoints;
  }
}
