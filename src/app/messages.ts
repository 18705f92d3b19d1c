/**
 * The one table of user-facing text for errors (the ykpiv_strerror idea, STYLE.md §2c): the
 * console prints these lines after `% `, the GUI shows the same words. Messages that are
 * already written for users (ConfigError, and any PkiError whose message starts with "%")
 * pass through unchanged.
 */
import { PkiError } from '../util/errors.ts';

const BY_CODE: Record<string, (e: PkiError) => string> = {
  blocked: () => 'NVRAM is busy: another Trustpoint tab is still using an older version of the stored data. Close the other tabs and try again.',
  quota: (e) => `NVRAM is full: ${detail(e)}`,
  version: () => 'The saved configuration was written by a newer version of Trustpoint. Reload the page to get that version.',
  unavailable: (e) => `NVRAM is not available: ${detail(e)}`,
  corrupt: (e) => `NVRAM data is damaged: ${detail(e)}`,
  core: (e) => `Crypto core failure: ${detail(e)}`,
  'bad-certificate': (e) => `Invalid certificate: ${detail(e)}`,
  'bad-name': (e) => `Invalid name: ${detail(e)}`,
  'bad-pem': (e) => `The pasted data is not valid PEM: ${detail(e)}`,
  'bad-base64': (e) => `The pasted data is not valid base64: ${detail(e)}`,
  'bad-der': (e) => `The data is damaged (not one complete DER object): ${detail(e)}`,
  'bad-csr': (e) => `The certificate request cannot be built: ${detail(e)}`,
  'bad-key': (e) => `Invalid key: ${detail(e)}`,
  'key-password': () => 'The private key could not be decrypted: wrong password (or a damaged key).',
  'pkcs12-password': () => 'The PKCS #12 file could not be opened: wrong password (or a damaged file).',
  'bad-pkcs12': (e) => `Invalid PKCS #12 file: ${detail(e)}`,
  'not-exportable': (e) => detail(e),
  unsupported: (e) => `Not supported: ${detail(e)}`,
  http: (e) => detail(e),
  decrypt: () => 'Decryption failed.',
};

/** The part of a message after the `op: ` prefix. */
function detail(e: PkiError): string {
  return e.message.replace(/^[\w.]+: /, '');
}

export function userMessage(e: PkiError): string {
  if (e.message.startsWith('%')) return e.message;
  const f = BY_CODE[e.code];
  return '% ' + (f ? f(e) : detail(e));
}
