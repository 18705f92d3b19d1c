/**
 * Captures SCEP messages from the scripted FAKE CA (tests/fakes/fake-scep.ts) for the fuzz
 * seeds in tests/vectors/scep-captures/: replies the real server (micromdm) never gives — a
 * PENDING CertRep, a FAILURE with failInfoText, and an NDES-style RA GetCACert (degenerate
 * PKCS#7 with RA sign, RA encrypt and CA certificates). The request sent is one of ours captured
 * from the real server's run (trustpoint-pkcsreq-aes-128-cbc.der): PENDING and FAILURE need no
 * decryptable content. Run: npx tsx scripts/fuzz/capture-fake-scep.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeScep } from '../../tests/fakes/fake-scep.ts';

const DIR = fileURLToPath(new URL('../../tests/vectors/scep-captures/', import.meta.url));
const request = readFileSync(join(DIR, 'trustpoint-pkcsreq-aes-128-cbc.der'));

const post = async (url: string) => new Uint8Array(await (await fetch(`${url}?operation=PKIOperation`, { method: 'POST', body: request })).arrayBuffer());

const f = await startFakeScep({ script: ['pending', { failure: 2, text: 'challenge password rejected' }], ra: { keyUsage: 'ndes' } });
try {
  writeFileSync(join(DIR, 'fake-certrep-pending.der'), await post(f.url));
  writeFileSync(join(DIR, 'fake-certrep-failure-text.der'), await post(f.url));
  writeFileSync(join(DIR, 'fake-getcacert-ra.p7b'), new Uint8Array(await (await fetch(`${f.url}?operation=GetCACert&message=CA`)).arrayBuffer()));
  writeFileSync(join(DIR, 'fake-ca.der'), f.caDer);
  console.log('written:', DIR);
} finally {
  await f.close();
}
