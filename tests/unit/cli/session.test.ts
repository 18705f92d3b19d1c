import { describe, expect, test } from 'vitest';
import { harness } from './_harness.ts';
import { MemoryNvram, type Nvram } from '../../../src/store/nvram.ts';
import { StoreError } from '../../../src/util/errors.ts';
import { TrustpointApp } from '../../../src/app/app.ts';

const SCENARIO = `enable
configure terminal
hostname kiosk7
crypto pki trustpoint t1
 enrollment terminal pem
 serial-number none
exit
end
show running-config
`;

describe('console session', () => {
  test('pasting a block gives the same transcript as typing it line by line', async () => {
    const pasted = await (await harness()).run(SCENARIO);
    const h = await harness();
    let typed = '';
    h.session.onOutput((c) => (typed += c));
    for (const line of SCENARIO.trimEnd().split('\n')) {
      h.session.submit(line);
      await h.session.idle();
    }
    expect(typed).toBe(pasted);
    expect(pasted).toContain('kiosk7(ca-trustpoint)# enrollment terminal pem\n');
  });

  test('a line following a question answers it', async () => {
    const h = await harness({ privileged: true });
    const out = await h.run('copy running-config startup-config\n\nshow startup-config\n');
    expect(out).toContain('Destination filename [startup-config]? \nBuilding configuration...\n[OK]\n');
    expect(out).toContain('Using 24 out of 1048576 bytes');
  });

  test('a yes/no question insists on yes or no', async () => {
    const h = await harness({ privileged: true });
    await h.run('conf t\ncrypto pki trustpoint T\ncrypto pki certificate chain T\nend\n');
    // Put a certificate in the chain directly so removal asks.
    h.app.running.chains.get('T')!.certificates.push({ kind: 'ca', serial: '01', der: new Uint8Array([0x30, 0]) });
    const out = await h.run('conf t\nno crypto pki trustpoint T\nmaybe\nno\n');
    expect(out).toContain('Are you sure you want to do this? [yes/no]: maybe\n% Please answer \'yes\' or \'no\'.\nAre you sure you want to do this? [yes/no]: no\n% Trustpoint not removed.');
    expect(h.app.running.trustpoints.has('T')).toBe(true);
    const out2 = await h.run('no crypto pki trustpoint T\nyes\n');
    expect(out2).toContain('[yes/no]: yes\n% Be sure to ask the CA administrator to revoke your certificates.');
    expect(h.app.running.trustpoints.has('T')).toBe(false);
  });

  test('the runner ends its transcript at an open question, and the next call answers it', async () => {
    const h = await harness({ privileged: true });
    const first = await h.run('erase startup-config');
    expect(first).toBe('Router#erase startup-config\nErasing the nvram filesystem will remove all configuration files! Continue? [confirm]');
    expect(h.session.question()?.kind).toBe('confirm');
    const second = await h.run('\n');
    expect(second).toBe('\n[OK]\nErase of nvram: complete\n');
  });

  test('concurrent runner calls do not interleave', async () => {
    const h = await harness({ privileged: true });
    const [a, b] = await Promise.all([h.run('show clock\nshow clock\n'), h.run('dir\n')]);
    expect(a.match(/Router#show clock/g)).toHaveLength(2);
    expect(a).not.toContain('dir');
    expect(b.startsWith('Router#dir\n')).toBe(true);
  });

  test('Ctrl-C abandons a question', async () => {
    const h = await harness({ privileged: true });
    await h.run('write memory\n');
    const p = h.run('erase startup-config');
    await p;
    let out = '';
    h.session.onOutput((c) => (out += c));
    h.session.interrupt();
    await h.session.idle();
    expect(out).toBe('^C\n% Operation aborted.\n');
    expect(await h.nvram.read('startup-config')).toBeDefined();
  });

  test('? echoes the line and prints help; Tab completes', async () => {
    const h = await harness({ privileged: true });
    let out = '';
    h.session.onOutput((c) => (out += c));
    h.session.showHelp('show crypto pki ');
    expect(out).toBe('Router#show crypto pki ?\n  certificates  Show certificates\n  crls          Show the cached certificate revocation lists\n  timers        Show PKI timers\n  token         Token routes in this browser and the token state\n  trustpoints   Show trustpoints\n');
    expect(h.session.complete('conf')).toBe('configure ');
    expect(h.session.complete('configure t')).toBe('configure terminal ');
    await h.run('conf t\n');
    expect(h.session.complete('do sh ru')).toBe('do sh running-config ');
    expect(h.session.help('do sh cl')).toEqual(['clock']);
  });

  test('error carets sit under the offending character, also after do', async () => {
    const h = await harness({ privileged: true });
    const out = await h.run('conf t\ndo shw run\ncrypto pki trustpoint t\n usage ike bogus\n');
    const lines = out.split('\n');
    const i = lines.indexOf('Router(config)#do shw run');
    expect(lines[i + 1]).toBe(' '.repeat('Router(config)#do sh'.length) + '^');
    const j = lines.indexOf('Router(ca-trustpoint)# usage ike bogus');
    expect(lines[j + 1]).toBe(' '.repeat('Router(ca-trustpoint)# usage ike '.length) + '^');
  });

  test('history keeps commands, not answers', async () => {
    const h = await harness({ privileged: true });
    await h.run('show clock\ncopy running-config startup-config\n\nshow history\n');
    expect(h.session.history).toEqual(['show clock', 'copy running-config startup-config', 'show history']);
  });
});

class FailingNvram extends MemoryNvram {
  override async write(): Promise<never> {
    throw new StoreError('quota', 'nvram.write: the browser refused to store more data (quota exceeded)');
  }
}

describe('NVRAM failures never lose state', () => {
  test('a refused write reports it and keeps running- and startup-config', async () => {
    const nvram = new FailingNvram();
    await MemoryNvram.prototype.write.call(nvram, 'startup-config', '!\nhostname old\n!\nend\n');
    const h = await harness({ nvram, privileged: true });
    const out = await h.run('conf t\nhostname new\nend\nwrite memory\nshow startup-config\n');
    expect(out).toContain('Building configuration...\n% NVRAM is full: the browser refused to store more data (quota exceeded)\n');
    expect(out).toContain('hostname old');
    expect(h.app.running.hostname).toBe('new');
  });

  test('a damaged startup-config is reported at boot, not used, and left in place', async () => {
    const nvram: Nvram = new MemoryNvram();
    const rec = await nvram.write('startup-config', '!\nhostname good\n!\nend\n');
    rec.text = '!\nhostname evil\n!\nend\n'; // same object in the map: simulate bit rot
    const app = new TrustpointApp({ nvram });
    const boot = await app.boot();
    expect(boot.loaded).toBe(false);
    expect(boot.failure).toMatch(/damaged \(checksum mismatch\)/);
    expect(app.running.hostname).toBe('Router');
    await expect(nvram.read('startup-config')).rejects.toThrow(/checksum/);
  });

  test('a startup-config with bad lines applies the rest and lists the bad ones', async () => {
    const nvram = new MemoryNvram();
    await nvram.write('startup-config', '!\nhostname k1\n!\ncrypto pki trustpoint A\n enrollment url nope\n usage ike\n!\nend\n');
    const app = new TrustpointApp({ nvram });
    const boot = await app.boot();
    expect(boot.errors).toEqual([{ line: 5, text: ' enrollment url nope', message: expect.stringMatching(/Invalid URL "nope"/) }]);
    expect(app.running.hostname).toBe('k1');
    expect(app.running.trustpoints.get('A')?.usage).toEqual(['ike']);
  });
});

describe('device file systems', () => {
  test('dir, more and delete on flash:', async () => {
    const h = await harness({ privileged: true });
    await h.app.files.write('flash:tp1.req', new TextEncoder().encode('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n'), h.app.clock().getTime());
    const out = await h.run('dir flash:\nmore flash:tp1.req\ndelete flash:tp1.req\nother\ndelete flash:tp1.req\n\n\ndir flash:\nmore bogus\n');
    expect(out).toContain('Directory of flash:/\n\n    1  -rw-          41  03:12:44 UTC Fri Nov 27 2026  tp1.req\n');
    expect(out).toContain('Router#more flash:tp1.req\n-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n');
    expect(out).toContain('Delete filename [tp1.req]? other\n% Delete aborted: the file name does not match.');
    expect(out).toContain('Delete flash:tp1.req? [confirm]\nRouter#dir flash:\nDirectory of flash:/\n\nNo files in directory');
    expect(out).toContain('%Error opening bogus (Invalid file name)');
    expect(await h.app.files.read('flash:tp1.req')).toBeUndefined();
  });
});
