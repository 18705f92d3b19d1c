// The internal KDF API for other domains (EC RFC 6979, PKCS#12 handling): import from '../kdf'.
// JS-facing exports live in ./exports.ts.
export { Hmac, hmac } from './hmac';
export { pbkdf2 } from './pbkdf2';
export { pkcs12Kdf } from './pkcs12';
