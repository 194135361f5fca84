import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PluginManifest } from '../api/plugin';
import { MANIFEST_FILE, validateManifest } from './manifest-validator';

/** A plugin.json as read from disk: the validated manifest and the parsed object it came from. */
export interface ManifestFile {
  /** Absolute path of plugin.json. */
  readonly file: string;
  readonly manifest: PluginManifest;
  /** The parsed JSON itself (same key order as the file), for tools that write it back. */
  readonly raw: Record<string, unknown>;
}

/** Thrown when a plugin folder's plugin.json is missing, unreadable, not JSON or not a valid manifest. */
export class ManifestError extends Error {
  constructor(
    readonly pluginDir: string,
    readonly problems: readonly string[],
  ) {
    // One line, so it reads well both in a log record and on a terminal.
    super(`plugin folder ${pluginDir}: ${problems.join('; ')}`);
    this.name = 'ManifestError';
  }
}

/** Whether `dir` holds a plugin.json (the test for "is a plugin folder"). */
export function hasManifest(dir: string): boolean {
  return fs.existsSync(path.join(dir, MANIFEST_FILE));
}

/** Reads and validates `<pluginDir>/plugin.json`; throws a {@link ManifestError} naming the folder. */
export function readManifestFile(pluginDir: string): ManifestFile {
  const file = path.join(pluginDir, MANIFEST_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ManifestError(pluginDir, [code === 'ENOENT' ? `no ${MANIFEST_FILE} (not a plugin folder)` : `cannot read ${MANIFEST_FILE}: ${(err as Error).message}`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ManifestError(pluginDir, [`${MANIFEST_FILE} is not valid JSON: ${(err as Error).message}`]);
  }
  const problems = validateManifest(raw);
  if (problems.length > 0) throw new ManifestError(pluginDir, problems.map((p) => `${MANIFEST_FILE}: ${p}`));
  return { file, manifest: raw as PluginManifest, raw: raw as Record<string, unknown> };
}
