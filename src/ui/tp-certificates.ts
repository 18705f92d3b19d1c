/** Certificates view: each trustpoint's certificates (own, CA, RA) with status and validity; PEM download. */
import { LitElement, css, html, nothing } from 'lit';
import type { TrustpointApp } from '../app/app.ts';
import { chainEntries } from '../app/certs.ts';
import { writePem } from '../app/surface.ts';
import { iosDate } from '../util/time.ts';

export class TpCertificates extends LitElement {
  static override properties = { app: { attribute: false }, revision: { type: Number } };
  declare app: TrustpointApp | undefined;
  declare revision: number;

  constructor() {
    super();
    this.revision = 0;
  }

  static override styles = css`
    :host {
      display: block;
      font: 15px system-ui, sans-serif;
    }
    article {
      border: 1px solid var(--tp-border, #d0d7e2);
      border-radius: 10px;
      padding: 10px 14px;
      margin: 0 0 10px;
      background: #fff;
    }
    h3 {
      margin: 0 0 6px;
      font-size: 16px;
    }
    dl {
      display: grid;
      grid-template-columns: max-content 1fr;
      gap: 3px 12px;
      margin: 0;
    }
    dt {
      color: #5b6678;
    }
    dd {
      margin: 0;
      word-break: break-word;
    }
    .bad {
      color: #9a3412;
    }
    a {
      font-size: 14px;
    }
  `;

  private pemUrl(der: Uint8Array): string {
    return URL.createObjectURL(new Blob([writePem('CERTIFICATE', der)], { type: 'application/x-pem-file' }));
  }

  override render() {
    const app = this.app;
    if (!app) return nothing;
    const cfg = app.running;
    const now = app.clock();
    const groups = [...cfg.trustpoints.keys()].map((name) => ({ name, entries: chainEntries(cfg, name) })).filter((g) => g.entries.length);
    if (!groups.length) return html`<h2>Certificates</h2><p>No certificates yet: authenticate a CA and enroll a trustpoint (<code>crypto pki authenticate</code>, <code>crypto pki enroll</code>).</p>`;
    return html`<h2>Certificates</h2>
      ${groups.map(
        (g) => html`<h3>Trustpoint ${g.name}</h3>
          ${g.entries.map((e) => {
            const s = e.summary;
            const status = now > s.notAfter ? 'Expired' : now < s.notBefore ? 'Not yet valid' : 'Available';
            const kind = e.cert.kind === 'ca' ? 'CA certificate' : e.cert.kind === 'self-signed' ? 'Self-signed certificate' : e.cert.kind.startsWith('ra-') ? 'RA certificate' : 'Certificate';
            return html`<article data-serial=${s.serial}>
              <h3>${kind}</h3>
              <dl>
                <dt>Status</dt>
                <dd class=${status === 'Available' ? '' : 'bad'}>${status}</dd>
                <dt>Subject</dt>
                <dd>${s.subject.map((a) => `${a.short}=${a.value}`).join(', ')}</dd>
                <dt>Issuer</dt>
                <dd>${s.issuer.map((a) => `${a.short}=${a.value}`).join(', ')}</dd>
                <dt>Serial</dt>
                <dd>${s.serial}</dd>
                <dt>Valid</dt>
                <dd>${iosDate(s.notBefore)} — ${iosDate(s.notAfter)}</dd>
                <dt>Key</dt>
                <dd>${s.publicKey.kind === 'rsa' ? `RSA ${s.publicKey.bits} bits` : s.publicKey.kind === 'ec' ? `EC ${s.publicKey.curve}` : s.publicKey.oid}</dd>
              </dl>
              <a href=${this.pemUrl(e.cert.der)} download=${`${g.name}-${s.serial}.pem`}>Download PEM</a>
            </article>`;
          })}`,
      )}`;
  }
}

customElements.define('tp-certificates', TpCertificates);

declare global {
  interface HTMLElementTagNameMap {
    'tp-certificates': TpCertificates;
  }
}
