/**
 * Certificates: the lifetime timeline of every certificate the app holds (an SVG and a table
 * saying the same for screen readers), the stored certificates, and the viewer for any file
 * dropped, opened or pasted (PEM, DER, base64, PKCS#7, CSR, PKCS#12 with its password): subject,
 * issuer, serial, validity, SAN, key usage, EKU, every extension, fingerprints, the chain path
 * with its validation result; downloads as PEM and DER, PKCS#12 export (AES-256 or 3DES) of a
 * trustpoint with an exportable key, and PKCS#12 import into a trustpoint.
 */
import { LitElement, css, html, nothing, svg } from 'lit';
import {
  certificateDetails,
  encodeCertificate,
  explain,
  exportTrustpointPkcs12,
  importPkcs12,
  inspectData,
  iosDate,
  storedCertificates,
  timeline,
  type CertificateDetails,
  type Inspection,
  type TimelineEntry,
  type TrustpointApp,
} from '../app/services.ts';
import { GuiInteraction } from './gui-interaction.ts';
import { palette, shared } from './theme.ts';

const DAY = 86_400_000;

export class TpCertificates extends LitElement {
  static override properties = {
    app: { attribute: false },
    revision: { type: Number },
    inspected: { state: true },
    fileName: { state: true },
    details: { state: true },
    message: { state: true },
    busy: { state: true },
  };
  declare app: TrustpointApp | undefined;
  declare revision: number;
  declare inspected: Inspection | undefined;
  declare fileName: string;
  /** stored certificate details, by index, when expanded */
  declare details: Map<number, CertificateDetails>;
  declare message: string;
  declare busy: boolean;
  private data: Uint8Array | undefined;
  private urls: string[] = [];

  constructor() {
    super();
    this.revision = 0;
    this.fileName = '';
    this.details = new Map();
    this.message = '';
    this.busy = false;
  }

  static override styles = [
    palette,
    shared,
    css`
      :host {
        display: block;
      }
      section {
        margin-bottom: 18px;
      }
      .cert {
        margin: 10px 0;
      }
      .fp {
        font: 14px ui-monospace, 'DejaVu Sans Mono', monospace;
        word-break: break-all;
      }
      textarea {
        width: 100%;
        min-height: 110px;
      }
      svg {
        width: 100%;
        height: auto;
        background: var(--tp-card);
        border: 1px solid var(--tp-border);
        border-radius: 8px;
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
      .legend span {
        display: inline-flex;
        align-items: center;
        gap: 4px;
        margin-right: 12px;
      }
      .sw {
        width: 14px;
        height: 14px;
        border-radius: 3px;
        display: inline-block;
      }
      .valid {
        fill: #16a34a;
        background: #16a34a;
      }
      .expiring {
        fill: #d97706;
        background: #d97706;
      }
      .expired {
        fill: #dc2626;
        background: #dc2626;
      }
      .rollover,
      .not-yet-valid {
        fill: #6366f1;
        background: #6366f1;
      }
      .ok-box {
        border-left: 4px solid var(--tp-ok);
        padding-left: 8px;
      }
      .bad-box {
        border-left: 4px solid var(--tp-danger);
        padding-left: 8px;
      }
    `,
  ];

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const u of this.urls) URL.revokeObjectURL(u);
  }

  /** Shows a file (dropped, opened with the app, or chosen). */
  async open(name: string, data: Uint8Array, password?: string): Promise<void> {
    this.fileName = name;
    this.data = data;
    this.busy = true;
    this.message = '';
    try {
      this.inspected = await inspectData(this.app!, data, { name, ...(password !== undefined ? { password } : {}) });
    } finally {
      this.busy = false;
    }
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('#viewer-h')?.focus();
  }

  private certUrls = new WeakMap<Uint8Array, Map<string, string>>();

  /** One object URL per certificate and format (not one per render). */
  private certUrl(der: Uint8Array, format: 'pem' | 'der'): string {
    let m = this.certUrls.get(der);
    if (!m) this.certUrls.set(der, (m = new Map()));
    let u = m.get(format);
    if (!u) m.set(format, (u = this.url(encodeCertificate(der, format), format === 'pem' ? 'application/x-pem-file' : 'application/pkix-cert')));
    return u;
  }

  private url(data: Uint8Array, mime: string): string {
    const u = URL.createObjectURL(new Blob([data as Uint8Array<ArrayBuffer>], { type: mime }));
    this.urls.push(u);
    return u;
  }

  private certView(d: CertificateDetails, base: string) {
    const list = (xs: string[]) => (xs.length ? xs.join(', ') : '—');
    return html`<article class="card cert" aria-label=${`Certificate ${d.subject}`}>
      <h3>${d.subject}</h3>
      <dl>
        <dt>Subject</dt>
        <dd data-field="subject">${d.subject}</dd>
        <dt>Issuer</dt>
        <dd data-field="issuer">${d.issuer}</dd>
        <dt>Serial</dt>
        <dd data-field="serial">${d.serial}</dd>
        <dt>Valid from</dt>
        <dd>${iosDate(d.notBefore)}</dd>
        <dt>Valid until</dt>
        <dd data-field="not-after">${iosDate(d.notAfter)}</dd>
        <dt>Key</dt>
        <dd>${d.key}</dd>
        <dt>Signature</dt>
        <dd>${d.signatureAlgorithm}</dd>
        <dt>Subject alternative names</dt>
        <dd data-field="san">${list(d.san)}</dd>
        <dt>Key usage</dt>
        <dd>${list(d.keyUsage)}</dd>
        <dt>Extended key usage</dt>
        <dd>${list(d.extendedKeyUsage)}</dd>
        <dt>Extensions</dt>
        <dd>${d.extensions.length ? d.extensions.map((e) => `${e.name}${e.critical ? ' (critical)' : ''}`).join(', ') : '—'}</dd>
        <dt>SHA-256</dt>
        <dd class="fp" data-field="sha256">${d.fingerprints.sha256}</dd>
        <dt>SHA-1</dt>
        <dd class="fp">${d.fingerprints.sha1}</dd>
        <dt>MD5</dt>
        <dd class="fp">${d.fingerprints.md5}</dd>
        <dt>Chain</dt>
        <dd>${d.path.join(' → ')}</dd>
        <dt>Validation</dt>
        <dd class=${d.validationOk ? 'ok' : 'error'} data-field="validation">${d.validation}</dd>
      </dl>
      <div class="row mt">
        <a class="button" href=${this.certUrl(d.der, 'pem')} download=${`${base}.pem`}>Download PEM</a>
        <a class="button" href=${this.certUrl(d.der, 'der')} download=${`${base}.cer`}>Download DER</a>
      </div>
    </article>`;
  }

  private viewer() {
    const i = this.inspected;
    const app = this.app!;
    const base = this.fileName.replace(/\.[^.]*$/, '') || 'certificate';
    return html`<section aria-labelledby="viewer-h">
      <h2 id="viewer-h" tabindex="-1">Certificate viewer</h2>
      <div class="row">
        <label for="file" class="button">Open a file…</label>
        <input
          id="file"
          class="sr-only"
          type="file"
          accept=".pem,.cer,.crt,.der,.p7b,.p7c,.p12,.pfx,.csr,.req,.txt"
          @change=${async (e: Event) => {
            const input = e.target as HTMLInputElement;
            const f = input.files?.[0];
            input.value = '';
            if (f) await this.open(f.name, new Uint8Array(await f.arrayBuffer()));
          }}
        />
        <span class="muted">or drop a file anywhere on the app, or paste below.</span>
      </div>
      <label for="paste" class="block mt">Paste PEM or base64</label>
      <textarea id="paste"></textarea>
      <div class="row"><button @click=${() => this.open('pasted.pem', new TextEncoder().encode((this.renderRoot.querySelector('#paste') as HTMLTextAreaElement).value))}>Show</button></div>
      ${this.busy ? html`<p role="status">Reading ${this.fileName} …</p>` : nothing}
      ${!i
        ? nothing
        : html`<div class="mt">
            <p><strong>${i.source}</strong></p>
            ${i.kind === 'needs-password'
              ? html`<form
                  class="row"
                  @submit=${(e: Event) => {
                    e.preventDefault();
                    void this.open(this.fileName, this.data!, (this.renderRoot.querySelector('#p12pw') as HTMLInputElement).value);
                  }}
                >
                  <label for="p12pw">PKCS #12 password</label>
                  <input id="p12pw" type="password" autocomplete="off" />
                  <button class="primary" type="submit">Open</button>
                </form>`
              : i.kind === 'other'
                ? html`<p class="error" role="alert">${i.message}</p>`
                : i.kind === 'private-key'
                  ? html`<p class="error" role="alert">% This is a private key: Trustpoint imports keys only inside PKCS #12 files (with their certificate).</p>`
                  : i.kind === 'csr'
                    ? html`<article class="card">
                        <h3>Certificate request</h3>
                        <dl>
                          <dt>Subject</dt>
                          <dd>${i.subject}</dd>
                          <dt>Key</dt>
                          <dd>${i.key}</dd>
                          <dt>Subject alternative names</dt>
                          <dd>${i.san.join(', ') || '—'}</dd>
                          <dt>Signature</dt>
                          <dd class=${i.signatureOk ? 'ok' : 'error'}>${i.signatureOk ? 'verifies' : 'does not verify'}</dd>
                          <dt>Challenge password</dt>
                          <dd>${i.challenge ? 'present (not shown)' : 'none'}</dd>
                        </dl>
                      </article>`
                    : html`${i.kind === 'pkcs12'
                          ? html`<p>PKCS #12 file: ${i.hasKey ? 'a private key' : 'no private key'} and ${i.certificates.length} certificate(s).${i.warnings.map((w) => html`<br /><span class="warn">${w}</span>`)}</p>
                              ${i.hasKey ? this.importForm() : nothing}`
                          : nothing}
                        ${i.certificates.map((c, n) => this.certView(c, i.certificates.length > 1 ? `${base}-${n + 1}` : base))}`}
          </div>`}
      ${this.message ? html`<p role="status" data-message>${this.message}</p>` : nothing}
    </section>`;
    void app;
  }

  private importForm() {
    return html`<form
      class="row card"
      @submit=${async (e: Event) => {
        e.preventDefault();
        const name = (this.renderRoot.querySelector('#imp-tp') as HTMLInputElement).value.trim();
        const pw = (this.renderRoot.querySelector('#p12pw-imp') as HTMLInputElement).value;
        try {
          await importPkcs12(this.app!, new GuiInteraction(), name, this.data!, pw, this.fileName);
          this.message = `Imported into trustpoint ${name}.`;
          this.dispatchEvent(new CustomEvent('tp-changed', { bubbles: true, composed: true }));
        } catch (err) {
          this.message = explain(err);
        }
      }}
    >
      <label for="imp-tp">Import into trustpoint</label>
      <input id="imp-tp" required />
      <label for="p12pw-imp">Password</label>
      <input id="p12pw-imp" type="password" autocomplete="off" />
      <button type="submit">Import</button>
    </form>`;
  }

  private exportForm(name: string) {
    const id = `exp-${name}`;
    return html`<form
      class="row"
      aria-label=${`Export ${name} as PKCS #12`}
      @submit=${async (e: Event) => {
        e.preventDefault();
        const pw = (this.renderRoot.querySelector(`#${id}-pw`) as HTMLInputElement).value;
        const alg = (this.renderRoot.querySelector(`#${id}-alg`) as HTMLSelectElement).value as 'aes' | '3des';
        try {
          const data = await exportTrustpointPkcs12(this.app!, new GuiInteraction(), name, pw, alg);
          const a = document.createElement('a');
          a.href = this.url(data, 'application/x-pkcs12');
          a.download = `${name}.p12`;
          this.renderRoot.append(a);
          a.click();
          a.remove();
          this.message = `${name}.p12 exported (${alg === 'aes' ? 'AES-256' : '3DES'}).`;
        } catch (err) {
          this.message = explain(err);
        }
      }}
    >
      <label for=${`${id}-pw`}>Export password</label>
      <input id=${`${id}-pw`} type="password" autocomplete="new-password" />
      <label for=${`${id}-alg`}>Encryption</label>
      <select id=${`${id}-alg`}>
        <option value="aes">AES-256 (modern)</option>
        <option value="3des">3DES (old readers)</option>
      </select>
      <button type="submit">Download PKCS #12</button>
    </form>`;
  }

  private stored() {
    const app = this.app!;
    const list = storedCertificates(app);
    if (!list.length) return html`<p class="muted">No stored certificates yet: authenticate a CA and enroll a trustpoint.</p>`;
    const now = app.clock();
    return html`${list.map((c, n) => {
      const s = c.summary;
      const status = now > s.notAfter ? 'Expired' : now < s.notBefore ? 'Not yet valid' : 'Available';
      const kind = c.kind === 'ca' ? 'CA certificate' : c.kind === 'self-signed' ? 'Self-signed certificate' : c.kind.startsWith('ra-') ? 'RA certificate' : c.kind === 'ca-rollover' ? 'CA rollover certificate' : 'Certificate';
      const d = this.details.get(n);
      const own = c.kind === 'general' || c.kind === 'self-signed';
      return html`<article class="card cert" data-serial=${s.serial} aria-label=${`${kind} ${s.serial} of ${c.trustpoint}`}>
        <h3>${kind} — trustpoint ${c.trustpoint}</h3>
        <dl>
          <dt>Status</dt>
          <dd class=${status === 'Available' ? 'ok' : 'error'}>${status}</dd>
          <dt>Subject</dt>
          <dd>${s.subject.map((a) => `${a.short}=${a.value}`).join(', ') || '(empty)'}</dd>
          <dt>Valid</dt>
          <dd>${iosDate(s.notBefore)} — ${iosDate(s.notAfter)}</dd>
        </dl>
        <div class="row mt">
          <button
            aria-expanded=${d ? 'true' : 'false'}
            @click=${async () => {
              const m = new Map(this.details);
              if (m.has(n)) m.delete(n);
              else m.set(n, await certificateDetails(app, c.der));
              this.details = m;
            }}
          >
            ${d ? 'Hide details' : 'Details'}
          </button>
          <a class="button" href=${this.certUrl(c.der, 'pem')} download=${`${c.trustpoint}-${s.serial}.pem`}>Download PEM</a>
          <a class="button" href=${this.certUrl(c.der, 'der')} download=${`${c.trustpoint}-${s.serial}.cer`}>Download DER</a>
        </div>
        ${own ? this.exportForm(c.trustpoint) : nothing} ${d ? this.certView(d, `${c.trustpoint}-${s.serial}`) : nothing}
      </article>`;
    })}`;
  }

  override render() {
    if (!this.app) return nothing;
    return html`${this.viewer()}
      <section aria-labelledby="tl-h">
        <h2 id="tl-h">Lifetime timeline</h2>
        ${renderTimeline(timeline(this.app), this.app.clock())}
      </section>
      <section aria-labelledby="stored-h">
        <h2 id="stored-h">Stored certificates</h2>
        ${this.stored()}
      </section>`;
  }
}

const STATE_TEXT: Record<TimelineEntry['state'], string> = {
  valid: 'valid',
  expiring: 'expiring soon',
  expired: 'expired',
  'not-yet-valid': 'not yet valid',
  rollover: 'rollover',
};

/** The SVG picture and the table with the same facts. */
export function renderTimeline(items: TimelineEntry[], now: Date) {
  if (!items.length) return html`<p class="muted">No certificates to show.</p>`;
  const t0 = Math.min(now.getTime() - 7 * DAY, ...items.map((i) => i.notBefore.getTime()));
  const t1 = Math.max(now.getTime() + 7 * DAY, ...items.map((i) => i.notAfter.getTime()));
  const W = 800;
  const L = 170;
  const rowH = 26;
  const H = 30 + items.length * rowH + 10;
  const x = (t: number) => L + ((t - t0) / (t1 - t0)) * (W - L - 10);
  const years: number[] = [];
  for (let y = new Date(t0).getUTCFullYear() + 1; Date.UTC(y, 0, 1) < t1; y++) years.push(y);
  const step = Math.max(1, Math.ceil(years.length / 8));
  return html`
    <div class="legend" aria-hidden="true">
      <span><i class="sw valid"></i>valid</span><span><i class="sw expiring"></i>expiring / past renew point</span><span><i class="sw expired"></i>expired</span
      ><span><i class="sw rollover"></i>rollover / not yet valid</span><span>◆ renew point</span><span>│ now</span>
    </div>
    <svg viewBox="0 0 ${W} ${H}" role="img" aria-label="Certificate lifetimes, described in the table below" data-timeline>
      ${years.filter((_, i) => i % step === 0).map((y) => {
        const xx = x(Date.UTC(y, 0, 1));
        return svg`<line x1=${xx} x2=${xx} y1="18" y2=${H - 6} stroke="currentColor" stroke-opacity="0.15"></line><text x=${xx + 2} y="14" font-size="11" fill="currentColor">${y}</text>`;
      })}
      ${items.map((it, i) => {
        const y = 26 + i * rowH;
        const a = x(it.notBefore.getTime());
        const b = x(it.notAfter.getTime());
        return svg`<text x="4" y=${y + 13} font-size="12" fill="currentColor">${`${it.trustpoint} ${it.label}`.slice(0, 26)}</text>
          <rect class=${it.state} x=${a} y=${y} width=${Math.max(2, b - a)} height="16" rx="3"><title>${it.subject}: ${iosDate(it.notBefore)} – ${iosDate(it.notAfter)}</title></rect>
          ${it.renewAt ? svg`<path d="M ${x(it.renewAt.getTime())} ${y - 3} l 6 11 l -6 11 l -6 -11 z" fill="currentColor"></path>` : nothing}`;
      })}
      <line x1=${x(now.getTime())} x2=${x(now.getTime())} y1="18" y2=${H - 4} stroke="currentColor" stroke-width="2"></line>
      <text x=${x(now.getTime()) + 3} y=${H - 6} font-size="11" fill="currentColor">now</text>
    </svg>
    <table data-timeline-table>
      <caption class="sr-only">
        Certificate lifetimes
      </caption>
      <thead>
        <tr>
          <th scope="col">Trustpoint</th>
          <th scope="col">Certificate</th>
          <th scope="col">Subject</th>
          <th scope="col">Valid from</th>
          <th scope="col">Valid until</th>
          <th scope="col">Renews on</th>
          <th scope="col">State</th>
        </tr>
      </thead>
      <tbody>
        ${items.map(
          (it) => html`<tr>
            <td>${it.trustpoint}</td>
            <td>${it.label}</td>
            <td>${it.subject}</td>
            <td>${iosDate(it.notBefore)}</td>
            <td>${iosDate(it.notAfter)}</td>
            <td>${it.renewAt ? iosDate(it.renewAt) : '—'}</td>
            <td>${STATE_TEXT[it.state]}</td>
          </tr>`,
        )}
      </tbody>
    </table>
  `;
}

customElements.define('tp-certificates', TpCertificates);

declare global {
  interface HTMLElementTagNameMap {
    'tp-certificates': TpCertificates;
  }
}
