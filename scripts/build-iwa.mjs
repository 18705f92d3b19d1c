#!/usr/bin/env node
/**
 * `npm run build:iwa`: Trustpoint as an Isolated Web App — the only kind of web app Chromium lets
 * claim a USB smart-card interface (`usb-unrestricted`, Chromium 128+) or use the Web Smart Card
 * API (`smart-card`). Builds the app into dist-iwa/app, adds the IWA manifest at
 * /.well-known/manifest.webmanifest with a permissions policy granting usb, usb-unrestricted,
 * smart-card and cross-origin-isolated to the app itself, packs every file into a Web Bundle
 * (`wbn`, format b2) under isolated-app://<id>/, and signs it with an Ed25519 key (`wbn-sign`,
 * integrity block v2). Output: dist-iwa/trustpoint.swbn and dist-iwa/iwa.json.
 *
 * The signing key decides the app's identity (its Web Bundle ID and origin): keep it. It is
 * read from $IWA_SIGNING_KEY (a PEM file) or .iwa/signing-key.pem, which is made on first use
 * (mode 600; .iwa/ is git-ignored). Installing: README, "Tokens".
 */
import { execFileSync } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as wbn from 'wbn';
import * as wbnSign from 'wbn-sign';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'dist-iwa');
const APP = join(OUT, 'app');

/** What the app may use (the IWA manifest's permissions_policy; the browser still asks the user). */
export const PERMISSIONS_POLICY = {
  usb: ['self'],
  'usb-unrestricted': ['self'],
  'smart-card': ['self'],
  'cross-origin-isolated': ['self'],
};

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.map': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

function signingKey() {
  const path = process.env.IWA_SIGNING_KEY || join(ROOT, '.iwa', 'signing-key.pem');
  if (!existsSync(path)) {
    if (process.env.IWA_SIGNING_KEY) throw new Error(`build:iwa: IWA_SIGNING_KEY names ${path}, which does not exist`);
    mkdirSync(dirname(path), { recursive: true });
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(path, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    chmodSync(path, 0o600);
    console.log(`build:iwa: made a new Ed25519 signing key in ${relative(ROOT, path)} (keep it: it is the app's identity)`);
  }
  const key = createPrivateKey(readFileSync(path));
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`build:iwa: ${path} is a ${key.asymmetricKeyType} key; an Ed25519 key is needed`);
  return key;
}

function files(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else out.push(p);
  }
  return out.sort();
}

async function main() {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  rmSync(OUT, { recursive: true, force: true });
  if (!process.argv.includes('--no-vite')) {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', APP, '--emptyOutDir', '--base', '/'], { cwd: ROOT, stdio: 'inherit' });
  }
  // The IWA manifest: the PWA's, made absolute, with a version and the permissions policy.
  const pwa = JSON.parse(readFileSync(join(APP, 'manifest.webmanifest'), 'utf8'));
  const abs = (u) => (typeof u === 'string' ? '/' + u.replace(/^\.\//, '').replace(/^\//, '') : u);
  const manifest = {
    ...pwa,
    id: '/',
    start_url: '/',
    scope: '/',
    version: pkg.version,
    icons: pwa.icons.map((i) => ({ ...i, src: abs(i.src) })),
    file_handlers: (pwa.file_handlers ?? []).map((h) => ({ ...h, action: abs(h.action) })),
    permissions_policy: PERMISSIONS_POLICY,
  };
  mkdirSync(join(APP, '.well-known'), { recursive: true });
  writeFileSync(join(APP, '.well-known', 'manifest.webmanifest'), JSON.stringify(manifest, null, 2));

  const key = signingKey();
  const id = new wbnSign.WebBundleId(key).serialize();
  const origin = `isolated-app://${id}/`;
  const builder = new wbn.BundleBuilder('b2');
  const list = [];
  for (const f of files(APP)) {
    const path = relative(APP, f).split('\\').join('/');
    const mime = MIME[extname(f)] ?? 'application/octet-stream';
    const body = readFileSync(f);
    builder.addExchange(origin + path, 200, { 'Content-Type': mime }, body);
    if (path === 'index.html') builder.addExchange(origin, 200, { 'Content-Type': mime }, body);
    list.push(path);
  }
  const bundle = builder.createBundle();
  const { signedWebBundle } = await new wbnSign.IntegrityBlockSigner(bundle, id, [new wbnSign.NodeCryptoSigningStrategy(key)]).sign();
  const out = join(OUT, 'trustpoint.swbn');
  writeFileSync(out, signedWebBundle);
  const info = { webBundleId: id, origin, version: pkg.version, bytes: signedWebBundle.length, files: list, permissionsPolicy: PERMISSIONS_POLICY };
  writeFileSync(join(OUT, 'iwa.json'), JSON.stringify(info, null, 2));
  console.log(`build:iwa: ${relative(ROOT, out)} (${signedWebBundle.length} bytes, ${list.length} files)`);
  console.log(`build:iwa: app origin ${origin}`);
  console.log('build:iwa: install in Chromium with IWA developer mode (README, "Tokens")');
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
