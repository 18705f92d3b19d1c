/**
 * The commands feed: every GUI action records the IOS commands that do the same; the GUI's
 * Commands panel and the console history listen. Tiny on purpose (it is in the first chunk;
 * services.ts re-exports it).
 */
import type { TrustpointApp } from './app.ts';

export interface CommandRecord {
  title: string;
  lines: string[];
  at: number;
}

const feeds = new WeakMap<TrustpointApp, Set<(c: CommandRecord) => void>>();
const lastRecords = new WeakMap<TrustpointApp, CommandRecord[]>();

export function onCommands(app: TrustpointApp, fn: (c: CommandRecord) => void): () => void {
  let s = feeds.get(app);
  if (!s) feeds.set(app, (s = new Set()));
  s.add(fn);
  return () => s.delete(fn);
}

/** The last few command records (newest last), for a panel opened after the action. */
export function recentCommands(app: TrustpointApp): CommandRecord[] {
  return lastRecords.get(app) ?? [];
}

/** Every argument in a password slot (and an ACME EAB key) (however abbreviated: `pa`, `passw`, `password 7 …`) becomes `*****`. */
export function redactCommand(line: string): string {
  return line
    .replace(/(^|\s)(pa(?:s(?:s(?:w(?:o(?:r(?:d)?)?)?)?)?)?)(\s+)(?:[07]\s+)?\S.*$/i, '$1$2$3*****')
    .replace(/(\seab\s+\S+\s+)(?:[07]\s+)?\S+/i, '$1*****');
}

export function recordCommands(app: TrustpointApp, title: string, lines: string[]): CommandRecord {
  const rec = { title, lines: lines.map(redactCommand), at: Date.now() };
  const list = lastRecords.get(app) ?? [];
  list.push(rec);
  if (list.length > 20) list.shift();
  lastRecords.set(app, list);
  for (const f of feeds.get(app) ?? []) f(rec);
  return rec;
}

