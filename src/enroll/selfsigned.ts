/**
 * `enrollment selfsigned`: the persistent self-signed certificate (IOS's
 * "IOS-Self-Signed-Certificate-<serial>", ten years), one per device — replacing it asks
 * first — made with the trustpoint's general-purpose key and stored with it in one commit.
 */
import type { Trustpoint } from '../config/model.ts';
import { buildSelfSigned } from '../pki/certgen.ts';
import { subjectPublicKeyBits } from '../pki/chain/cert.ts';
import type { EnrollHost, EnrollKey } from './host.ts';
import { askIdentity, subjectFor } from './identity.ts';
import { isYes, refuse } from './io.ts';

export async function enrollSelfSigned<K extends EnrollKey>(host: EnrollHost<K>, tp: Trustpoint): Promise<void> {
  const io = host.io;
  const cfg = host.running;
  // One persistent self-signed certificate per device (IOS): find any.
  const holders = [...cfg.chains.values()].filter((c) => c.certificates.some((x) => x.kind === 'self-signed'));
  if (holders.length) {
    const where = holders.map((h) => h.trustpoint).join(', ');
    io.print(`% You already have a persistent self-signed certificate (trustpoint ${where}).`);
    if (!(await io.confirm('% Do you want to replace it? [yes/no]: '))) refuse('% Self-signed certificate not replaced.');
  }
  const keys = await host.keysFor(tp, { forEnrollment: true, generalOnly: true });
  const key = keys[0]!;
  const id = await askIdentity(host, io, tp, true);
  const gen = await io.ask({ text: 'Generate Self Signed Router Certificate? [yes/no]: ', kind: 'yesno' });
  if (!isYes(gen)) refuse('% Self-signed certificate not generated.');
  const signer = await host.signer(key);
  const cn = `IOS-Self-Signed-Certificate-${parseInt(host.serialNumber, 16)}`;
  const { subject } = subjectFor(host, { ...tp, subjectName: tp.subjectName || `CN=${cn}` }, id);
  const now = host.clock();
  const notAfter = new Date(Date.UTC(now.getUTCFullYear() + 10, 0, 1));
  const keyIdentifier = await host.sha1(subjectPublicKeyBits(signer.spki));
  const der = await buildSelfSigned({ subject, serial: new Uint8Array([1]), notBefore: now, notAfter, usage: tp.usage ?? ['ike'], keyIdentifier }, signer, io.signal);
  const holderNames = holders.map((h) => h.trustpoint);
  io.print('Router Self Signed Certificate successfully created');
  await host.commit({
    activate: [key],
    apply: (c) => {
      for (const h of holderNames) {
        const x = c.chains.get(h);
        if (x) x.certificates = x.certificates.filter((y) => y.kind !== 'self-signed');
      }
      const chain = c.chains.get(tp.name) ?? { trustpoint: tp.name, certificates: [] };
      chain.certificates = [...chain.certificates.filter((y) => y.kind !== 'self-signed' && y.kind !== 'general'), { kind: 'self-signed', serial: '01', der }];
      c.chains.set(tp.name, chain);
    },
  });
}
