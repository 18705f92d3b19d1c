/**
 * File enrollment (`enrollment url tftp://…`, `flash:`, `nvram:` …): where `NAME.req` /
 * `NAME.crt` (`-sign`/`-encr` for usage keys) live. An IOS file system is kept by the app
 * (IndexedDB); TFTP/FTP are impossible in a browser (UDP), so those files are offered as
 * downloads and read back from a drop or a paste.
 */
import { fqdnOf, type RunningConfig } from '../config/model.ts';
import { isUrlError, parseEnrollmentUrl } from '../config/url.ts';
import { readPasted, type PemBlock } from '../pki/pem.ts';
import type { EnrollHost } from './host.ts';
import { readPaste, refuse } from './io.ts';

export type FileTarget =
  /** an IOS file system kept in IndexedDB (flash:, disk0: ...) */
  | { kind: 'fs'; fs: string; base: string }
  /** TFTP/FTP: the browser's own files (download, file picker, drag-and-drop, paste) */
  | { kind: 'browser'; base: string; url: string };

/**
 * The file base name an enrollment URL implies (IOS: the file specification of the URL, else
 * the FQDN), and where it lives. HTTP(S) URLs are not file targets.
 */
export function fileTarget(url: string, cfg: RunningConfig): FileTarget | undefined {
  const u = parseEnrollmentUrl(url);
  if (isUrlError(u)) return undefined;
  if (u.kind === 'http') return undefined;
  if (u.kind === 'ifs') {
    const path = u.path.replace(/^\/+/, '');
    return { kind: 'fs', fs: u.filesystem, base: path || fqdnOf(cfg) };
  }
  const last = u.path.split('/').filter(Boolean).pop();
  return { kind: 'browser', base: last || fqdnOf(cfg), url };
}

/** Reads `name` from the target: the IOS file system, or what the user drops or pastes. */
export async function readTargetFile(host: EnrollHost, t: FileTarget, name: string): Promise<PemBlock[]> {
  const io = host.io;
  if (t.kind === 'fs') {
    const path = `${t.fs}:${name}`;
    const data = await host.readFile(path);
    if (!data) refuse(`%Error opening ${path} (No such file or directory)`);
    io.print(`Loading ${path} ... (${data.length} bytes)`);
    return readPasted(data);
  }
  io.print(`% TFTP is not possible in a browser: provide ${name} instead —`);
  io.print('% drop the file on the console, or paste its contents (PEM or base64).');
  io.print('End with a blank line or the word "quit" on a line by itself');
  const text = await readPaste(io);
  if (!text.trim()) refuse(`% No data for ${name}: nothing imported.`);
  return readPasted(text);
}

/** Writes a certificate request `name` to the target (or offers it as a download). */
export async function writeTargetFile(host: EnrollHost, t: FileTarget, name: string, data: Uint8Array): Promise<void> {
  if (t.kind === 'fs') {
    const path = `${t.fs}:${name}`;
    await host.writeFile(path, data);
    host.io.print(`% Certificate request written to ${path} (${data.length} bytes)`);
    return;
  }
  host.offerDownload(name, data, 'application/pkcs10');
  host.io.print(`% TFTP is not possible in a browser: ${name} is offered as a download (save it where the CA will pick it up).`);
}
