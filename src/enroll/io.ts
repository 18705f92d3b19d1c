/**
 * What an enrollment workflow needs from whoever drives it — print lines, ask questions, know
 * whether a human is there, be cancelled, report progress — and the small helpers every
 * workflow shares (yes/no answers, IOS-style refusals, a pasted block). The console's
 * CommandCtx, the GUI's dialogs and progress bars (src/ui/gui-interaction.ts) and the
 * unattended auto-enroller each provide an `EnrollIo`;
 * app/ calls it `Interaction` (app/interaction.ts, app/prompter.ts re-export this module).
 */
import { PkiError } from '../util/errors.ts';
import { PasteCollector } from '../pki/pem.ts';

export type QuestionKind =
  /** `[yes/no]` — answer must be yes/y or no/n */
  | 'yesno'
  /** `[confirm]` — Return (empty) or y confirms; anything else declines */
  | 'confirm'
  /** free text; `default` used for an empty answer */
  | 'text'
  /** free text that is never echoed or logged (passwords) */
  | 'secret';

/** One question: the exact prompt text (e.g. `% Do you accept this certificate? [yes/no]: `). */
export interface Question {
  text: string;
  kind: QuestionKind;
  default?: string;
}

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

/** The driver of a workflow. Unattended drivers (`interactive` false) refuse whatever needs a human. */
export interface EnrollIo {
  readonly interactive: boolean;
  readonly signal: AbortSignal;
  print(line: string): void;
  ask(q: Question): Promise<string>;
  confirm(text: string): Promise<boolean>;
  /** Progress of a long workflow (optional; GUI progress bars listen, the console does not). */
  progress?(event: EnrollProgress): void;
}

export function isYes(answer: string): boolean {
  return /^(y|ye|yes)$/i.test(answer.trim());
}

export function isNo(answer: string): boolean {
  return /^(n|no)$/i.test(answer.trim());
}

/** A refusal already worded for the console (printed as is, starts with "% "). */
export function refuse(message: string): never {
  throw new PkiError('refused', message.startsWith('%') ? message : `% ${message}`);
}

/**
 * Reads a paste the IOS way: lines until a blank line (outside a PEM block) or `quit`. Each
 * line is taken as the answer to an empty prompt, so pasted text shows as typed.
 */
export async function readPaste(io: EnrollIo): Promise<string> {
  const c = new PasteCollector();
  for (;;) {
    const line = await io.ask({ text: '', kind: 'text' });
    if (c.push(line)) return c.text;
  }
}
