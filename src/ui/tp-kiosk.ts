/**
 * Kiosk mode (`/?kiosk=TRUSTPOINT`, or the manifest's "Kiosk" shortcut): a locked, touch-first
 * page for one trustpoint — a large status, enrollment started on open (through
 * `kioskEnroll`, the auto-enroller's slot), one Enroll/Retry button, questions (the challenge
 * password) in dialogs, no navigation and no console. Leaving needs the administrator PIN
 * (set beforehand in Trustpoints; only its PBKDF2 hash is stored). Offline it shows the last
 * known state and when it tries again.
 */
import { LitElement, css, html, nothing } from 'lit';
import { checkKioskPin, explain, hasKioskPin, iosDate, kioskEnroll, kioskStatus, listTrustpoints, noteKioskAttempt, type KioskStatus, type ProgressEvent, type TrustpointApp } from '../app/services.ts';
import { GuiInteraction } from './gui-interaction.ts';
import { palette, shared } from './theme.ts';

const RETRY_MS = 60_000;

export class TpKiosk extends LitElement {
  static override properties = {
    app: { attribute: false },
    trustpoint: { attribute: false },
    status: { state: true },
    working: { state: true },
    stage: { state: true },
    error: { state: true },
    exiting: { state: true },
    pinError: { state: true },
    online: { state: true },
  };
  declare app: TrustpointApp | undefined;
  declare trustpoint: string;
  declare status: KioskStatus | undefined;
  declare working: boolean;
  declare stage: string;
  declare error: string;
  declare exiting: boolean;
  declare pinError: string;
  declare online: boolean;
  private io: GuiInteraction | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private started = false;

  constructor() {
    super();
    this.trustpoint = '';
    this.working = false;
    this.stage = '';
    this.error = '';
    this.exiting = false;
    this.pinError = '';
    this.online = navigator.onLine;
  }

  static override styles = [
    palette,
    shared,
    css`
      :host {
        display: flex;
        flex-direction: column;
        align-items: center;
        justify-content: center;
        min-height: 100dvh;
        padding: 24px;
        box-sizing: border-box;
        text-align: center;
        background: var(--tp-bg);
      }
      .status {
        font-size: clamp(24px, 4.5vw, 44px);
        font-weight: 700;
        margin: 12px 0;
      }
      .sub {
        font-size: clamp(16px, 2.4vw, 22px);
      }
      button.big {
        min-height: 72px;
        min-width: 220px;
        font-size: 24px;
        margin: 18px;
      }
      .exit {
        position: fixed;
        right: 12px;
        bottom: 12px;
      }
      form {
        display: flex;
        flex-direction: column;
        gap: 8px;
        align-items: center;
      }
      input {
        font-size: 22px;
        text-align: center;
        width: 12ch;
      }
      progress {
        width: min(480px, 80vw);
        height: 16px;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    addEventListener('online', this.onNet);
    addEventListener('offline', this.onNet);
    document.title = 'Trustpoint kiosk';
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    removeEventListener('online', this.onNet);
    removeEventListener('offline', this.onNet);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.io?.cancel();
  }

  private onNet = () => {
    this.online = navigator.onLine;
    if (this.online && this.status && !this.status.valid && !this.working) void this.enroll();
  };

  private get name(): string {
    return this.trustpoint || listTrustpoints(this.app!)[0]?.name || '';
  }

  override willUpdate(): void {
    if (this.app && !this.started) {
      this.started = true;
      void this.refresh().then(() => {
        // enrollment starts on open (the auto-enroller's job once it exists)
        if (this.status?.exists && !this.status.valid) void this.enroll();
      });
    }
  }

  private async refresh(): Promise<void> {
    this.status = await kioskStatus(this.app!, this.name);
  }

  private async enroll(): Promise<void> {
    if (this.working || !this.status?.exists) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    // offline, a request cannot reach the CA: the 'online' event starts the next try
    if (!navigator.onLine) {
      this.online = false;
      return;
    }
    this.working = true;
    this.error = '';
    this.stage = 'Starting enrollment …';
    this.io = new GuiInteraction(undefined, (e: ProgressEvent) => {
      if (e.stage === 'keygen') this.stage = e.done ? 'Key ready' : 'Generating the key …';
      else if (e.stage === 'request') this.stage = 'Request sent to the CA …';
      else if (e.stage === 'pending') this.stage = `Waiting for the CA (check ${e.attempt} of ${e.of}) …`;
      else if (e.stage === 'issued') this.stage = 'Certificate issued';
    });
    try {
      await kioskEnroll(this.app!, this.io, this.name);
    } catch (e) {
      this.error = explain(e);
      const next = Date.now() + RETRY_MS;
      await noteKioskAttempt(this.app!, this.name, this.error, next).catch(() => undefined);
      if (!this.io.signal.aborted) this.retryTimer = setTimeout(() => void this.enroll(), RETRY_MS);
    } finally {
      this.working = false;
      this.stage = '';
      await this.refresh();
    }
  }

  /** Full screen needs a user gesture: the first press on the page asks for it. */
  private fullscreen(): void {
    if (!document.fullscreenElement) void document.documentElement.requestFullscreen?.().catch(() => undefined);
  }

  private async exit(e: Event): Promise<void> {
    e.preventDefault();
    const input = this.renderRoot.querySelector('#pin') as HTMLInputElement;
    const pin = input.value;
    input.value = '';
    if (!(await hasKioskPin(this.app!))) {
      this.pinError = 'No administrator PIN was set: kiosk mode cannot be left from here.';
      return;
    }
    if (!(await checkKioskPin(this.app!, pin))) {
      this.pinError = 'Wrong PIN.';
      return;
    }
    this.io?.cancel();
    location.href = location.pathname;
  }

  override render() {
    const s = this.status;
    if (!this.app || !s) return html`<p role="status">Loading …</p>`;
    const last = s.lastAttempt;
    return html`
      <h1 class="sub">Trustpoint ${s.name}</h1>
      <p class="status ${s.valid ? 'ok' : 'error'}" role="status" data-kiosk-status>${s.text}</p>
      ${this.working ? html`<p class="sub" aria-live="polite">${this.stage}</p><progress aria-label="Enrollment in progress"></progress>` : nothing}
      ${this.error ? html`<p class="sub error" role="alert">${this.error}</p>` : nothing}
      ${!this.online ? html`<p class="sub warn" data-kiosk-offline>Offline: showing the last known state.${s.valid ? '' : ' Enrollment is tried again as soon as the network is back.'}</p>` : nothing}
      ${last && !s.valid ? html`<p class="muted" data-kiosk-last>Last attempt ${iosDate(new Date(last.at))}${s.nextTry && !this.working && this.online ? `; next try ${iosDate(new Date(s.nextTry))}` : ''}.</p>` : nothing}
      ${s.exists ? html`<button class="big primary" ?disabled=${this.working} @click=${() => (this.fullscreen(), this.enroll())}>${s.valid ? 'Enroll' : last ? 'Retry' : 'Enroll'}</button>` : nothing}
      ${this.exiting
        ? html`<form @submit=${this.exit}>
            <label for="pin">Administrator PIN</label>
            <input id="pin" type="password" inputmode="numeric" autocomplete="off" />
            <div class="row">
              <button type="submit" class="primary">Leave kiosk mode</button>
              <button type="button" @click=${() => ((this.exiting = false), (this.pinError = ''))}>Stay</button>
            </div>
            <p class="error" role="alert">${this.pinError}</p>
          </form>`
        : html`<button class="exit" @click=${() => ((this.exiting = true), this.updateComplete.then(() => (this.renderRoot.querySelector('#pin') as HTMLInputElement)?.focus()))}>Exit kiosk mode</button>`}
    `;
  }
}

customElements.define('tp-kiosk', TpKiosk);

declare global {
  interface HTMLElementTagNameMap {
    'tp-kiosk': TpKiosk;
  }
}
