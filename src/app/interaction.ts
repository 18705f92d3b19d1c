/**
 * What a workflow needs from whoever drives it: print lines, ask questions, know whether a
 * human is there, be cancelled, and (optionally) hear how far it got. The console's CommandCtx
 * is one; the GUI (dialogs and progress bars, src/ui/gui-interaction.ts) and the
 * auto-enroller provide others.
 */
import { PasteCollector } from '../pki/pem.ts';
import type { Question } from './prompter.ts';

/**
 * How far a workflow got, for progress bars (the console ignores these: it prints its IOS
 * lines instead). Emitted by the workflows with one-line calls to `report(io, event)`.
 *
 * - `key-generation`: a key pair is being made (`done: false`) or is ready (`done: true`);
 *   RSA-4096 in the core can take tens of seconds — show an indeterminate indicator.
 * - `ca-certificate`: `crypto pki authenticate` fetched the CA certificate (shown large, for
 *   comparison, before the accept question).
 * - `request-sent`: a SCEP PKCSReq/RenewalReq/CertPoll went to the CA.
 * - `pending`: the CA answered PENDING; the next CertPoll is at `nextPollAt` (epoch ms),
 *   attempt `attempt` of `of`.
 * - `issued`: the certificate is stored (`serial`, `notAfter`).
 */
export type ProgressEvent =
  | { stage: 'key-generation'; label: string; algorithm: string; done: boolean }
  | { stage: 'ca-certificate'; subject: string; fingerprints: { md5: string; sha1: string; sha256: string }; index: number; of: number }
  | { stage: 'request-sent'; messageType: string; transactionID: string }
  | { stage: 'pending'; trustpoint: string; transactionID: string; attempt: number; of: number; nextPollAt: number }
  | { stage: 'issued'; trustpoint: string; serial: string; notAfter: Date };

export interface Interaction {
  readonly interactive: boolean;
  readonly signal: AbortSignal;
  print(line: string): void;
  ask(q: Question): Promise<string>;
  confirm(text: string): Promise<boolean>;
  /** Optional progress sink (GUI progress bars); the console and the auto-enroller may omit it. */
  progress?(event: ProgressEvent): void;
}

/** Emits a progress event to `io` if it listens (a listener that throws is ignored). */
export function report(io: Interaction, event: ProgressEvent): void {
  try {
    io.progress?.(event);
  } catch {
    // a view's progress handler must never break a workflow
  }
}

/**
 * Reads a paste the IOS way: lines until a blank line (outside a PEM block) or `quit`. Each
 * line is taken as the answer to an empty prompt, so pasted text shows as typed.
 */
export async function readPaste(io: Interaction): Promise<string> {
  const c = new PasteCollector();
  for (;;) {
    const line = await io.ask({ text: '', kind: 'text' });
    if (c.push(line)) return c.text;
  }
}
