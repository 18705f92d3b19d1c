/**
 * URLs in `enrollment url`, `authentication url` and profile `enrollment url`: HTTP(S) CA URLs
 * (IPv6 hosts in brackets, as the guide shows), TFTP/FTP URLs, and IOS file-system paths
 * (`flash:name`, `nvram:name`, `disk0:/dir/name`, `usbflash0:`). The browser maps the last
 * two kinds onto files (issue 4); here they are only validated and kept verbatim.
 */
import { isIPv4, isIPv6 } from './grammar.ts';

export type EnrollmentUrl =
  | { kind: 'http'; scheme: 'http' | 'https'; host: string; port?: number; path: string }
  | { kind: 'tftp' | 'ftp'; host: string; path: string }
  | { kind: 'ifs'; filesystem: string; path: string };

const HOST = /^(?=.{1,253}$)([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;

/** Parses an enrollment URL; returns an error message (without "% ") when it is not valid. */
export function parseEnrollmentUrl(text: string): EnrollmentUrl | { error: string } {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):(.*)$/.exec(text);
  if (!m) return { error: `Invalid URL "${text}": expected http://host/..., tftp://host/file or a file system such as flash:name` };
  const scheme = m[1]!.toLowerCase();
  const rest = m[2]!;
  if (scheme === 'http' || scheme === 'https' || scheme === 'tftp' || scheme === 'ftp') {
    if (!rest.startsWith('//')) return { error: `Invalid URL "${text}": expected ${scheme}://host` };
    const auth = /^\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/?#]*)(?::(\d*))?([/?#].*)?$/.exec(rest);
    if (!auth) return { error: `Invalid URL "${text}"` };
    let host = auth[1]!;
    if (host.startsWith('[')) {
      if (!isIPv6(host.slice(1, -1))) return { error: `Invalid URL "${text}": bad IPv6 address ${host}` };
    } else if (!host) return { error: `Invalid URL "${text}": no host` };
    else if (!isIPv4(host) && !HOST.test(host)) return { error: `Invalid URL "${text}": bad host name "${host}"` };
    host = host.toLowerCase();
    let port: number | undefined;
    if (auth[2] !== undefined && auth[2] !== '') {
      port = Number(auth[2]);
      if (!(port >= 1 && port <= 65535)) return { error: `Invalid URL "${text}": port must be 1-65535` };
    }
    const path = auth[3] ?? '';
    if (scheme === 'http' || scheme === 'https') return port === undefined ? { kind: 'http', scheme, host, path } : { kind: 'http', scheme, host, port, path };
    return { kind: scheme, host, path };
  }
  if (/^[a-z][a-z0-9-]*$/.test(scheme)) return { kind: 'ifs', filesystem: scheme, path: rest };
  return { error: `Invalid URL "${text}"` };
}

export function isUrlError(u: EnrollmentUrl | { error: string }): u is { error: string } {
  return 'error' in u;
}
