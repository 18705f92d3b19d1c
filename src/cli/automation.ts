/**
 * `window.trustpoint.cli(text)`: runs console lines exactly as if they were pasted into the
 * console (a line that follows a command asking a question answers it) and resolves to the
 * transcript the console showed for them, prompts and echoes included. Calls are serialised,
 * so concurrent callers never interleave their lines.
 */
import type { CliSession } from './session.ts';

export function makeCliRunner(session: CliSession): (text: string) => Promise<string> {
  let chain: Promise<unknown> = Promise.resolve();
  return (text: string) => {
    const run = async () => {
      await session.idle();
      let out = '';
      const off = session.onOutput((c) => {
        out += c;
      });
      try {
        session.paste(text);
        await session.idle();
        // Let output produced by the last command's microtasks arrive.
        await new Promise((r) => setTimeout(r, 0));
        await session.idle();
      } finally {
        off();
      }
      return out;
    };
    const p = chain.then(run, run);
    chain = p.catch(() => undefined);
    return p;
  };
}
