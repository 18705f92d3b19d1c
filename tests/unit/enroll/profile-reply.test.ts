/**
 * What a profile CA may answer (issue 10): raw DER, PEM, bare base64 and PKCS#7 certs-only
 * chains (made by OpenSSL), and the replies that hold no certificate — an HTML error page, other
 * statuses, garbage — explained with the status and an escaped excerpt.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { makeCa, openssl, type TestCa } from '../app/_openssl-ca.ts';
import { describeBody, escapeExcerpt, htmlText, parseReply, ReplyError } from '../../../src/enroll/profile/reply.ts';

let ca: TestCa;
let leafPem: string;
let leafDer: Uint8Array;
let p7Der: Uint8Array;
let p7Pem: string;
const enc = new TextEncoder();

beforeAll(() => {
  ca = makeCa({ subject: '/C=DE/O=Reply Test/CN=Reply CA' });
  openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(ca.dir, 'l.key'), '-out', join(ca.dir, 'l.csr'), '-subj', '/CN=leaf']);
  leafPem = ca.sign(readFileSync(join(ca.dir, 'l.csr'), 'utf8'));
  const leafPath = join(ca.dir, 'leaf.pem');
  writeFileSync(leafPath, leafPem);
  leafDer = new Uint8Array(spawnSync('openssl', ['x509', '-in', leafPath, '-outform', 'DER']).stdout);
  p7Der = new Uint8Array(spawnSync('openssl', ['crl2pkcs7', '-nocrl', '-certfile', leafPath, '-certfile', ca.certPath, '-outform', 'DER']).stdout);
  p7Pem = openssl(['crl2pkcs7', '-nocrl', '-certfile', leafPath, '-certfile', ca.certPath]);
});
afterAll(() => ca.close());

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

describe('replies with certificates', () => {
  test('raw DER', () => {
    const r = parseReply(200, 'application/pkix-cert', leafDer);
    expect(r.format).toBe('der');
    expect(r.certificates).toEqual([leafDer]);
  });
  test('PEM (with text around it, as `openssl x509 -text` prints)', () => {
    const r = parseReply(200, 'text/plain', enc.encode(`Certificate:\n  junk\n${leafPem}\n${ca.certPem}`));
    expect(r.format).toBe('pem');
    expect(r.certificates).toHaveLength(2);
    expect(r.certificates[0]).toEqual(leafDer);
  });
  test('bare base64, with line breaks', () => {
    const text = b64(leafDer).replace(/.{64}/g, '$&\r\n');
    const r = parseReply(200, 'text/plain', enc.encode(text));
    expect(r).toEqual({ certificates: [leafDer], format: 'base64' });
  });
  test('PKCS#7 certs-only: DER, PEM and base64 carry the chain', () => {
    expect(parseReply(200, 'application/x-pkcs7-certificates', p7Der)).toMatchObject({ format: 'pkcs7' });
    expect(parseReply(200, 'application/x-pkcs7-certificates', p7Der).certificates).toHaveLength(2);
    expect(parseReply(200, 'text/plain', enc.encode(p7Pem))).toMatchObject({ format: 'pkcs7-pem' });
    expect(parseReply(200, 'text/plain', enc.encode(b64(p7Der)))).toMatchObject({ format: 'pkcs7-base64' });
    expect(parseReply(201, '', p7Der).certificates.map((c) => b64(c))).toContain(b64(leafDer));
  });
});

describe('replies without a certificate', () => {
  const page403 = `<!DOCTYPE html>\n<html><head><title>403 Forbidden</title><style>p{color:red}</style></head>
<body><h1>403 Forbidden</h1><p>Wrong authcode for reference number 5001 &amp; friends.</p><script>alert(1)</script></body></html>`;

  test('an HTML 403 page: status and its visible text, no markup', () => {
    expect(() => parseReply(403, 'text/html', enc.encode(page403))).toThrow(ReplyError);
    try {
      parseReply(403, 'text/html', enc.encode(page403));
    } catch (e) {
      expect((e as ReplyError).status).toBe(403);
      expect((e as Error).message).toBe('% The CA answered HTTP 403 Forbidden with an HTML page: "403 Forbidden: Wrong authcode for reference number 5001 & friends."');
    }
  });
  test('an HTML page with 200 is not a certificate', () => {
    expect(() => parseReply(200, 'text/html; charset=utf-8', enc.encode('<html><body><p>Please log in</p></body></html>'))).toThrow(
      '% The CA answered HTTP 200 OK, but not with a certificate: an HTML page: "Please log in"',
    );
  });
  test('other statuses, empty and binary bodies', () => {
    expect(() => parseReply(500, 'text/plain', enc.encode('openssl ca failed\n'))).toThrow('% The CA answered HTTP 500 Internal Server Error with text/plain: "openssl ca failed"');
    expect(() => parseReply(404, '', new Uint8Array())).toThrow('% The CA answered HTTP 404 Not Found with an empty body');
    expect(() => parseReply(200, 'application/octet-stream', Uint8Array.of(1, 2, 3, 0, 9))).toThrow(/not with a certificate: 5 bytes of binary data \(application\/octet-stream\)/);
    expect(() => parseReply(302, '', new Uint8Array())).toThrow(/HTTP 302 with an empty body/);
  });
  test('DER of another kind (a CSR) and PEM of another kind', () => {
    const csrDer = new Uint8Array(spawnSync('openssl', ['req', '-in', join(ca.dir, 'l.csr'), '-outform', 'DER']).stdout);
    expect(() => parseReply(200, '', csrDer)).toThrow(/DER data of another kind/);
    expect(() => parseReply(200, '', enc.encode(readFileSync(join(ca.dir, 'l.csr'), 'utf8')))).toThrow(/PEM blocks of another kind/);
  });
  test('control characters and escapes never reach the console raw', () => {
    expect(escapeExcerpt('a\u001b[31mred\u0007\nnext \\ é')).toBe('a\\x1b[31mred\\x07 next \\\\ \\xe9');
    expect(escapeExcerpt('x'.repeat(500)).length).toBe(203);
    expect(describeBody('text/plain', enc.encode('Error: \u001b]0;pwned\u0007 happened, see the log'))).toBe('text/plain: "Error: \\x1b]0;pwned\\x07 happened, see the log"');
  });
  test('htmlText decodes entities and drops scripts', () => {
    expect(htmlText('<title>T</title><body><p>a &lt;b&gt; &#x41;&#66;</p><script>x()</script></body>')).toBe('T: a <b> AB');
  });
});
