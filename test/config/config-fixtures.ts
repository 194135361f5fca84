import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigLoadError } from '../../core/config/config-error';
import { REPO_ROOT } from '../support/paths';

/** Fixture files live in the source tree (tsc does not copy them to dist). */
export const FIXTURES_DIR = path.join(REPO_ROOT, 'test', 'config', 'fixtures');

export function fixturePath(name: string): string {
  return path.join(FIXTURES_DIR, name);
}

/** A fresh copy of the full MOSN fixture, for tests that break one field of it. */
export function fullConfig(): Record<string, any> {
  return JSON.parse(fs.readFileSync(fixturePath('mosn-full.json'), 'utf8')) as Record<string, any>;
}

const tempDirs: string[] = [];

/** Writes `text` to a new temp directory and returns the file's path. */
export function writeTempConfig(fileName: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mosn-ts-config-'));
  tempDirs.push(dir);
  const file = path.join(dir, fileName);
  fs.writeFileSync(file, text);
  return file;
}

/** Removes the directories writeTempConfig made (call from an `after` hook). */
export function removeTempConfigs(): void {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** Runs `fn`, which must throw a ConfigLoadError, and returns its problem lines. */
export function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigLoadError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigLoadError, but the config was accepted');
}
