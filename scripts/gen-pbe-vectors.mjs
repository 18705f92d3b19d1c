#!/usr/bin/env node
/**
 * Generates OUR test vectors in the Wycheproof `PbeTest` format (schema pbe_test_schema.json)
 * for the vectors runner's PBES2 handler (scripts/vectors/handlers/pbe.ts): the developer copy
 * of the Wycheproof vectors has no pbes2_* files. They are NOT Wycheproof's: each file says so
 * in its header and its `source`.
 *
 * Every valid vector is made with node:crypto (PBKDF2 + AES-CBC with PKCS#7 padding) and
 * checked against OpenSSL 3 (`openssl kdf PBKDF2` and `openssl enc`); generation stops if the
 * two disagree. Invalid vectors: bad padding, a ciphertext that is not whole blocks, an empty
 * ciphertext, a wrong password. Deterministic (fixed seed), so re-running gives the same files.
 *
 *   node scripts/gen-pbe-vectors.mjs [OUTDIR]     (default tests/vectors/pbe-ours)
 */
import { createCipheriv, createDecipheriv, createHash, pbkdf2Sync } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const OUT = process.argv[2] ?? 'tests/vectors/pbe-ours';
const HASHES = { Sha1: 'sha1', Sha224: 'sha224', Sha256: 'sha256', Sha384: 'sha384', Sha512: 'sha512' };

// A deterministic byte stream (SHA-256 in counter mode over a label).
let counter = 0;
function bytes(n, label) {
  const out = [];
  while (out.length < n) out.push(...createHash('sha256').update(`${label}/${counter++}`).digest());
  return Buffer.from(out.slice(0, n));
}
const hex = (b) => Buffer.from(b).toString('hex');

function openssl(args) {
  return execFileSync('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'] });
}

/** The same key and ciphertext from OpenSSL, or an error. */
function checkWithOpenssl({ digest, password, salt, iterations, keyBytes, iv, msg, ct }) {
  const kdf = openssl(['kdf', '-keylen', String(keyBytes), '-kdfopt', `digest:${digest.toUpperCase()}`, '-kdfopt', `hexpass:${hex(password)}`, '-kdfopt', `hexsalt:${hex(salt)}`, '-kdfopt', `iter:${iterations}`, '-binary', 'PBKDF2']);
  const enc = execFileSync('openssl', ['enc', '-e', `-aes-${keyBytes * 8}-cbc`, '-K', hex(kdf), '-iv', hex(iv)], { input: msg });
  if (!Buffer.from(enc).equals(ct)) throw new Error(`OpenSSL disagrees: ${digest} AES-${keyBytes * 8} iter ${iterations}: ${hex(enc)} != ${hex(ct)}`);
}

const PASSWORDS = [
  ['printable password', ['Printable', 'Ascii'], () => Buffer.from('Trustp0int!')],
  ['empty password', ['Ascii'], () => Buffer.alloc(0)],
  ['password that is not valid UTF-8', ['NonUtf8'], () => Buffer.from([0xff, 0xfe, 0x80, 0x41, 0xc3])],
  ['UTF-8 password', ['Utf8'], () => Buffer.from('pässwörd-東京', 'utf8')],
  ['BMPString password (RFC 7292)', ['BmpString'], () => Buffer.from([0, 0x70, 0, 0x77, 0, 0])],
];
const MSG_LENGTHS = [0, 1, 15, 16, 17, 40];

mkdirSync(OUT, { recursive: true });
let total = 0;
for (const [hname, digest] of Object.entries(HASHES)) {
  for (const bits of [128, 192, 256]) {
    const algorithm = `PbeWithHmac${hname}AndAes_${bits}`;
    const keyBytes = bits / 8;
    const tests = [];
    let tcId = 1;
    for (const [i, [comment, flags, pw]] of PASSWORDS.entries()) {
      const password = pw();
      const salt = bytes(8 + (i % 3) * 4, `${algorithm}/salt`);
      const iterations = [1, 2, 1000, 4096, 17][i];
      const iv = bytes(16, `${algorithm}/iv`);
      const msg = bytes(MSG_LENGTHS[(i + bits / 64) % MSG_LENGTHS.length], `${algorithm}/msg`);
      const key = pbkdf2Sync(password, salt, iterations, keyBytes, digest);
      const c = createCipheriv(`aes-${bits}-cbc`, key, iv);
      const ct = Buffer.concat([c.update(msg), c.final()]);
      checkWithOpenssl({ digest, password, salt, iterations, keyBytes, iv, msg, ct });
      tests.push({ tcId: tcId++, comment, flags, password: hex(password), salt: hex(salt), iterationCount: iterations, iv: hex(iv), msg: hex(msg), ct: hex(ct), result: 'valid' });
    }
    // Invalid: decryption must fail.
    const password = Buffer.from('Trustp0int!');
    const salt = bytes(8, `${algorithm}/bad-salt`);
    const iv = bytes(16, `${algorithm}/bad-iv`);
    const key = pbkdf2Sync(password, salt, 1000, keyBytes, digest);
    const raw = (block) => {
      const c = createCipheriv(`aes-${bits}-cbc`, key, iv).setAutoPadding(false);
      return Buffer.concat([c.update(block), c.final()]);
    };
    const base = { password: hex(password), salt: hex(salt), iterationCount: 1000, iv: hex(iv), msg: '', result: 'invalid' };
    const padZero = Buffer.alloc(16, 0x41);
    padZero[15] = 0; // padding byte 0
    const padBig = Buffer.alloc(16, 0x41);
    padBig[15] = 17; // more than a block
    const padMixed = Buffer.alloc(16, 0x03);
    padMixed[14] = 0x02; // ...02 03: inconsistent
    tests.push({ tcId: tcId++, comment: 'padding byte 0', flags: ['BadPadding'], ...base, ct: hex(raw(padZero)) });
    tests.push({ tcId: tcId++, comment: 'padding longer than a block', flags: ['BadPadding'], ...base, ct: hex(raw(padBig)) });
    tests.push({ tcId: tcId++, comment: 'inconsistent padding bytes', flags: ['BadPadding'], ...base, ct: hex(raw(padMixed)) });
    const good = (() => {
      const c = createCipheriv(`aes-${bits}-cbc`, key, iv);
      return Buffer.concat([c.update(Buffer.from('sixteen byte msg')), c.final()]);
    })();
    tests.push({ tcId: tcId++, comment: 'ciphertext not a whole number of blocks', flags: ['InvalidCiphertextSize'], ...base, ct: hex(good.subarray(0, 20)) });
    tests.push({ tcId: tcId++, comment: 'empty ciphertext', flags: ['InvalidCiphertextSize'], ...base, ct: '' });
    // a wrong password whose decryption does not end in valid padding (checked here)
    for (let k = 0; ; k++) {
      const wrong = Buffer.from(`wrong-${k}`);
      const wk = pbkdf2Sync(wrong, salt, 1000, keyBytes, digest);
      try {
        const d = createDecipheriv(`aes-${bits}-cbc`, wk, iv);
        Buffer.concat([d.update(good), d.final()]);
        continue;
      } catch {
        tests.push({ tcId: tcId++, comment: 'wrong password', flags: ['WrongPassword'], ...base, password: hex(wrong), ct: hex(good) });
        break;
      }
    }
    const file = {
      algorithm,
      schema: 'pbe_test_schema.json',
      generatorVersion: 'trustpoint scripts/gen-pbe-vectors.mjs',
      numberOfTests: tests.length,
      header: [
        'NOT Wycheproof vectors: generated by Trustpoint (scripts/gen-pbe-vectors.mjs) with node:crypto and checked against OpenSSL 3,',
        'in the Wycheproof PbeTest format, to test the vectors runner\'s PbeTest handler until Wycheproof\'s own pbes2_* files are at hand.',
      ],
      notes: {
        Printable: { bugType: 'FUNCTIONALITY', description: 'A password of printable ASCII characters.' },
        Ascii: { bugType: 'FUNCTIONALITY', description: 'An ASCII password (or the empty one).' },
        NonUtf8: { bugType: 'FUNCTIONALITY', description: 'A password that is not valid UTF-8: PBKDF2 takes octets.' },
        Utf8: { bugType: 'FUNCTIONALITY', description: 'A UTF-8 password with non-ASCII characters.' },
        BmpString: { bugType: 'FUNCTIONALITY', description: 'A password in the RFC 7292 BMPString form (big endian, null terminated).' },
        BadPadding: { bugType: 'MISSING_STEP', description: 'The decrypted last block does not end in valid PKCS#7 padding.' },
        InvalidCiphertextSize: { bugType: 'MODIFIED_PARAMETER', description: 'The ciphertext is not a positive whole number of AES blocks.' },
        WrongPassword: { bugType: 'MISSING_STEP', description: 'Decryption with a wrong password does not give valid padding.' },
      },
      testGroups: [{ type: 'PbeTest', source: { name: 'trustpoint-generated', version: '1' }, tests }],
    };
    const name = `pbes2_hmac${hname.toLowerCase()}_aes_${bits}_trustpoint_test.json`;
    writeFileSync(join(OUT, name), JSON.stringify(file, null, 2) + '\n');
    total += tests.length;
  }
}
console.log(`wrote ${total} test cases in 15 files to ${OUT} (ours, checked against OpenSSL)`);
