/**
 * The trustpoint list: the running-config's trustpoints and enrollment profiles as cards
 * (the console edits them; the list refreshes whenever the console prints), and — when the
 * start command brought up the demo CA — a one-press "Enroll from the demo CA" that types the
 * demo trustpoint's configuration, authenticate and enroll into the console.
 *
 * @fires tp-run-lines - detail: string[]; console lines to run
 */
import { LitElement, css, html, nothing } from 'lit';
import type { TrustpointApp } from '../app/app.ts';
import type { Trustpoint } from '../config/model.ts';
import { DEFAULTS, fqdnOf } from '../config/model.ts';
import { DEMO_TRUSTPOINT, demoLines } from '../app/demo.ts';

function enrollmentText(t: Trustpoint): string {
  const e = t.enrollment;
  if (!e) return 'Not configured';
  if (e.kind === 'url') return `SCEP / file: ${e.url}${t.raMode ? ' (RA mode)' : ''}`;
  if (e.kind === 'terminal') return `Cut-and-paste${e.pem ? ' (PEM)' : ''}`;
  if (e.kind === 'selfsigned') return 'Self-signed';
  if (e.kind === 'acme') return `ACME: ${e.directory}${e.eab ? ` (EAB ${e.eab.kid})` : ''}`;
  return `Enrollment profile ${e.label}`;
}

export class TpTrustpoints extends LitElement {
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
    .grid {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(300px, 1fr));
      gap: 12px;
    }
    article {
      border: 1px solid var(--tp-border, #d0d7e2);
      border-radius: 10px;
      padding: 12px 14px;
      background: var(--tp-card, #fff);
    }
    h3 {
      margin: 0 0 8px;
      font-size: 17px;
    }
    dl {
      display: grid;
      grid-template-columns: max-content 1fr;
      gap: 4px 12px;
      margin: 0;
    }
    dt {
      color: #5b6678;
    }
    dd {
      margin: 0;
      word-break: break-word;
    }
    .empty {
      color: #5b6678;
    }
    .demo {
      border-color: #16a34a;
      background: #f0fdf4;
      margin-bottom: 14px;
    }
    .demo.off {
      border-color: #d97706;
      background: #fffbeb;
    }
    .demo button {
      font: inherit;
      min-height: 48px;
      padding: 0 18px;
      border-radius: 8px;
      border: 0;
      background: #15803d;
      color: #fff;
      cursor: pointer;
      margin-top: 8px;
    }
  `;

  private demoCard() {
    const app = this.app!;
    const d = app.demo;
    if (d.kind === 'unavailable')
      return html`<article class="demo off" data-demo="unavailable">
        <h3>Demo CA not running</h3>
        <p>${d.reason}</p>
        <p class="empty">Trustpoint works without it; <code>lab/README.md</code> says how to start one.</p>
      </article>`;
    if (d.kind !== 'available') return nothing;
    const enrolled = app.running.chains.get(DEMO_TRUSTPOINT)?.certificates.some((c) => c.kind === 'general') ?? false;
    return html`<article class="demo" data-demo="available">
      <h3>Demo CA</h3>
      <dl>
        <dt>CA</dt>
        <dd>${d.ca.caSubject || 'SCEP CA'}</dd>
        <dt>SCEP URL</dt>
        <dd>${d.ca.url}</dd>
        <dt>Fingerprint</dt>
        <dd>${d.ca.fingerprint.match(/.{8}/g)!.join(' ')}</dd>
      </dl>
      <button
        @click=${() => this.dispatchEvent(new CustomEvent('tp-run-lines', { detail: demoLines(d.ca, app.running.hostname, enrolled), bubbles: true, composed: true }))}
      >
        ${enrolled ? 'Enroll again from the demo CA' : 'Enroll from the demo CA'}
      </button>
    </article>`;
  }

  override render() {
    const cfg = this.app?.running;
    if (!cfg) return nothing;
    const tps = [...cfg.trustpoints.values()];
    const profiles = [...cfg.profiles.values()];
    return html`
      ${this.demoCard()}
      <h2>Trustpoints</h2>
      ${tps.length === 0
        ? html`<p class="empty">No trustpoints yet. In the console: <code>configure terminal</code>, then <code>crypto pki trustpoint NAME</code>.</p>`
        : html`<div class="grid">
            ${tps.map(
              (t) => html`<article data-trustpoint=${t.name}>
                <h3>${t.name}</h3>
                <dl>
                  <dt>Enrollment</dt>
                  <dd>${enrollmentText(t)}</dd>
                  <dt>Subject</dt>
                  <dd>${t.subjectName ? t.subjectName : `${fqdnOf(cfg)} (default)`}</dd>
                  <dt>Key pair</dt>
                  <dd>${t.rsaKeypair ? `RSA ${t.rsaKeypair.label}${t.rsaKeypair.size ? ` (${t.rsaKeypair.size} bits)` : ''}` : t.ecKeypair ? `EC ${t.ecKeypair}` : `${fqdnOf(cfg)} (default)`}</dd>
                  <dt>Usage</dt>
                  <dd>${(t.usage ?? DEFAULTS.usage).join(', ')}</dd>
                  <dt>Auto-enroll</dt>
                  <dd>${t.autoEnroll ? `at ${t.autoEnroll.percent ?? 100}% of lifetime${t.autoEnroll.regenerate ? ', new key' : ''}` : 'off'}</dd>
                  <dt>CA fingerprint</dt>
                  <dd>${t.fingerprint ?? 'not pre-entered'}</dd>
                  <dt>CA certificate</dt>
                  <dd>${cfg.chains.get(t.name)?.certificates.some((c) => c.kind === 'ca') ? 'authenticated' : 'not authenticated'}</dd>
                </dl>
              </article>`,
            )}
          </div>`}
      ${profiles.length
        ? html`<h2>Enrollment profiles</h2>
            <div class="grid">
              ${profiles.map(
                (p) => html`<article>
                  <h3>${p.name}</h3>
                  <dl>
                    <dt>Authentication</dt>
                    <dd>${p.authentication?.kind === 'url' ? p.authentication.url : p.authentication ? 'terminal' : '—'} ${p.authenticationCommand ?? ''}</dd>
                    <dt>Enrollment</dt>
                    <dd>${p.enrollment?.kind === 'url' ? p.enrollment.url : p.enrollment ? 'terminal' : '—'}</dd>
                    <dt>Parameters</dt>
                    <dd>${[...p.parameters.entries()].map(([n, v]) => `$P${n} ${v.kind === 'value' ? '= ' + v.text : '(asked)'}`).join(', ') || '—'}</dd>
                  </dl>
                </article>`,
              )}
            </div>`
        : nothing}
    `;
  }
}

customElements.define('tp-trustpoints', TpTrustpoints);

declare global {
  interface HTMLElementTagNameMap {
    'tp-trustpoints': TpTrustpoints;
  }
}
