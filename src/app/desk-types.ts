/**
 * The provisioning desk's data: rows (one device each), the batch kept in IndexedDB so a
 * reload resumes it, and the CSV/paste reader. No crypto here (this module is in the first
 * chunk; the workflow, src/app/desk.ts, is loaded on first use).
 */

export interface DeskRow {
  /** device name: the CN unless `subject` is given, and the PKCS#12 file name */
  name: string;
  /** X.500 subject, e.g. `CN=dev1, O=example.com` */
  subject?: string;
  /** DNS names or e-mail addresses */
  san?: string[];
  /** challenge password for this row (else the trustpoint's) */
  challenge?: string;
  /** export password for this row (else the batch's) */
  password?: string;
}

/**
 * queued → keygen → sending → issued; `failed` with an error; `interrupted` when the page
 * went away (or Cancel was pressed) while the request was at the CA: it may have been issued,
 * so it is never sent again by itself.
 */
export type DeskRowState = 'queued' | 'keygen' | 'sending' | 'issued' | 'failed' | 'interrupted' | 'cancelled';

export interface DeskBatchRow {
  name: string;
  subject: string;
  san: string[];
  state: DeskRowState;
  error?: string;
  serial?: string;
  notAfter?: number;
  transactionID?: string;
  /** stage times (ms) */
  ms?: { keygen?: number; enroll?: number; pkcs12?: number };
}

export interface DeskSpec {
  trustpoint: string;
  rows: DeskRow[];
  /** export password for rows without their own */
  password: string;
  profile: 'aes' | '3des';
  /** requests in flight at the CA at once (1–8, default 1: some CAs, micromdm's file depot among
   *  them, are not safe with parallel requests) */
  concurrency?: number;
}

export interface DeskBatch {
  id: string;
  trustpoint: string;
  createdAt: number;
  profile: 'aes' | '3des';
  concurrency: number;
  rows: DeskBatchRow[];
  /** true while this tab works on it */
  running: boolean;
}

/** Splits one CSV line (RFC 4180 quoting). */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (q) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') q = false;
      else cur += c;
    } else if (c === '"') q = true;
    else if (c === ',' || c === ';' || c === '\t') {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  out.push(cur.trim());
  return out;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/**
 * Device names pasted one per line, or a CSV with the columns name, subject,
 * subject-alt-names, challenge (and optionally password), with or without a header line.
 * Subject-alt-names inside one field are separated by spaces.
 */
export function parseDeskRows(text: string): { rows: DeskRow[]; errors: string[] } {
  const rows: DeskRow[] = [];
  const errors: string[] = [];
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let cols = ['name', 'subject', 'subject-alt-names', 'challenge', 'password'];
  const seen = new Set<string>();
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const f = csvFields(line);
    if (i === 0 && f.some((x) => /^name$/i.test(x))) {
      cols = f.map((x) => x.toLowerCase().replace(/[\s_]+/g, '-').replace(/^san$|^subject-alt-name$|^subject-alternative-names?$/, 'subject-alt-names'));
      return;
    }
    const get = (c: string) => {
      const k = cols.indexOf(c);
      return k >= 0 ? (f[k] ?? '').trim() : '';
    };
    const name = get('name');
    if (!NAME_RE.test(name)) {
      errors.push(`line ${i + 1}: "${name}" is not a device name (letters, digits, . _ - @; up to 64)`);
      return;
    }
    if (seen.has(name.toLowerCase())) {
      errors.push(`line ${i + 1}: ${name} is listed twice`);
      return;
    }
    seen.add(name.toLowerCase());
    const row: DeskRow = { name };
    const subject = get('subject');
    const san = get('subject-alt-names');
    const challenge = get('challenge');
    const password = get('password');
    if (subject) row.subject = subject;
    if (san) row.san = san.split(/\s+/).filter(Boolean);
    if (challenge) row.challenge = challenge;
    if (password) row.password = password;
    rows.push(row);
  });
  return { rows, errors };
}
