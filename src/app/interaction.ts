/**
 * What a workflow needs from whoever drives it: print lines, ask questions, know whether a
 * human is there, be cancelled. The console's CommandCtx is one; the GUI and the
 * auto-enroller provide others.
 */
import { PasteCollector } from '../pki/pem.ts';
import type { Question } from './prompter.ts';

/** What an enrollment reports as it goes (the GUI shows it; the console prints its own lines). */
export type EnrollProgress =
  | { stage: 'keygen'; label: string; algorithm: string; done: boolean }
  | { stage: 'request'; method: string; transactionID?: string }
  | { stage: 'pending'; transactionID: string; attempt: number; of: number; nextPollAt: number }
  | { stage: 'issued'; serial: string };

export interface Interaction {
  readonly interactive: boolean;
  readonly signal: AbortSignal;
  print(line: string): void;
  ask(q: Question): Promise<string>;
  confirm(text: string): Promise<boolean>;
  /** Progress of a long workflow (optional). */
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
