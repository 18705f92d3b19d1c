#!/usr/bin/env node
// Writes dist/demo-ca.json for the app (src/app/demo.ts), called by scripts/start.sh:
//   node scripts/demo-ca.mjs available <lab.json> <out>    the lab is up: its URL, CA fingerprint, challenge
//   node scripts/demo-ca.mjs unavailable <reason> <out>    it is not, and why
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

const [mode, arg, out] = process.argv.slice(2);
if (!out || (mode !== 'available' && mode !== 'unavailable')) {
  console.error('usage: demo-ca.mjs available <lab.json> <out> | unavailable <reason> <out>');
  process.exit(2);
}
let body;
if (mode === 'available') {
  const lab = JSON.parse(readFileSync(arg, 'utf8'));
  const der = readFileSync(lab.caDer);
  const subject = new X509Certificate(der).subject.split('\n').join(', ');
  body = { available: true, url: lab.scepUrl, fingerprint: createHash('sha256').update(der).digest('hex').toUpperCase(), challenge: lab.challenge, caSubject: subject };
} else {
  body = { available: false, reason: arg.replace(/[\u0000-\u001f]+/g, ' ').trim().slice(0, 400) || 'no reason given' };
}
writeFileSync(out, JSON.stringify(body, null, 2) + '\n');
