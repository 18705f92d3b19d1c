/**
 * Continuation lines of a profile's command template. The IOS guide's "Configuring Direct
 * HTTP Enrollment Example" continues `enrollment command POST reference_number=$P2&…` on the
 * next, more deeply indented line (`    &retrievedAs=rawDER&…&pkcs10Request=$REQ`). The
 * console and the configuration reader both accept that layout: a line in ca-profile-enroll
 * mode that follows `authentication command` or `enrollment command`, is indented more deeply
 * than it, and is no command of the mode, continues the template.
 */
import { CONFIG_COMMANDS, continueTemplate } from './commands.ts';
import { compileCommand, matchLine, type CompiledCommand } from './grammar.ts';
import type { EnrollmentProfile, RunningConfig } from './model.ts';

/** The template line most recently entered in ca-profile-enroll mode. */
export interface TemplateLine {
  profile: string;
  part: 'authentication' | 'enrollment';
  /** leading whitespace of the command line */
  indent: number;
}

let compiled: CompiledCommand[] | undefined;

function profileGrammar(): CompiledCommand[] {
  compiled ??= (CONFIG_COMMANDS['ca-profile-enroll'] ?? []).map((c, i) => compileCommand(c, i));
  return compiled;
}

const indentOf = (raw: string): number => /^\s*/.exec(raw)![0].length;

/**
 * The template a successfully applied line set: `authentication command …` or
 * `enrollment command …` (in any abbreviation) whose text is now the profile's template.
 */
export function templateLineOf(config: RunningConfig, profile: string | undefined, raw: string): TemplateLine | undefined {
  if (profile === undefined) return undefined;
  const m = matchLine(profileGrammar(), raw);
  if (!m.ok || m.args.cmd === undefined) return undefined;
  const part = m.command.spec.syntax.startsWith('authentication') ? 'authentication' : 'enrollment';
  const p: EnrollmentProfile | undefined = config.profiles.get(profile);
  const now = part === 'authentication' ? p?.authenticationCommand : p?.enrollmentCommand;
  if (now !== m.args.cmd.trim()) return undefined;
  return { profile, part, indent: indentOf(raw) };
}

/** True when `raw` continues the template of `prev` (deeper indentation, not a command). */
export function isContinuation(prev: TemplateLine | undefined, raw: string): boolean {
  if (!prev || raw.trim() === '' || raw.trim().startsWith('!')) return false;
  if (indentOf(raw) <= prev.indent) return false;
  return !matchLine(profileGrammar(), raw).ok;
}

/** Appends a continuation line to its template (ConfigError when it cannot). */
export function applyContinuation(config: RunningConfig, prev: TemplateLine, raw: string): void {
  continueTemplate(config, prev.profile, prev.part, raw);
}
