import * as path from 'node:path';

/** The repository root (tests run from dist/test/..., compiled by tsc). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
