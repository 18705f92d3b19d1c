/** Storage view: where NVRAM lives, whether the browser keeps it, and what it holds. */
import { LitElement, css, html, nothing } from 'lit';
import { iosTimestamp, storageInfo, type StorageView, type TrustpointApp } from '../app/services.ts';
import { palette, shared } from './theme.ts';

export class TpStorage extends LitElement {
  static override properties = {
    app: { attribute: false },
    revision: { type: Number },
    files: { state: true },
    capacity: { state: true },
    estimate: { state: true },
    error: { state: true },
  };
  declare app: TrustpointApp | undefined;
  declare revision: number;
  declare files: StorageView['files'];
  declare capacity: number;
  declare estimate: { usage: number; quota: number } | undefined;
  declare error: string;

  constructor() {
    super();
    this.revision = 0;
    this.files = [];
    this.error = '';
  }

  static override styles = [palette, shared, css`
    :host {
      display: block;
      font: 15px system-ui, sans-serif;
    }
    table {
      border-collapse: collapse;
    }
    td,
    th {
      text-align: left;
      padding: 4px 12px 4px 0;
    }
  `];

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('revision') || changed.has('app')) void this.refresh();
  }

  private async refresh() {
    if (!this.app) return;
    const info = await storageInfo(this.app);
    this.files = info.files;
    this.error = info.error ?? '';
    this.capacity = info.capacity;
    this.estimate = info.estimate;
  }

  override render() {
    const app = this.app;
    if (!app) return nothing;
    const p = app.persistState;
    return html`
      <h2>Storage (NVRAM)</h2>
      <p>
        ${!app.nvram.persistent
          ? html`<span class="warn">IndexedDB is not available: the configuration is kept in memory only and is lost on reload.</span>`
          : p === 'granted'
            ? 'The configuration is kept in IndexedDB, and the browser granted persistent storage.'
            : p === 'denied'
              ? html`<span class="warn">The configuration is kept in IndexedDB, but the browser did not grant persistent storage: it may evict it under storage pressure. Installing the app usually grants it.</span>`
              : 'The configuration is kept in IndexedDB.'}
      </p>
      ${this.error ? html`<p class="warn">${this.error}</p>` : nothing}
      <table>
        <tr><th>File</th><th>Bytes</th><th>Saved</th></tr>
        ${this.files.map((f) => html`<tr><td>${f.name}</td><td>${f.bytes}</td><td>${iosTimestamp(new Date(f.savedAt))}</td></tr>`)}
      </table>
      <p>NVRAM capacity ${this.capacity ?? 0} bytes.${this.estimate ? ` Origin storage in use: ${Math.round(this.estimate.usage / 1024)} KiB of ${Math.round(this.estimate.quota / 1048576)} MiB.` : ''}</p>
    `;
  }
}

customElements.define('tp-storage', TpStorage);

declare global {
  interface HTMLElementTagNameMap {
    'tp-storage': TpStorage;
  }
}
