/**
 * User and privileged EXEC commands: modes (enable, disable, configure, exit), NVRAM
 * (write, copy, erase, dir, show startup-config), show running-config, show version/history/
 * clock, terminal settings and reload.
 */
import type { CliCommand, CommandCtx } from '../session.ts';
import { STARTUP_CONFIG, VERSION } from '../../app/app.ts';
import { NVRAM_CAPACITY } from '../../app/surface.ts';
import { utf8 } from '../../util/bytes.ts';
import { iosClock, iosTimestamp, iosUptime } from '../../util/time.ts';
import { isYes } from '../../app/prompter.ts';

const SHOW_HELP = { show: 'Show running system information' };

/** `show running-config` / `write terminal`. */
async function showRunning(ctx: CommandCtx): Promise<void> {
  const text = ctx.app.runningText();
  const lines = text.replace(/\n$/, '').split('\n');
  lines.splice(1, 0, `! Last configuration change at ${iosTimestamp(ctx.app.lastChange)}`, '!');
  const body = lines.join('\n') + '\n';
  ctx.print('Building configuration...');
  ctx.print('');
  ctx.print(`Current configuration : ${utf8(body).length} bytes`);
  ctx.session.write(body);
}

async function showStartup(ctx: CommandCtx): Promise<void> {
  const file = await ctx.app.startup();
  if (!file) {
    ctx.print('startup-config is not present');
    return;
  }
  const lines = file.text.replace(/\n$/, '').split('\n');
  lines.splice(1, 0, `! NVRAM config last updated at ${iosTimestamp(new Date(file.savedAt))}`, '!');
  ctx.print(`Using ${file.bytes} out of ${NVRAM_CAPACITY} bytes`);
  ctx.session.write(lines.join('\n') + '\n');
}

async function writeMemory(ctx: CommandCtx): Promise<void> {
  ctx.print('Building configuration...');
  await ctx.app.saveRunning();
  ctx.print('[OK]');
}

async function eraseStartup(ctx: CommandCtx): Promise<void> {
  const a = await ctx.ask({ text: 'Erasing the nvram filesystem will remove all configuration files! Continue? [confirm]', kind: 'confirm' });
  if (!(a.trim() === '' || isYes(a))) {
    ctx.print('% Erase aborted.');
    return;
  }
  await ctx.app.eraseStartup();
  ctx.print('[OK]');
  ctx.print('Erase of nvram: complete');
}

async function copyRunStart(ctx: CommandCtx): Promise<void> {
  const dest = (await ctx.ask({ text: `Destination filename [${STARTUP_CONFIG}]? `, kind: 'text', default: STARTUP_CONFIG })).trim();
  if (dest !== STARTUP_CONFIG && dest !== `nvram:${STARTUP_CONFIG}`) {
    ctx.print(`%Error opening nvram:${dest} (Permission denied): only startup-config can be written to nvram:`);
    return;
  }
  await writeMemory(ctx);
}

async function copyStartRun(ctx: CommandCtx): Promise<void> {
  const dest = (await ctx.ask({ text: 'Destination filename [running-config]? ', kind: 'text', default: 'running-config' })).trim();
  if (dest !== 'running-config' && dest !== 'system:running-config') {
    ctx.print(`%Error opening system:${dest} (No such file or directory)`);
    return;
  }
  const file = await ctx.app.startup();
  if (!file) {
    ctx.print('%Error opening nvram:startup-config (No such file or directory)');
    return;
  }
  const { errors } = await ctx.app.mergeStartup();
  for (const e of errors) {
    ctx.print(`% Line ${e.line}: ${e.text.trim()}`);
    ctx.print(`  ${e.message}`);
  }
  ctx.print(`${file.bytes} bytes copied`);
}

async function dirNvram(ctx: CommandCtx): Promise<void> {
  const files = [
    ...(await ctx.app.nvram.list()),
    ...(await ctx.app.files.list('nvram')).map((f) => ({ name: f.path.slice('nvram:'.length), bytes: f.data.length, savedAt: f.savedAt })),
  ];
  ctx.print('Directory of nvram:/');
  ctx.print('');
  let used = 0;
  files.forEach((f, i) => {
    used += f.bytes;
    ctx.print(`${String(i + 1).padStart(5)}  -rw-  ${String(f.bytes).padStart(10)}  ${iosTimestamp(new Date(f.savedAt))}  ${f.name}`);
  });
  if (!files.length) ctx.print('No files in directory');
  ctx.print('');
  ctx.print(`${NVRAM_CAPACITY} bytes total (${NVRAM_CAPACITY - used} bytes free)`);
  const p = ctx.app.persistState;
  ctx.print(
    !ctx.app.nvram.persistent
      ? '% nvram: is held in memory only (IndexedDB is unavailable): nothing survives a reload.'
      : p === 'granted'
        ? 'nvram: is IndexedDB with persistent storage granted by the browser.'
        : p === 'denied'
          ? 'nvram: is IndexedDB; the browser did not grant persistent storage, so it may evict the data under storage pressure.'
          : 'nvram: is IndexedDB; persistent storage is not supported by this browser.',
  );
}

async function reload(ctx: CommandCtx): Promise<void> {
  if (!ctx.app.canReload()) {
    ctx.print('% Reload is not available in this session.');
    return;
  }
  if (await ctx.app.isModified()) {
    const a = await ctx.ask({ text: 'System configuration has been modified. Save? [yes/no]: ', kind: 'yesno' });
    if (isYes(a)) await writeMemory(ctx);
  }
  const c = await ctx.ask({ text: 'Proceed with reload? [confirm]', kind: 'confirm' });
  if (!(c.trim() === '' || isYes(c))) return;
  ctx.app.reload();
}

function showVersion(ctx: CommandCtx): void {
  const app = ctx.app;
  ctx.print(`Trustpoint Software, Version ${VERSION}`);
  ctx.print('Certificate enrollment for the browser, modelled on the Cisco IOS PKI client.');
  ctx.print('');
  ctx.print(`${app.running.hostname} uptime is ${iosUptime(app.clock().getTime() - app.bootedAt.getTime())}`);
  ctx.print(`Processor board ID ${app.serialNumber}`);
  if (typeof navigator !== 'undefined' && navigator.userAgent) ctx.print(`Browser: ${navigator.userAgent}`);
  ctx.print(`Crypto: WebCrypto ${typeof crypto !== 'undefined' && crypto.subtle ? 'available' : 'NOT available (plain-HTTP page?)'}, WASM core`);
  ctx.print(`NVRAM: ${app.nvram.persistent ? 'IndexedDB' : 'memory only'} (${NVRAM_CAPACITY} bytes)`);
}

function showHistory(ctx: CommandCtx): void {
  const h = ctx.session.history;
  for (const l of h.slice(-ctx.session.historySize)) ctx.print(`  ${l}`);
}

const common: CliCommand[] = [
  {
    syntax: 'show ( version$v | history$h | clock$c )',
    help: { ...SHOW_HELP, version: 'System hardware and software status', history: 'Display the session command history', clock: 'Display the system clock' },
    handler(ctx, a) {
      if (a.v) showVersion(ctx);
      else if (a.h) showHistory(ctx);
      else ctx.print(iosClock(ctx.app.clock()));
    },
  },
  {
    syntax: 'terminal ( length <0-512> | width <0-512> | history [size <0-256>$size] | no history$nohist )',
    help: {
      terminal: 'Set terminal line parameters',
      length: 'Set number of lines on a screen',
      width: 'Set width of the display terminal',
      history: 'Enable and control the command history function',
      size: 'Set history buffer size',
      no: 'Negate a command or set its defaults',
    },
    handler(ctx, a) {
      if (a.size !== undefined) ctx.session.historySize = Number(a.size);
      if (a.nohist !== undefined) ctx.session.historySize = 0;
    },
  },
  {
    syntax: '( exit | logout )',
    help: { exit: 'Exit from the EXEC', logout: 'Exit from the EXEC' },
    handler(ctx) {
      ctx.print('');
      ctx.print(`${ctx.app.running.hostname} con0 is now available`);
      ctx.print('');
      ctx.print('Press RETURN to get started.');
      ctx.print('');
      ctx.setMode('user');
    },
  },
];

const user: CliCommand[] = [
  {
    syntax: 'enable',
    help: { enable: 'Turn on privileged commands' },
    handler(ctx) {
      ctx.setMode('exec');
    },
  },
  ...common,
];

const exec: CliCommand[] = [
  {
    syntax: 'enable',
    help: { enable: 'Turn on privileged commands' },
    handler() {},
  },
  {
    syntax: 'disable',
    help: { disable: 'Turn off privileged commands' },
    handler(ctx) {
      ctx.setMode('user');
    },
  },
  {
    syntax: 'configure [( terminal$t | memory$m )]',
    help: { configure: 'Enter configuration mode', terminal: 'Configure from the terminal', memory: 'Configure from NV memory' },
    async handler(ctx, a) {
      let how = a.t ? 'terminal' : a.m ? 'memory' : undefined;
      if (!how) {
        const ans = (await ctx.ask({ text: 'Configuring from terminal, memory, or network [terminal]? ', kind: 'text', default: 'terminal' })).trim().toLowerCase();
        how = 'terminal'.startsWith(ans) ? 'terminal' : 'memory'.startsWith(ans) ? 'memory' : ans;
      }
      if (how === 'terminal') {
        ctx.print('Enter configuration commands, one per line.  End with CNTL/Z.');
        ctx.setMode('config');
      } else if (how === 'memory') {
        const { found, errors } = await ctx.app.mergeStartup();
        if (!found) ctx.print('%Error opening nvram:startup-config (No such file or directory)');
        for (const e of errors) ctx.print(`% Line ${e.line}: ${e.message}`);
      } else ctx.print('?Must be "terminal", "memory" or "network"');
    },
  },
  {
    syntax: 'show ( running-config$run | startup-config$start )',
    help: { ...SHOW_HELP, 'running-config': 'Current operating configuration', 'startup-config': 'Contents of startup configuration' },
    async handler(ctx, a) {
      if (a.run) await showRunning(ctx);
      else await showStartup(ctx);
    },
  },
  {
    syntax: 'write [( memory$mem | terminal$term | erase$erase )]',
    help: { write: 'Write running configuration to memory, network, or terminal', memory: 'Write to NV memory', terminal: 'Write to terminal', erase: 'Erase NV memory' },
    async handler(ctx, a) {
      if (a.term) await showRunning(ctx);
      else if (a.erase) await eraseStartup(ctx);
      else await writeMemory(ctx);
    },
  },
  {
    syntax:
      'copy ( running-config$rs startup-config | system:running-config$rs nvram:startup-config | startup-config$sr running-config | nvram:startup-config$sr system:running-config )',
    help: {
      copy: 'Copy from one file to another',
      'running-config': 'Copy from current system configuration',
      'startup-config': 'Copy from startup configuration',
      'system:running-config': 'Copy from current system configuration',
      'nvram:startup-config': 'Copy from startup configuration',
    },
    async handler(ctx, a) {
      if (a.rs) await copyRunStart(ctx);
      else await copyStartRun(ctx);
    },
  },
  {
    syntax: 'erase ( startup-config | nvram: )',
    help: { erase: 'Erase a filesystem', 'startup-config': 'Erase contents of configuration memory', 'nvram:': 'Erase the nvram: filesystem' },
    async handler(ctx) {
      await eraseStartup(ctx);
    },
  },
  {
    syntax: 'dir [nvram:]',
    help: { dir: 'List files on a filesystem', 'nvram:': 'The nvram: filesystem' },
    async handler(ctx) {
      await dirNvram(ctx);
    },
  },
  {
    syntax: 'reload',
    help: { reload: 'Halt and perform a cold restart' },
    async handler(ctx) {
      await reload(ctx);
    },
  },
  ...common,
];

export const EXEC_COMMANDS = { user, exec };
