/**
 * Shared look: colours as custom properties (light and dark through prefers-color-scheme,
 * contrast ≥ 4.5:1 for text), 44 px touch targets, focus rings. Views add `shared` to their
 * styles; tp-app defines the properties.
 */
import { css } from 'lit';

export const palette = css`
  :host {
    --tp-bg: #f1f5f9;
    --tp-fg: #0f172a;
    --tp-card: #ffffff;
    --tp-border: #94a3b8;
    --tp-muted: #475569;
    --tp-accent: #1d4ed8;
    --tp-accent-fg: #ffffff;
    --tp-danger: #b91c1c;
    --tp-ok: #15803d;
    --tp-warn: #854d0e;
    --tp-ok-bg: #f0fdf4;
    --tp-warn-bg: #fffbeb;
    --tp-bad-bg: #fef2f2;
    --tp-code-bg: #0b1220;
    --tp-code-fg: #d7e3f4;
    --tp-header: #0f2a4a;
    --tp-header-fg: #f8fafc;
    color-scheme: light dark;
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --tp-bg: #0b1220;
      --tp-fg: #e2e8f0;
      --tp-card: #111a2e;
      --tp-border: #64748b;
      --tp-muted: #a8b4c6;
      --tp-accent: #93c5fd;
      --tp-accent-fg: #0b1220;
      --tp-danger: #fca5a5;
      --tp-ok: #86efac;
      --tp-warn: #fcd34d;
      --tp-ok-bg: #0f2a1c;
      --tp-warn-bg: #2a2108;
      --tp-bad-bg: #2a0f12;
      --tp-code-bg: #020617;
      --tp-code-fg: #d7e3f4;
      --tp-header: #020617;
      --tp-header-fg: #f8fafc;
    }
  }
`;

export const shared = css`
  :host {
    font: 15px system-ui, -apple-system, 'Segoe UI', sans-serif;
    color: var(--tp-fg);
  }
  button,
  .button {
    font: inherit;
    min-height: 44px;
    min-width: 44px;
    padding: 0 16px;
    border-radius: 8px;
    border: 1px solid var(--tp-border);
    background: var(--tp-card);
    color: var(--tp-fg);
    cursor: pointer;
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: 6px;
    text-decoration: none;
  }
  button.primary,
  .button.primary {
    background: var(--tp-accent);
    border-color: var(--tp-accent);
    color: var(--tp-accent-fg);
  }
  button.danger {
    color: var(--tp-danger);
    border-color: var(--tp-danger);
  }
  button:disabled {
    opacity: 0.55;
    cursor: not-allowed;
  }
  button:focus-visible,
  .button:focus-visible,
  input:focus-visible,
  select:focus-visible,
  textarea:focus-visible,
  summary:focus-visible {
    outline: 3px solid var(--tp-accent);
    outline-offset: 2px;
  }
  input,
  select,
  textarea {
    font: inherit;
    min-height: 44px;
    box-sizing: border-box;
    padding: 6px 10px;
    border-radius: 8px;
    border: 1px solid var(--tp-border);
    background: var(--tp-card);
    color: var(--tp-fg);
  }
  input[type='checkbox'],
  input[type='radio'] {
    min-height: 24px;
    width: 24px;
    height: 24px;
    margin: 10px;
  }
  summary {
    min-height: 44px;
    display: flex;
    align-items: center;
    cursor: pointer;
  }
  textarea {
    font-family: ui-monospace, 'DejaVu Sans Mono', monospace;
  }
  .card {
    border: 1px solid var(--tp-border);
    border-radius: 10px;
    padding: 12px 14px;
    background: var(--tp-card);
  }
  .muted {
    color: var(--tp-muted);
  }
  .error {
    color: var(--tp-danger);
  }
  .ok {
    color: var(--tp-ok);
  }
  .warn {
    color: var(--tp-warn);
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
    align-items: center;
  }
  dl {
    display: grid;
    grid-template-columns: max-content 1fr;
    gap: 4px 12px;
    margin: 0;
  }
  dt {
    color: var(--tp-muted);
  }
  dd {
    margin: 0;
    word-break: break-word;
  }
  pre.code {
    background: var(--tp-code-bg);
    color: var(--tp-code-fg);
    padding: 10px;
    border-radius: 8px;
    font: 13px ui-monospace, 'DejaVu Sans Mono', monospace;
    white-space: pre-wrap;
    word-break: break-all;
    margin: 0;
    overflow: auto;
  }
  h2 {
    font-size: 20px;
    margin: 4px 0 12px;
  }
  h3 {
    font-size: 17px;
    margin: 0 0 8px;
  }
  .mt {
    margin-top: 10px;
  }
  .mb {
    margin-bottom: 10px;
  }
  .between {
    justify-content: space-between;
  }
  .block {
    display: block;
  }
  .grow {
    flex: 1;
  }
  .tight {
    margin: 0 0 6px;
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;
