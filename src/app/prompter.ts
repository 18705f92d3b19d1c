/**
 * The one way workflows ask the user something. The console answers with the next input line,
 * the GUI with a dialog, the auto-enroller not at all (it is non-interactive and refuses
 * whatever needs a human, as IOS does for a CA certificate without a pre-entered fingerprint).
 */
export type QuestionKind =
  /** `[yes/no]` — answer must be yes/y or no/n */
  | 'yesno'
  /** `[confirm]` — Return (empty) or y confirms; anything else declines */
  | 'confirm'
  /** free text; `default` used for an empty answer */
  | 'text'
  /** free text that is never echoed or logged (passwords) */
  | 'secret';

export interface Question {
  /** The exact prompt text, e.g. `% Do you accept this certificate? [yes/no]: ` */
  text: string;
  kind: QuestionKind;
  default?: string;
}

export function isYes(answer: string): boolean {
  return /^(y|ye|yes)$/i.test(answer.trim());
}

export function isNo(answer: string): boolean {
  return /^(n|no)$/i.test(answer.trim());
}
