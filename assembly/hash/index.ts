// The internal hash API for other domains (RSA, EC, KDF): import from '../hash'.
// JS-facing exports live in ./exports.ts.
export {
  HASH_MD5,
  HASH_SHA1,
  HASH_SHA224,
  HASH_SHA256,
  HASH_SHA384,
  HASH_SHA512,
  HASH_SHA512_224,
  HASH_SHA512_256,
  HASH_MAX_SIZE,
  HASH_MAX_BLOCK,
  hashSize,
  hashBlockSize,
  Hasher,
  digest,
} from './hasher';
