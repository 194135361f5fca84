import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MANIFEST_FILE } from '../../plugin-sdk/manifest';
import { discoverPluginDirs } from './plugin-discovery';

/** One plugin folder as found on disk, before anything is validated or run. */
export interface ScannedPlugin {
  /** Absolute plugin folder. */
  readonly dir: string;
  /** The manifest's name when plugin.json parses and has one, else undefined. */
  readonly name: string | undefined;
  readonly version: string | undefined;
  /** The manifest's sha256 field as written (for set locks), if any. */
  readonly sha256: string | undefined;
  /**
   * sha256 over plugin.json's bytes and the bundle's bytes. Two scans with the same fingerprint
   * saw the same files, so a reload can skip a folder that has not changed since its generation
   * was built (or since it was last refused).
   */
  readonly fingerprint: string;
}

/**
 * Lists the plugin folders of `pluginsDir` (as {@link discoverPluginDirs} does) with each one's
 * fingerprint. Cheap enough to run on every watcher event: it reads files, it runs no code.
 * Returns undefined when the directory does not exist.
 */
export async function scanPluginsDir(pluginsDir: string): Promise<ScannedPlugin[] | undefined> {
  const dirs = await discoverPluginDirs(pluginsDir);
  if (!dirs) return undefined;
  return Promise.all(dirs.map(scanPluginDir));
}

/** Reads one folder's plugin.json loosely (no validation: the loader does that) and fingerprints it. */
export async function scanPluginDir(dir: string): Promise<ScannedPlugin> {
  const hash = createHash('sha256');
  let manifest: Record<string, unknown> | undefined;
  try {
    const bytes = await fs.promises.readFile(path.join(dir, MANIFEST_FILE));
    hash.update(bytes);
    const parsed: unknown = JSON.parse(bytes.toString('utf8'));
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) manifest = parsed as Record<string, unknown>;
  } catch (err) {
    // Unreadable or not JSON: the fingerprint still changes when the file does.
    hash.update(`unreadable:${(err as Error).message}`);
  }
  hash.update('\0');
  const main = typeof manifest?.main === 'string' ? manifest.main : undefined;
  if (main !== undefined) {
    try {
      hash.update(await fs.promises.readFile(path.resolve(dir, main)));
    } catch (err) {
      hash.update(`missing:${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }
  return {
    dir,
    name: stringField(manifest, 'name'),
    version: stringField(manifest, 'version'),
    sha256: stringField(manifest, 'sha256'),
    fingerprint: hash.digest('hex'),
  };
}

function stringField(obj: Record<string, unknown> | undefined, key: string): string | undefined {
  const v = obj?.[key];
  return typeof v === 'string' ? v : undefined;
}
