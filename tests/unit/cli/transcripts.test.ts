/**
 * Golden console transcripts (FRR's test_cli.in / .refout idea): every
 * tests/vectors/cli/NAME.in is fed line by line into a headless console (fresh in-memory
 * NVRAM, fixed clock) and the whole transcript must equal NAME.out byte for byte.
 * A line `^Z` presses Ctrl-Z. Regenerate with `UPDATE_GOLDEN=1 npx vitest run --project unit
 * tests/unit/cli/transcripts.test.ts` and review the diff.
 */
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { harness } from './_harness.ts';

const dir = fileURLToPath(new URL('../../vectors/cli/', import.meta.url));
const cases = readdirSync(dir).filter((f) => f.endsWith('.in')).sort();

async function transcript(input: string): Promise<string> {
  const h = await harness();
  let out = '';
  h.session.onOutput((c) => (out += c));
  const lines = input.replace(/\n$/, '').split('\n');
  for (const line of lines) {
    if (line === '^Z') h.session.ctrlZ();
    else h.session.submit(line);
    await h.session.idle();
  }
  await new Promise((r) => setTimeout(r, 0));
  await h.session.idle();
  return out;
}

describe('golden console transcripts', () => {
  test('there are transcripts', () => expect(cases.length).toBeGreaterThan(5));
  for (const name of cases) {
    test(name.replace(/\.in$/, ''), async () => {
      const input = readFileSync(dir + name, 'utf8');
      const got = await transcript(input);
      const outFile = dir + name.replace(/\.in$/, '.out');
      if (process.env.UPDATE_GOLDEN || !existsSync(outFile)) writeFileSync(outFile, got);
      expect(got).toBe(readFileSync(outFile, 'utf8'));
    });
  }
});
