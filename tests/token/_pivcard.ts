/**
 * The software PIV card lab (lab/pivcard.sh) from tests: a private pcscd with the virtual reader
 * and our PIV card in it. Each test process uses its own directory (and so its own pcscd and
 * card). `remove()` / `insert()` pull the card out and put it back (the keys stay).
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../lab/pivcard.sh', import.meta.url));

export interface PivCardLab {
  dir: string;
  /** PCSCLITE_CSOCK_NAME of its pcscd */
  socket: string;
  remove(): void;
  insert(opts?: { applet?: 'piv' | 'none' }): void;
  /** a new card (fresh keys, PIN and PUK; keeps pcscd) */
  renew(): void;
  stop(): void;
}

export function startPivCard(dir: string, env: Record<string, string> = {}): PivCardLab {
  const abs = fileURLToPath(new URL(`../../${dir}`, import.meta.url));
  const run = (...args: string[]) => execFileSync('bash', [SCRIPT, ...args], { env: { ...process.env, PIVCARD_DIR: abs, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  run('stop');
  rmSync(abs, { recursive: true, force: true });
  run('start');
  return {
    dir: abs,
    socket: `${abs}/run/pcscd/pcscd.comm`,
    remove: () => void run('remove'),
    insert: (o = {}) => void run('insert', ...(o.applet ? ['--applet', o.applet] : [])),
    renew: () => {
      run('remove');
      rmSync(`${abs}/card.json`, { force: true });
      run('insert');
    },
    stop: () => void run('stop'),
  };
}
