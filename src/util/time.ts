const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number) => String(n).padStart(2, '0');

/** `03:12:44 UTC Fri Nov 27 2026` — the form of IOS configuration timestamps (always UTC here). */
export function iosTimestamp(d: Date): string {
  return `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} UTC ${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()} ${d.getUTCFullYear()}`;
}

/** `18:16:45 UTC Jun 7 2002` — the form of certificate validity dates in `show crypto pki`. */
export function iosDate(d: Date): string {
  return `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} UTC ${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()} ${d.getUTCFullYear()}`;
}

/** `*03:12:44.123 UTC Fri Nov 27 2026` — `show clock`. */
export function iosClock(d: Date): string {
  return `*${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.${String(d.getUTCMilliseconds()).padStart(3, '0')} UTC ${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()} ${d.getUTCFullYear()}`;
}

/** `1 week, 2 days, 3 hours, 4 minutes` — IOS uptime wording. */
export function iosUptime(ms: number): string {
  let m = Math.floor(ms / 60000);
  const parts: string[] = [];
  const unit = (n: number, s: string) => parts.push(`${n} ${s}${n === 1 ? '' : 's'}`);
  const weeks = Math.floor(m / 10080);
  m -= weeks * 10080;
  const days = Math.floor(m / 1440);
  m -= days * 1440;
  const hours = Math.floor(m / 60);
  m -= hours * 60;
  if (weeks) unit(weeks, 'week');
  if (days) unit(days, 'day');
  if (hours) unit(hours, 'hour');
  unit(m, 'minute');
  return parts.join(', ');
}

/** `*Dec 21 19:14:15.421` — the timestamp of IOS syslog lines (UTC here). */
export function iosLogStamp(d: Date): string {
  return `*${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.${String(d.getUTCMilliseconds()).padStart(3, '0')}`;
}
