/**
 * The protocol inspector: the transcript `debug crypto pki messages` and `debug crypto pki
 * transactions` write (every SCEP request and reply decoded: operation, message type,
 * transactionID, nonces, status, failInfo, cipher, digest, recipients, signer), kept by the app
 * and copyable in one press for a CA administrator. Encrypted content — the request with its
 * challenge password, the issued certificate — is never in it.
 * The switches call the same service as `debug crypto pki …` / `undebug all`.
 */
import { LitElement, css, html } from 'lit';
import { setDebugging, type TrustpointApp } from '../app/services.ts';
import { palette, shared } from './theme.ts';

export class TpInspector extends LitElement {
  static override properties = { app: { attribute: false }, revision: { type: Number }, copied: { state: true } };
  declare app: TrustpointApp | undefined;
  declare revision: number;
  declare copied: string;

  constructor() {
    super();
    this.revision = 0;
    this.copied = '';
  }

  static override styles = [palette, shared, css`
    :host {
      display: flex;
      flex-direction: column;
      gap: 10px;
      height: 100%;
      font: 15px system-ui, sans-serif;
    }
    .bar {
      display: flex;
      flex-wrap: wrap;
      gap: 8px;
      align-items: center;
    }
    pre {
      flex: 1;
      min-height: 200px;
      margin: 0;
      padding: 10px;
      overflow: auto;
      background: #0b1220;
      color: #d1fae5;
      border-radius: 8px;
      font: 13px ui-monospace, 'DejaVu Sans Mono', monospace;
      white-space: pre-wrap;
      word-break: break-all;
    }
    .hint {
      color: var(--tp-muted);
      margin: 0;
    }
  `];

  private debugging(on: boolean) {
    setDebugging(this.app!, on);
    this.requestUpdate();
    this.dispatchEvent(new CustomEvent('tp-changed', { bubbles: true, composed: true }));
  }

  private async copy(text: string) {
    try {
      await navigator.clipboard.writeText(text);
      this.copied = `Copied ${text.split('\n').length} lines.`;
    } catch {
      // No clipboard permission (or an insecure context): select the text for Ctrl-C instead.
      const pre = this.renderRoot.querySelector('pre');
      if (pre) getSelection()?.selectAllChildren(pre);
      this.copied = 'The browser refused the clipboard: the transcript is selected, press Ctrl-C.';
    }
  }

  override render() {
    const app = this.app;
    if (!app) return html``;
    const log = app.debugLog.join('\n');
    const on = app.debug.messages || app.debug.transactions;
    return html`
      <h2>SCEP message inspector</h2>
      <div class="bar">
        ${on
          ? html`<button @click=${() => this.debugging(false)}>Stop debugging</button>`
          : html`<button class="primary" @click=${() => this.debugging(true)}>Start debugging</button>`}
        <button class="primary" ?disabled=${!log} @click=${() => this.copy(log)}>Copy transcript</button>
        <button
          ?disabled=${!log}
          @click=${() => {
            app.debugLog.length = 0;
            this.copied = '';
            this.requestUpdate();
          }}
        >
          Clear
        </button>
        <span role="status">${this.copied}</span>
      </div>
      <p class="hint">
        ${on ? 'Debugging is on' : 'Debugging is off'} (console: <code>debug crypto pki messages</code>, <code>debug crypto pki transactions</code>,
        <code>undebug all</code>). Encrypted content — challenge passwords, issued certificates — is never shown.
      </p>
      <pre tabindex="0" aria-label="Inspector transcript">${log || '(no SCEP messages yet)'}</pre>
    `;
  }
}

customElements.define('tp-inspector', TpInspector);

declare global {
  interface HTMLElementTagNameMap {
    'tp-inspector': TpInspector;
  }
}
