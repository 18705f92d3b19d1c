/** A refusal already worded for the console (enroll/io.ts). */
export { refuse } from '../enroll/io.ts';
