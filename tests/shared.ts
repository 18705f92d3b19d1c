/**
 * Where the shared, read-only test data lives (external vectors, the IOS guide): the
 * directory `$TRUSTPOINT_SHARED` names, by default `../shared` beside the repository — resolved
 * from the repository root, exactly as scripts/test.sh does. Every test reads shared data
 * through this module, never through a path of its own.
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is tests/shared.ts). */
export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));

/** The shared data directory (absolute). */
export const SHARED_DIR = resolve(REPO_ROOT, process.env.TRUSTPOINT_SHARED ?? '../shared');

/** An absolute path inside the shared data directory. */
export const sharedPath = (...parts: string[]): string => join(SHARED_DIR, ...parts);

/** The Cisco IOS guide "Configuring Certificate Enrollment for a PKI" (the console's reference). */
export const IOS_GUIDE = sharedPath('seed', '000_7932a6e9e1109cc6.txt');
