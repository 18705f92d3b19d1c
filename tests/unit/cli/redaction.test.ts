/**
 * Issue 12, defect 3: passwords typed on a command line — challenge, import and export
 * passwords, however the keywords are abbreviated, in the right mode, through `do`, or in the
 * wrong mode — never appear in the console's echo (scrollback), a window.trustpoint.cli
 * transcript, the history or `show history`; the command still gets the real value.
 */
import { describe, expect, test } from 'vitest';
import { harness } from './_harness.ts';
import { decodeType7 } from '../../../src/config/type7.ts';
import { cliRegistry } from '../../../src/cli/session.ts';
import { REDACTED, fallbackSecretSpans, matchLine, redactSpans } from '../../../src/config/grammar.ts';

const SECRETS = ['SuperSecret1', 'Export-Secret-1', 'Import-Secret-2', 'Pem-Secret-3', 'WrongMode-Secret-4', 'ZeroSecret0', 'Help-Secret-5', 'Do-Secret-6', 'Typo-Secret-7'];

describe('secrets typed on a command line', () => {
  test('are redacted in echo, transcript, scrollback, history and show history — however abbreviated', async () => {
    const h = await harness();
    const t = await h.run(
      [
        'enable',
        'configure terminal',
        'crypto pki trustpoint t1',
        ' enrollment terminal pem',
        ' pass SuperSecret1',
        ' exit',
        'crypto pki trustpoint t2',
        ' enrollment terminal pem',
        ' pa 0 ZeroSecret0',
        ' exit',
        'do crypto pki export t1 pkcs12 flash:t1.p12 pa Do-Secret-6',
        'password WrongMode-Secret-4',
        'end',
        'crypto pki export t1 pkcs12 flash:t1.p12 pa Export-Secret-1',
        'crypto pki import t1 pkcs12 flash:x.p12 passw Import-Secret-2',
        'crypto ca export t1 pem terminal 3des PASSWORD Pem-Secret-3',
        'crypto pki exprot t1 pkcs12 flash:t1.p12 pas Typo-Secret-7',
        'show history',
        'terminal history size 30',
        'show history',
        'show running-config',
      ].join('\n'),
    );
    h.session.showHelp('crypto pki export t1 pem terminal password Help-Secret-5 ');
    for (const s of SECRETS) {
      expect(t, s).not.toContain(s);
      expect(h.session.scrollback, s).not.toContain(s);
      expect(h.session.history.join('\n'), s).not.toContain(s);
    }
    expect(t).toContain('kiosk7(ca-trustpoint)# pass *****\n'.replace('kiosk7', 'Router'));
    expect(t).toContain('Router(ca-trustpoint)# pa 0 *****\n');
    expect(t).toContain('Router(config)#do crypto pki export t1 pkcs12 flash:t1.p12 pa *****\n');
    expect(t).toContain('Router(config)#password *****\n');
    expect(t).toContain('Router#crypto pki export t1 pkcs12 flash:t1.p12 pa *****\n');
    expect(t).toContain('Router#crypto pki import t1 pkcs12 flash:x.p12 passw *****\n');
    expect(t).toContain('Router#crypto ca export t1 pem terminal 3des PASSWORD *****\n');
    expect(t).toContain('Router#crypto pki exprot t1 pkcs12 flash:t1.p12 pas *****\n');
    expect(h.session.scrollback.slice(-300)).toContain('Router#crypto pki export t1 pem terminal password ***** ?');
    expect(h.session.history).toContain(' pass *****'.trim());
    expect(h.session.history).toContain('crypto pki import t1 pkcs12 flash:x.p12 passw *****');
    expect(t).toMatch(/\n {2}crypto pki export t1 pkcs12 flash:t1\.p12 pa \*{5}\n/);
    // the commands got the real values
    const enc = /crypto pki trustpoint t1\n(?:.*\n)*? password 7 ([0-9A-F]+)\n/.exec(t)?.[1];
    expect(enc && decodeType7(enc)).toBe('SuperSecret1');
    expect(h.app.running.trustpoints.get('t2')?.password).toBe('ZeroSecret0');
  });

  test('a password answered to a question is not echoed either', async () => {
    const h = await harness();
    const t = await h.run('enable\nconfigure terminal\ncrypto pki trustpoint t1\n enrollment terminal pem\n exit\ncrypto pki export t1 pem terminal password Abc-Secret-8\n');
    expect(t).not.toContain('Abc-Secret-8');
  });

  test('the grammar marks password slots: the argument after password/passphrase/pin/secret (and a type 0/7), and named `secret` arguments', () => {
    const reg = cliRegistry();
    const tp = reg.get('ca-trustpoint')!;
    for (const [line, want] of [
      ['password abc def', 'password *****'],
      ['passw 7 0822455D0A16', 'passw 7 *****'],
      ['p 0 x', 'p 0 *****'],
      ['pa  0   x y', 'pa  0   *****'],
      ['subject-name CN=password x', 'subject-name CN=password x'],
      // alternatives share their continuation: only the one after `password` is a secret slot
      ['no ocsp url', 'no ocsp url'],
      ['no password leftover', 'no password *****'],
    ] as const) {
      const m = matchLine(tp, line);
      if (want === undefined) expect(m.ok).toBe(false);
      else {
        expect(m.ok, line).toBe(true);
        if (m.ok) expect(redactSpans(line, m.secrets)).toBe(want);
      }
    }
    expect(fallbackSecretSpans('foo pa secret words')).toEqual([[7, 19]]);
    expect(fallbackSecretSpans('foo p secret')).toEqual([]);
    expect(REDACTED).toBe('*****');
  });
});
