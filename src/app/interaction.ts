/**
 * What a workflow needs from whoever drives it: print lines, ask questions, know whether a
 * human is there, be cancelled, report progress. The console's CommandCtx is one; the GUI and
 * the auto-enroller provide others. The definitions live with the workflows (enroll/io.ts).
 */
import type { EnrollIo } from '../enroll/io.ts';

export type { EnrollProgress } from '../enroll/io.ts';
/** The same type under the name the GUI facade (services.ts) exports. */
export type { EnrollProgress as ProgressEvent } from '../enroll/io.ts';
export { readPaste } from '../enroll/io.ts';

export type Interaction = EnrollIo;
