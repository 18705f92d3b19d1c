/** Keys view: the key store (label, type, usage, where the private key is held). */
import { LitElement, css, html, nothing } from 'lit';
import { iosDate, listKeys, type KeyView, type TrustpointApp } from '../app/services.ts';
import { palette, shared } from './theme.ts';

export class TpKeys extends LitElement {
  static override properties = { app: { attribute: false }, revision: { type: Number }, keys: { state: true } };
  declare app: TrustpointApp | undefined;
  declare revision: number;
  declare keys: KeyView[];

  constructor() {
    super();
    this.revision = 0;
    this.keys = [];
  }

  static override styles = [palette, shared, css`
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
      border-bottom: 1px solid var(--tp-border);
    }
  `];

  override willUpdate(changed: Map<string, unknown>): void {
    if ((changed.has('revision') || changed.has('app')) && this.app) void listKeys(this.app).then((k) => (this.keys = k));
  }

  override render() {
    if (!this.app) return nothing;
    if (!this.keys.length) return html`<h2>Keys</h2><p>No keys yet (<code>crypto key generate rsa</code>, or let <code>crypto pki enroll</code> make them).</p>`;
    return html`<h2>Keys</h2>
      <table>
        <tr><th>Name</th><th>Type</th><th>Usage</th><th>Exportable</th><th>Held by</th><th>Generated</th></tr>
        ${this.keys.map(
          (k) => html`<tr>
            <td>${k.label}</td>
            <td>${k.type}</td>
            <td>${k.usage}</td>
            <td>${k.exportable ? 'yes' : 'no'}</td>
            <td>${k.holder}</td>
            <td>${iosDate(k.created)}</td>
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
