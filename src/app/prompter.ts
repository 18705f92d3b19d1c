/**
 * The one way workflows ask the user something. The console answers with the next input line,
 * the GUI with a dialog, the auto-enroller not at all (it is non-interactive and refuses
 * whatever needs a human, as IOS does for a CA certificate without a pre-entered fingerprint).
 * The types live with the workflows that ask (enroll/io.ts).
 */
export { isNo, isYes, type Question, type QuestionKind } from '../enroll/io.ts';
