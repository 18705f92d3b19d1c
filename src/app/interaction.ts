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
 * lines instead). Workflows emit them with one-line `io.progress?.(event)` calls.
 *
 * - `keygen`: a key pair is being made (`done: false`) or is ready (`done: true`); RSA-4096 in
 *   the core can take tens of seconds — show an indeterminate indicator.
 * - `ca-certificate`: `crypto pki authenticate` fetched a CA certificate (index of of, issuing
 *   CA first), shown large for comparison before the accept question.
 * - `request`: an enrollment request went to the CA (`method`, e.g. SCEP; its transactionID).
 * - `pending`: the CA answered PENDING; the next poll is at `nextPollAt` (epoch ms), attempt
 *   `attempt` of `of`.
 * - `issued`: the certificate is stored (`serial`).
 */
export type EnrollProgress =
  | { stage: 'keygen'; label: string; algorithm: string; done: boolean }
  | { stage: 'ca-certificate'; subject: string; fingerprints: { md5: string; sha1: string; sha256: string }; index: number; of: number }
  | { stage: 'request'; method: string; transactionID?: string }
  | { stage: 'pending'; transactionID: string; attempt: number; of: number; nextPollAt: number }
  | { stage: 'issued'; serial: string };

/** The same type under the name the GUI facade (services.ts) exports. */
export type ProgressEvent = EnrollProgress;

export interface Interaction {
  readonly interactive: boolean;
  readonly signal: AbortSignal;
  print(line: string): void;
  ask(q: Question): Promise<string>;
  confirm(text: string): Promise<boolean>;
  /** Progress of a long workflow (optional; GUI progress bars listen, the console does not). */
  progress?(event: EnrollProgress): void;
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
