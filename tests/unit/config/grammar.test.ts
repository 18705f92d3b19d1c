import { describe, expect, test } from 'vitest';
import { compileCommand, complete, helpFor, isIPv4, isIPv6, lex, matchLine, type CommandSpec } from '../../../src/config/grammar.ts';

const cmds = [
  'show running-config',
  'show startup-config',
  'show crypto pki trustpoints [( status$status | WORD$name [status$status] )]',
  'configure [( terminal$t | memory$m )]',
  'copy running-config startup-config',
  'crypto pki trustpoint WORD$name',
  'enrollment retry ( period <1-60>$period | count <1-100>$count )',
  'subject-name [LINE$name]',
  'password ( 0 LINE$clear | 7 WORD$enc | LINE$clear )',
  'ip-address ( A.B.C.D$addr | X:X:X:X::X$addr | none$none | WORD$iface )',
].map((syntax, i) => compileCommand({ syntax, handler: syntax } as CommandSpec<string>, i));

describe('matchLine', () => {
  const ok = [
    { input: 'show running-config', cmd: 'show running-config', args: {} },
    { input: 'sh run', cmd: 'show running-config', args: {} },
    { input: 'SH RUN', cmd: 'show running-config', args: {} },
    { input: 'sh st', cmd: 'show startup-config', args: {} },
    { input: 'conf t', cmd: 'configure [( terminal$t | memory$m )]', args: { t: 'terminal' } },
    { input: 'conf', cmd: 'configure [( terminal$t | memory$m )]', args: {} },
    { input: 'cry pki trust TP-1', cmd: 'crypto pki trustpoint WORD$name', args: { name: 'TP-1' } },
    { input: 'sh cry pki tr status', cmd: 'show crypto pki trustpoints [( status$status | WORD$name [status$status] )]', args: { status: 'status' } },
    { input: 'sh cry pki tr tp1 st', cmd: 'show crypto pki trustpoints [( status$status | WORD$name [status$status] )]', args: { name: 'tp1', status: 'status' } },
    { input: 'enrollment retry period 60', cmd: 'enrollment retry ( period <1-60>$period | count <1-100>$count )', args: { period: '60' } },
    { input: 'subject-name', cmd: 'subject-name [LINE$name]', args: {} },
    { input: 'subject-name  OU=Spiral Dept.,  O=example.com ', cmd: 'subject-name [LINE$name]', args: { name: 'OU=Spiral Dept.,  O=example.com' } },
    { input: 'password 7 0822455D0A16', cmd: 'password ( 0 LINE$clear | 7 WORD$enc | LINE$clear )', args: { enc: '0822455D0A16' } },
    { input: 'password two words', cmd: 'password ( 0 LINE$clear | 7 WORD$enc | LINE$clear )', args: { clear: 'two words' } },
    { input: 'password 0 7', cmd: 'password ( 0 LINE$clear | 7 WORD$enc | LINE$clear )', args: { clear: '7' } },
    { input: 'ip-address 192.0.2.1', cmd: 'ip-address ( A.B.C.D$addr | X:X:X:X::X$addr | none$none | WORD$iface )', args: { addr: '192.0.2.1' } },
    { input: 'ip-address fe80::1', cmd: 'ip-address ( A.B.C.D$addr | X:X:X:X::X$addr | none$none | WORD$iface )', args: { addr: 'fe80::1' } },
    { input: 'ip-address n', cmd: 'ip-address ( A.B.C.D$addr | X:X:X:X::X$addr | none$none | WORD$iface )', args: { none: 'none' } },
    { input: 'ip-address ethernet0', cmd: 'ip-address ( A.B.C.D$addr | X:X:X:X::X$addr | none$none | WORD$iface )', args: { iface: 'ethernet0' } },
  ];
  for (const c of ok)
    test(`accepts "${c.input}"`, () => {
      const m = matchLine(cmds, c.input);
      expect(m.ok).toBe(true);
      if (!m.ok) return;
      expect(m.command.spec.syntax).toBe(c.cmd);
      expect(m.args).toEqual(c.args);
    });

  const bad = [
    { input: 'shw run', code: 'no-match', pos: 2 },
    { input: 'show runnning-config', code: 'no-match', pos: 9 },
    { input: 'show running-config extra', code: 'no-match', pos: 20 },
    { input: 'sh x', code: 'no-match', pos: 3 },
    { input: 'c', code: 'ambiguous', pos: 0, msg: '% Ambiguous command: "c"' },
    { input: 'co', code: 'ambiguous', pos: 0 },
    { input: 'show', code: 'incomplete', pos: 4 },
    { input: 'crypto pki trustpoint', code: 'incomplete', pos: 21 },
    { input: 'enrollment retry period 0', code: 'no-match', pos: 24 },
    { input: 'enrollment retry period 61', code: 'no-match', pos: 24 },
    { input: 'enrollment retry period x', code: 'no-match', pos: 24 },
    { input: 'enrollment retry', code: 'incomplete', pos: 16 },
    { input: '', code: 'incomplete', pos: 0 },
  ];
  for (const c of bad)
    test(`rejects "${c.input}" (${c.code})`, () => {
      const m = matchLine(cmds, c.input);
      expect(m.ok).toBe(false);
      if (m.ok) return;
      expect(m.error.code).toBe(c.code);
      expect(m.error.position).toBe(c.pos);
      if (c.msg) expect(m.error.message).toBe(c.msg);
    });
});

describe('help and completion', () => {
  test('next tokens with <cr>', () => {
    const h = helpFor(cmds, 'show crypto pki trustpoints ');
    expect(h).toEqual({
      kind: 'next',
      items: [
        { token: 'status', help: expect.any(String) },
        { token: 'WORD', help: expect.any(String) },
        { token: '<cr>', help: '' },
      ],
    });
  });
  test('partial word lists the keywords it could be', () => {
    expect(helpFor(cmds, 'show s')).toEqual({ kind: 'partial', words: ['startup-config'] });
    expect(helpFor(cmds, 'c')).toEqual({ kind: 'partial', words: ['configure', 'copy', 'crypto'] });
  });
  test('an unknown word is unrecognized', () => {
    const h = helpFor(cmds, 'zz');
    expect(h.kind).toBe('error');
  });
  test('Tab completes a unique keyword and leaves ambiguous ones', () => {
    expect(complete(cmds, 'sh')).toBe('show ');
    expect(complete(cmds, 'show run')).toBe('show running-config ');
    expect(complete(cmds, 'co')).toBeUndefined();
    expect(complete(cmds, 'cry pki tr')).toBe('cry pki trustpoint ');
    expect(complete(cmds, 'show ')).toBeUndefined();
    expect(complete(cmds, 'crypto pki trustpoint T')).toBeUndefined();
  });
});

describe('tokens', () => {
  test('lex keeps offsets', () => {
    expect(lex('  a bb   c')).toEqual([
      { text: 'a', start: 2 },
      { text: 'bb', start: 4 },
      { text: 'c', start: 9 },
    ]);
  });
  test.each([
    ['192.0.2.66', true],
    ['0.0.0.0', true],
    ['255.255.255.255', true],
    ['256.1.1.1', false],
    ['1.2.3', false],
    ['01.2.3.4', false],
  ])('IPv4 %s → %s', (s, want) => expect(isIPv4(s)).toBe(want));
  test.each([
    ['2001:DB8:1:1::1', true],
    ['::1', true],
    ['::', true],
    ['fe80::1:2:3:4:5:6', true],
    ['1:2:3:4:5:6:7:8', true],
    ['1:2:3:4:5:6:7:8:9', false],
    ['::ffff:192.0.2.1', true],
    ['2001:db8::zz', false],
    ['1::2::3', false],
    ['12345::', false],
  ])('IPv6 %s → %s', (s, want) => expect(isIPv6(s)).toBe(want));
});
