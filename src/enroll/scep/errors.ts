/** SCEP failures: a CertRep FAILURE (with failInfo), or a reply that is not what SCEP promises. */
import { PkiError } from '../../util/errors.ts';
import { FAIL_INFO } from './types.ts';

export class ScepError extends PkiError {
  readonly pkiStatus: number | undefined;
  readonly failInfo: number | undefined;
  readonly transactionID: string | undefined;
  constructor(kind: 'failure' | 'reply' | 'protocol' | 'pending-timeout', message: string, extra: { pkiStatus?: number; failInfo?: number; transactionID?: string; failInfoText?: string } = {}) {
    super(`scep-${kind}`, message.startsWith('%') ? message : `% ${message}`);
    this.name = 'ScepError';
    this.pkiStatus = extra.pkiStatus;
    this.failInfo = extra.failInfo;
    this.transactionID = extra.transactionID;
  }
}

/** `% The CA refused the request: badRequest — ... (CA says: ...)` */
export function failureText(failInfo: number | undefined, failInfoText: string | undefined): string {
  const fi = failInfo !== undefined ? FAIL_INFO[failInfo] : undefined;
  const base = fi ? `${fi.name} — ${fi.text}` : failInfo !== undefined ? `failInfo ${failInfo}` : 'no failInfo given';
  return `% The CA refused the request: ${base}${failInfoText ? ` (CA says: "${failInfoText}")` : ''}.`;
}
