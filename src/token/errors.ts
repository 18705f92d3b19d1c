/**
 * The token layer's errors (STYLE.md §2c): an `ApduError` carries the status word a card
 * answered, a `PinError` the retries left (yubikit's `InvalidPinError`, from `63Cx`), and a
 * `TokenError` what went wrong with the token itself. Messages never contain a PIN or a key.
 */
import { PkiError } from '../util/errors.ts';

/** A status word other than 9000 (ISO 7816-4 §5.6). */
export class ApduError extends PkiError {
  readonly sw: number;
  constructor(op: string, sw: number, options?: { cause?: unknown }) {
    super('apdu', `${op}: the token answered ${sw.toString(16).toUpperCase().padStart(4, '0')} (${swText(sw)})`, options);
    this.name = 'ApduError';
    this.sw = sw;
  }
}

/** A wrong PIN (`retriesLeft` > 0) or a blocked one (`retriesLeft` = 0). */
export class PinError extends PkiError {
  readonly retriesLeft: number;
  constructor(retriesLeft: number) {
    super(retriesLeft > 0 ? 'pin' : 'pin-blocked', retriesLeft > 0 ? `piv.verifyPin: wrong PIN, ${retriesLeft} ${retriesLeft === 1 ? 'retry' : 'retries'} left` : 'piv.verifyPin: the PIN is blocked');
    this.name = 'PinError';
    this.retriesLeft = retriesLeft;
  }
}

export type TokenErrorCode =
  /** no token / reader found */
  | 'not-found'
  /** the token went away during an operation */
  | 'disconnected'
  /** another program holds it */
  | 'busy'
  /** this browser or page cannot reach tokens, or the token lacks a feature */
  | 'not-supported'
  /** the token has no PIV application */
  | 'no-applet'
  /** the slot holds no key (or another key than ours) */
  | 'no-key'
  | 'wrong-key'
  /** management-key authentication failed */
  | 'auth'
  /** a login (PIN) is needed first */
  | 'login-required'
  /** the reader or card broke the protocol */
  | 'protocol';

export class TokenError extends PkiError {
  override readonly code: TokenErrorCode;
  constructor(code: TokenErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'TokenError';
    this.code = code;
  }
}

/** Status words by name (ISO 7816-4 §5.6 and SP 800-73-4 Part 2 §5), as yubikit's `SW`. */
export const SW = {
  SUCCESS: 0x9000,
  NO_INPUT_DATA: 0x6285,
  VERIFY_FAIL_NO_RETRY: 0x63c0,
  MEMORY_FAILURE: 0x6581,
  WRONG_LENGTH: 0x6700,
  SECURITY_CONDITION_NOT_SATISFIED: 0x6982,
  AUTH_METHOD_BLOCKED: 0x6983,
  DATA_INVALID: 0x6984,
  CONDITIONS_NOT_SATISFIED: 0x6985,
  COMMAND_NOT_ALLOWED: 0x6986,
  INCORRECT_PARAMETERS: 0x6a80,
  FUNCTION_NOT_SUPPORTED: 0x6a81,
  FILE_NOT_FOUND: 0x6a82,
  NO_SPACE: 0x6a84,
  INCORRECT_P1P2: 0x6a86,
  REFERENCE_NOT_FOUND: 0x6a88,
  WRONG_P1P2: 0x6b00,
  INVALID_INSTRUCTION: 0x6d00,
  CLASS_NOT_SUPPORTED: 0x6e00,
  COMMAND_ABORTED: 0x6f00,
} as const;

const SW_TEXT: Record<number, string> = {
  [SW.SUCCESS]: 'success',
  [SW.NO_INPUT_DATA]: 'no input data',
  [SW.MEMORY_FAILURE]: 'memory failure',
  [SW.WRONG_LENGTH]: 'wrong length',
  [SW.SECURITY_CONDITION_NOT_SATISFIED]: 'security status not satisfied',
  [SW.AUTH_METHOD_BLOCKED]: 'authentication method blocked',
  [SW.DATA_INVALID]: 'referenced data invalidated',
  [SW.CONDITIONS_NOT_SATISFIED]: 'conditions of use not satisfied',
  [SW.COMMAND_NOT_ALLOWED]: 'command not allowed',
  [SW.INCORRECT_PARAMETERS]: 'incorrect parameters in the data field',
  [SW.FUNCTION_NOT_SUPPORTED]: 'function not supported',
  [SW.FILE_NOT_FOUND]: 'file or application not found',
  [SW.NO_SPACE]: 'not enough memory',
  [SW.INCORRECT_P1P2]: 'incorrect P1-P2',
  [SW.REFERENCE_NOT_FOUND]: 'referenced data not found',
  [SW.WRONG_P1P2]: 'wrong P1-P2',
  [SW.INVALID_INSTRUCTION]: 'instruction not supported',
  [SW.CLASS_NOT_SUPPORTED]: 'class not supported',
  [SW.COMMAND_ABORTED]: 'no precise diagnosis',
};

/** A status word in words. */
export function swText(sw: number): string {
  const t = SW_TEXT[sw];
  if (t) return t;
  if ((sw & 0xfff0) === 0x63c0) return `verification failed, ${sw & 0xf} retries left`;
  if ((sw & 0xff00) === 0x6100) return 'more data available';
  if ((sw & 0xff00) === 0x6c00) return 'wrong Le';
  return 'unknown status';
}
