/**
 * The device file systems from the console: `dir flash:`, `more flash:NAME`,
 * `delete flash:NAME` (what `enrollment url flash:NAME` reads and writes).
 */
import type { CliCommand, CommandCtx } from '../session.ts';
import { FILESYSTEMS, FILESYSTEM_CAPACITY, normalizePath } from '../../app/surface.ts';
import { iosTimestamp } from '../../util/time.ts';
import { toIosHexWords } from '../../util/hex.ts';

const FS_ALT = FILESYSTEMS.filter((f) => f !== 'nvram').map((f) => `${f}:$fs`).join(' | ');

function splitPath(arg: string): { fs: string; path: string } | undefined {
  const m = /^([a-z][a-z0-9]*):(.*)$/i.exec(arg);
  return m ? { fs: m[1]!.toLowerCase(), path: m[2]! } : undefined;
}

async function dir(ctx: CommandCtx, fs: string): Promise<void> {
  const files = await ctx.app.files.list(fs);
  ctx.print(`Directory of ${fs}:/`);
  ctx.print('');
  let used = 0;
  files.forEach((f, i) => {
    used += f.data.length;
    ctx.print(`${String(i + 1).padStart(5)}  -rw-  ${String(f.data.length).padStart(10)}  ${iosTimestamp(new Date(f.savedAt))}  ${f.path.slice(fs.length + 1)}`);
  });
  if (!files.length) ctx.print('No files in directory');
  ctx.print('');
  ctx.print(`${FILESYSTEM_CAPACITY} bytes total (${FILESYSTEM_CAPACITY - used} bytes free)`);
}

async function file(ctx: CommandCtx, arg: string): Promise<string | undefined> {
  const p = splitPath(arg);
  if (!p || !p.path) {
    ctx.print(`%Error opening ${arg} (Invalid file name): use FILESYSTEM:NAME, e.g. flash:tp1.crt`);
    return undefined;
  }
  try {
    return normalizePath(p.fs, p.path);
  } catch (e) {
    ctx.print(`%Error opening ${arg} (${(e as Error).message.replace(/^files: /, '')})`);
    return undefined;
  }
}

export const FILE_COMMANDS: CliCommand[] = [
  {
    syntax: `dir ( ${FS_ALT} )`,
    help: { dir: 'List files on a filesystem', ...Object.fromEntries(FILESYSTEMS.map((f) => [`${f}:`, `List files on ${f}:`])) },
    handler: (ctx, a) => dir(ctx, a.fs!.slice(0, -1)),
  },
  {
    syntax: 'more WORD$file',
    help: { more: 'Display the contents of a file', $file: 'File name, e.g. flash:tp1.req' },
    async handler(ctx, a) {
      const path = await file(ctx, a.file!);
      if (!path) return;
      const f = await ctx.app.files.read(path);
      if (!f) {
        ctx.print(`%Error opening ${path} (No such file or directory)`);
        return;
      }
      const text = new TextDecoder('utf-8', { fatal: false }).decode(f.data);
      if (/^[\t\n\r\x20-\x7e]*$/.test(text)) for (const l of text.replace(/\n$/, '').split('\n')) ctx.print(l);
      else for (const l of toIosHexWords(f.data, 8)) ctx.print(l);
    },
  },
  {
    syntax: 'delete WORD$file',
    help: { delete: 'Delete a file', $file: 'File name, e.g. flash:tp1.req' },
    async handler(ctx, a) {
      const path = await file(ctx, a.file!);
      if (!path) return;
      if (!(await ctx.app.files.read(path))) {
        ctx.print(`%Error deleting ${path} (No such file or directory)`);
        return;
      }
      const name = path.slice(path.indexOf(':') + 1);
      const ans = (await ctx.ask({ text: `Delete filename [${name}]? `, kind: 'text', default: name })).trim();
      if (ans !== name) {
        ctx.print('% Delete aborted: the file name does not match.');
        return;
      }
      const c = await ctx.ask({ text: `Delete ${path}? [confirm]`, kind: 'confirm' });
      if (!(c.trim() === '' || /^y/i.test(c.trim()))) return;
      await ctx.app.files.remove(path);
    },
  },
];
