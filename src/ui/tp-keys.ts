/** Keys view: the key store (label, type, usage, where the private key is held). */
import { LitElement, css, html, nothing } from 'lit';
import type { TrustpointApp } from '../app/app.ts';
import type { KeyRecord } from '../app/surface.ts';
import { displayLabel } from '../app/keys.ts';
import { iosDate } from '../util/time.ts';

export class TpKeys extends LitElement {
  static override properties = { app: { attribute: false }, revision: { type: Number }, keys: { state: true } };
  declare app: TrustpointApp | undefined;
  declare revision: number;
  declare keys: KeyRecord[];

  constructor() {
    super();
    this.revision = 0;
    this.keys = [];
  }

  static override styles = css`
    :host {
      display: block;
      font: 15px system-ui, sans-serif;
    }
    table {
      border-collapse: collapse;
    }
    th,
    td {
      text-align: left;
      padding: 5px 14px 5px 0;
      border-bottom: 1px solid #e2e8f0;
    }
  `;

  override willUpdate(changed: Map<string, unknown>): void {
    if ((changed.has('revision') || changed.has('app')) && this.app) void this.app.keys.list().then((k) => (this.keys = k));
  }

  override render() {
    if (!this.app) return nothing;
    if (!this.keys.length) return html`<h2>Keys</h2><p>No keys yet (<code>crypto key generate rsa</code>, or let <code>crypto pki enroll</code> make them).</p>`;
    return html`<h2>Keys</h2>
      <table>
        <tr><th>Name</th><th>Type</th><th>Usage</th><th>Exportable</th><th>Held by</th><th>Generated</th></tr>
        ${this.keys.map(
          (k) => html`<tr>
            <td>${displayLabel(k)}</td>
            <td>${k.kind === 'rsa' ? `RSA ${k.bits}` : `EC ${k.curve}`}</td>
            <td>${k.usage}</td>
            <td>${k.exportable ? 'yes' : 'no'}</td>
            <td>${k.holder === 'token' ? `token ${k.device} slot ${k.slot}` : k.holder === 'webcrypto' ? 'browser key store (non-extractable)' : 'Trustpoint core'}</td>
            <td>${iosDate(new Date(k.createdAt))}</td>
          </tr>`,
        )}
      </table>`;
  }
}

customElements.define('tp-keys', TpKeys);

declare global {
  interface HTMLElementTagNameMap {
    'tp-keys': TpKeys;
  }
}
