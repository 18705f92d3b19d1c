import { PkiError } from '../util/errors.ts';

/** A refusal already worded for the console (printed as is, starts with "% "). */
export function refuse(message: string): never {
  throw new PkiError('refused', message.startsWith('%') ? message : `% ${message}`);
}
