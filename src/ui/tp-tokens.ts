/**
 * Tokens view: which routes to a PIV token this browser allows (and why not, and what the user
 * would need), the connected token, its keys, and the two actions that need a user gesture or a
 * PIN: "Connect token" (the browser's device chooser) and "Log in". Everything goes through the
 * TokenService (app/tokens.ts), the same service the console uses.
 *
 * @fires nothing; re-renders on `revision` (the shell bumps it when the console prints)
 */
import { LitElement, css, html, nothing } from 'lit';
import { palette, shared } from './theme.ts';
import type { TrustpointApp } from '../app/app.ts';
import type { Interaction } from '../app/interaction.ts';
import type { KeyRecord } from '../app/services.ts';
import type { TokenStatus } from '../app/tokens.ts';
import type { RouteReport } from '../token/detect.ts';
import { displayLabel } from '../app/keys.ts';

export class TpTokens extends LitElement {
  static override properties = {
    app: { attribute: false },
    revision: { type: Number },
    keys: { state: true },
    message: { state: true },
    busy: { state: true },
  };
  declare app: TrustpointApp | undefined;
  declare revision: number;
  declare keys: KeyRecord[];
  declare message: string;
  declare busy: boolean;

  constructor() {
    super();
    this.revision = 0;
    this.keys = [];
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
    .route {
      border: 1px solid var(--tp-border);
      border-radius: 6px;
      padding: 8px 12px;
      margin: 8px 0;
      max-width: 60rem;
    }
    .route.ok {
      border-color: var(--tp-ok);
    }
    .state {
      font-weight: 600;
    }
    .no {
      color: var(--tp-danger);
    }
    .yes {
      color: var(--tp-ok);
    }
    ul {
      margin: 4px 0 0 1.2em;
      padding: 0;
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
    .msg {
      white-space: pre-wrap;
      font-family: ui-monospace, monospace;
      font-size: 13px;
    }
  `,
  ];

  override willUpdate(changed: Map<string, unknown>): void {
    if ((changed.has('revision') || changed.has('app')) && this.app) void this.app.keys.list().then((k) => (this.keys = k.filter((x) => x.holder === 'token')));
  }

  private io(pin?: string): Interaction {
    const lines: string[] = [];
    const self = this;
    return {
      interactive: pin !== undefined,
      signal: new AbortController().signal,
      print(line) {
        lines.push(line);
        self.message = lines.join('\n');
      },
      async ask() {
        if (pin === undefined) throw new Error('no answer');
        return pin;
      },
      async confirm() {
        return false;
      },
    };
  }

  private async run(fn: () => Promise<void>): Promise<void> {
    this.busy = true;
    this.message = '';
    try {
      await fn();
    } catch (e) {
      this.message = (e as Error).message;
    } finally {
      this.busy = false;
      this.requestUpdate();
    }
  }

  private connect = () =>
    this.run(async () => {
      const s = await this.app!.tokens.connectInteractive();
      this.message = `Connected: ${s.description}`;
    });

  private login = () =>
    this.run(async () => {
      const input = this.renderRoot.querySelector<HTMLInputElement>('input[name=pin]');
      const pin = input?.value ?? '';
      if (input) input.value = '';
      await this.app!.tokens.login(this.io(pin));
    });

  private renderRoute(r: RouteReport) {
    return html`<div class="route ${r.available ? 'ok' : ''}" data-route=${r.route}>
      <div class="state">${r.title}: <span class=${r.available ? 'yes' : 'no'}>${r.available ? 'available' : 'not available'}</span></div>
      <div>${r.reason}</div>
      ${r.needs.length ? html`<ul>${r.needs.map((n) => html`<li>${n}</li>`)}</ul>` : nothing}
    </div>`;
  }

  private renderToken(s: TokenStatus | undefined) {
    if (!s) return html`<p>No token connected.</p>`;
    return html`<p>
      <b>usbtoken0:</b> ${s.description} via ${s.route === 'webusb-ccid' ? 'WebUSB (CCID)' : 'the Web Smart Card API'}; PIV ${s.info.label ?? ''}${s.info.version ? `, firmware ${s.info.version}` : ''}${s.info.serial !== undefined ? `, serial ${s.info.serial}` : ''};
      ${s.loggedIn ? 'logged in' : 'not logged in'}
    </p>`;
  }

  override render() {
    if (!this.app) return nothing;
    const t = this.app.tokens;
    const routes = t.routes();
    const why = t.whyUnavailable();
    const status = t.status();
    return html`<h2>Tokens</h2>
      ${why ? html`<p class="why" role="note">${why}</p>` : nothing}
      ${routes.map((r) => this.renderRoute(r))}
      <div class="route">WebHID, WebAuthn: cannot reach PIV keys (not usable for this).</div>
      <h3>Token</h3>
      ${this.renderToken(status)}
      <p>
        <button @click=${this.connect} ?disabled=${this.busy}>Connect token</button>
        <label>PIN <input name="pin" type="password" autocomplete="off" size="10" /></label>
        <button @click=${this.login} ?disabled=${this.busy}>Log in</button>
      </p>
      ${this.message ? html`<div class="msg" role="status">${this.message}</div>` : nothing}
      <h3>Keys on the token</h3>
      ${this.keys.length
        ? html`<table>
            <tr><th>Name</th><th>Type</th><th>Usage</th><th>Slot</th></tr>
            ${this.keys.map((k) => html`<tr><td>${displayLabel(k)}</td><td>${k.kind === 'rsa' ? `RSA ${k.bits}` : `EC ${k.curve}`}</td><td>${k.usage}</td><td>${k.device} ${k.slot}</td></tr>`)}
          </table>`
        : html`<p>None (<code>crypto key generate rsa label NAME modulus 2048 on usbtoken0:</code>).</p>`}`;
  }
}

customElements.define('tp-tokens', TpTokens);

declare global {
  interface HTMLElementTagNameMap {
    'tp-tokens': TpTokens;
  }
}
