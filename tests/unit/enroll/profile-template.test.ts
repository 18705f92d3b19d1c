/**
 * Enrollment-profile templates (issue 10): `$REQ` and `$P1`…`$P8` expanded and percent-encoded
 * for where they land — a path, a query, a form body — the guide's example with its
 * continuation line, the masked form debug output shows, and the errors.
 */
import { describe, expect, test } from 'vitest';
import { buildRequest, describeTemplate, joinTemplate, percentEncode, templateVariables } from '../../../src/enroll/profile/template.ts';

const dec = (b?: Uint8Array) => new TextDecoder().decode(b);
// every base64 character that needs care, plus = padding
const REQ = 'MIIB+abc/def+/xyz==';
const params = new Map([
  [1, 'aaaa-bbbb-cccc'],
  [2, '5001'],
]);

describe('percentEncode', () => {
  const cases: { name: string; input: string; ctx: Parameters<typeof percentEncode>[1]; want: string }[] = [
    { name: 'base64 in a path: / encoded, + and = are pchars', input: REQ, ctx: 'path', want: 'MIIB+abc%2Fdef+%2Fxyz==' },
    { name: 'base64 in a query: + = encoded, / kept', input: REQ, ctx: 'query', want: 'MIIB%2Babc/def%2B/xyz%3D%3D' },
    { name: 'base64 in a form body: + / = encoded', input: REQ, ctx: 'form', want: 'MIIB%2Babc%2Fdef%2B%2Fxyz%3D%3D' },
    { name: 'raw body: unchanged', input: REQ, ctx: 'raw', want: REQ },
    { name: 'form: space is +, & and # encoded', input: 'a b&c#d', ctx: 'form', want: 'a+b%26c%23d' },
    { name: 'query: space, & and # encoded', input: 'a b&c#d', ctx: 'query', want: 'a%20b%26c%23d' },
    { name: 'path: ? and # and space encoded, & kept', input: 'a?b#c d&e', ctx: 'path', want: 'a%3Fb%23c%20d&e' },
    { name: 'UTF-8 bytes', input: 'ä€', ctx: 'form', want: '%C3%A4%E2%82%AC' },
    { name: 'unreserved survive everywhere', input: 'Az09-._~', ctx: 'query', want: 'Az09-._~' },
    { name: 'form encodes ~ (WHATWG byte serializer)', input: '~', ctx: 'form', want: '%7E' },
  ];
  for (const c of cases) test(c.name, () => expect(percentEncode(c.input, c.ctx)).toBe(c.want));

  test('what the encoders emit decodes back to the input (URLSearchParams / decodeURIComponent)', () => {
    const s = 'MIIC+/=&? #%zZ~ä';
    expect(new URLSearchParams(`x=${percentEncode(s, 'form')}`).get('x')).toBe(s);
    expect(new URLSearchParams(`x=${percentEncode(s, 'query')}`).get('x')).toBe(s);
    expect(decodeURIComponent(percentEncode(s, 'path'))).toBe(s);
    expect(percentEncode(s, 'path')).not.toContain('/');
  });
});

describe("the guide's Direct HTTP Enrollment example", () => {
  // as `show running-config` keeps it: the continuation line separated by \n
  const command = 'POST reference_number=$P2&authcode=$P1\n&retrievedAs=rawDER&action=getServerCert&pkcs10Request=$REQ';

  test('continuation lines are joined without a separator', () => {
    expect(joinTemplate(command)).toBe('POST reference_number=$P2&authcode=$P1&retrievedAs=rawDER&action=getServerCert&pkcs10Request=$REQ');
    expect(templateVariables(command)).toEqual({ req: true, params: [1, 2] });
  });

  test('enrollment: a form POST to the enrollment url, $REQ form-encoded', () => {
    const r = buildRequest('http://entrust:81/cda-cgi/clientcgi.exe', command, { req: REQ, params }, 'enrollment');
    expect(r.method).toBe('POST');
    expect(r.url).toBe('http://entrust:81/cda-cgi/clientcgi.exe');
    expect(r.contentType).toBe('application/x-www-form-urlencoded');
    expect(dec(r.body)).toBe('reference_number=5001&authcode=aaaa-bbbb-cccc&retrievedAs=rawDER&action=getServerCert&pkcs10Request=MIIB%2Babc%2Fdef%2B%2Fxyz%3D%3D');
    const form = new URLSearchParams(dec(r.body));
    expect(form.get('pkcs10Request')).toBe(REQ);
    expect(form.get('authcode')).toBe('aaaa-bbbb-cccc');
  });

  test('authentication: GET /certs/cacert.der on the authentication url', () => {
    const r = buildRequest('http://entrust:81', 'GET /certs/cacert.der', { params }, 'authentication');
    expect(r).toMatchObject({ method: 'GET', url: 'http://entrust:81/certs/cacert.der' });
    expect(r.body).toBeUndefined();
  });

  test('debug form: every parameter masked, $REQ summarized', () => {
    const r = buildRequest('http://entrust:81/cda-cgi/clientcgi.exe', command, { req: REQ, params, reqLabel: 'PKCS#10' }, 'enrollment');
    expect(r.shown).toBe(
      'POST http://entrust:81/cda-cgi/clientcgi.exe (application/x-www-form-urlencoded) body: reference_number=<$P2: *****>&authcode=<$P1: *****>&retrievedAs=rawDER&action=getServerCert&pkcs10Request=<PKCS#10: 19 base64 characters>',
    );
    expect(r.shown).not.toContain('aaaa-bbbb-cccc');
    expect(r.shown).not.toContain('5001');
  });
});

describe('GET targets', () => {
  test('$REQ in the path is path-encoded, in the query query-encoded', () => {
    const r = buildRequest('https://ca.example/base/', 'GET /enroll/$REQ?req=$REQ&ref=$P2', { req: REQ, params }, 'enrollment');
    expect(r.url).toBe('https://ca.example/enroll/MIIB+abc%2Fdef+%2Fxyz==?req=MIIB%2Babc/def%2B/xyz%3D%3D&ref=5001');
    expect(new URL(r.url).searchParams.get('req')).toBe(REQ);
    expect(decodeURIComponent(new URL(r.url).pathname.split('/')[2]!)).toBe(REQ);
  });
  test('a ?query goes on the URL path, a relative path below it', () => {
    expect(buildRequest('http://ca/cgi-bin/pkiclient.exe', 'GET ?operation=GetCACert&message=$P2', { params }, 'authentication').url).toBe('http://ca/cgi-bin/pkiclient.exe?operation=GetCACert&message=5001');
    expect(buildRequest('http://ca/certs', 'GET ca-$P2.der', { params }, 'authentication').url).toBe('http://ca/certs/ca-5001.der');
    expect(buildRequest('http://ca/certs', 'GET https://other.example/ca.pem', { params }, 'authentication').url).toBe('https://other.example/ca.pem');
  });
  test('URL credentials never appear in the debug form', () => {
    const r = buildRequest('http://user:secret@ca:81', 'GET /certs/cacert.der', { params }, 'authentication');
    expect(r.shown).toBe('GET http://ca:81/certs/cacert.der');
  });
});

describe('POST bodies', () => {
  test('POST TARGET BODY', () => {
    const r = buildRequest('http://ca:81/x', 'POST /submit?ref=$P2 req=$REQ', { req: REQ, params }, 'enrollment');
    expect(r.url).toBe('http://ca:81/submit?ref=5001');
    expect(dec(r.body)).toBe('req=MIIB%2Babc%2Fdef%2B%2Fxyz%3D%3D');
  });
  test('a body that is exactly $REQ is sent raw as application/pkcs10', () => {
    const r = buildRequest('https://est.example/.well-known/est/simpleenroll', 'POST $REQ', { req: REQ, params }, 'enrollment');
    expect(r.contentType).toBe('application/pkcs10');
    expect(dec(r.body)).toBe(REQ);
  });
  test('no enrollment command: POST $REQ to the URL; no authentication command: GET the URL', () => {
    expect(buildRequest('http://ca/enroll', undefined, { req: REQ, params }, 'enrollment')).toMatchObject({ method: 'POST', url: 'http://ca/enroll', contentType: 'application/pkcs10' });
    expect(buildRequest('http://ca/ca.der', undefined, { params }, 'authentication')).toMatchObject({ method: 'GET', url: 'http://ca/ca.der' });
  });
  test('PUT is a POST with another method', () => {
    expect(buildRequest('http://ca/x', 'PUT a=$P1', { params }, 'authentication').method).toBe('PUT');
  });
});

describe('errors', () => {
  const cases: { name: string; url: string; cmd: string; want: RegExp; req?: string }[] = [
    { name: 'an unconfigured parameter', url: 'http://ca', cmd: 'GET /x?a=$P3', want: /uses \$P3, but parameter 3 is not configured/ },
    { name: '$P9 is out of range', url: 'http://ca', cmd: 'GET /x?a=$P9', want: /parameters are numbered 1 to 8/ },
    { name: '$REQ when authenticating', url: 'http://ca', cmd: 'GET /x?r=$REQ', want: /uses \$REQ, but there is no certificate request when authenticating/ },
    { name: 'no argument', url: 'http://ca', cmd: 'GET', want: /needs an HTTP method and an argument/ },
    { name: 'an unknown method', url: 'http://ca', cmd: 'DELETE /x', want: /"DELETE" is not GET, POST or PUT/ },
    { name: 'a non-http URL', url: 'tftp://ca/x', cmd: 'GET /x', want: /must be http:\/\/ or https:\/\// },
  ];
  for (const c of cases)
    test(c.name, () => {
      expect(() => buildRequest(c.url, c.cmd, { params }, 'authentication')).toThrow(c.want);
      try {
        buildRequest(c.url, c.cmd, { params }, 'authentication');
      } catch (e) {
        expect((e as Error).message.startsWith('% ')).toBe(true);
      }
    });
});

test('describeTemplate lists the request without values', () => {
  expect(describeTemplate('http://entrust:81/cda-cgi/clientcgi.exe', 'POST reference_number=$P2&authcode=$P1\n&retrievedAs=rawDER&pkcs10Request=$REQ', 'enrollment')).toBe(
    'POST http://entrust:81/cda-cgi/clientcgi.exe (form fields reference_number, authcode, retrievedAs, pkcs10Request)',
  );
  expect(describeTemplate('http://entrust:81', 'GET /certs/cacert.der', 'authentication')).toBe('GET http://entrust:81/certs/cacert.der');
  expect(describeTemplate('http://ca/x', 'GET /q?r=$REQ', 'enrollment')).toBe('GET http://ca/q?r=$REQ');
});
