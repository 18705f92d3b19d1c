/**
 * The error base of the project. Every failure a user or a peer can cause is a
 * `PkiError` (or a subclass) with a stable string `code`; programmer misuse at a public
 * boundary throws plain `TypeError`/`RangeError` instead (STYLE.md §2c).
 *
 * Messages start with the operation (`"nvram.write: ..."`) and never contain secrets.
 */
export class PkiError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PkiError';
    this.code = code;
  }
}

/** A failure inside the WASM core (a trap, or an error code returned by an op). */
export class CoreError extends PkiError {
  readonly op: string;
  constructor(op: string, message: string, options?: { cause?: unknown }) {
    super('core', `core.${op}: ${message}`, options);
    this.name = 'CoreError';
    this.op = op;
  }
}

export type StoreErrorCode = 'blocked' | 'quota' | 'version' | 'unavailable' | 'corrupt';

/** A failure of persistent storage (IndexedDB). */
export class StoreError extends PkiError {
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'StoreError';
  }
}

export type CliErrorCode = 'no-match' | 'ambiguous' | 'incomplete' | 'invalid-arg';

/** A command line that does not parse; `position` is the character offset of the error. */
export class CliError extends PkiError {
  readonly position: number;
  constructor(code: CliErrorCode, message: string, position: number) {
    super(code, message);
    this.name = 'CliError';
    this.position = position;
  }
}

/** True for the DOMException a cancelled operation rejects with. */
export function isAbortError(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'AbortError';
}

/** The DOMException a cancelled operation rejects with (never a PkiError). */
export function abortError(message = 'The operation was aborted.'): DOMException {
  return new DOMException(message, 'AbortError');
}
