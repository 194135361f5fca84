import * as fs from 'node:fs';
import * as path from 'node:path';
import { hasManifest } from '../../plugin-sdk/manifest';

/**
 * The direct sub-folders of `pluginsDir` that hold a plugin.json (except hidden ones, whose name
 * starts with a dot), as absolute paths sorted by folder name (byte order, so the load order does
 * not depend on the locale). Symlinked folders count.
 * Returns undefined when `pluginsDir` does not exist or is not a directory.
 */
export async function discoverPluginDirs(pluginsDir: string): Promise<string[] | undefined> {
  let names: string[];
  try {
    names = await fs.promises.readdir(pluginsDir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
  const dirs: string[] = [];
  for (const name of names.sort(byCodePoint)) {
    // Hidden folders are staging areas (`mosn-plugin install` builds a new plugin in one, then
    // renames it into place) or tool data, never plugins.
    if (name.startsWith('.')) continue;
    const dir = path.resolve(pluginsDir, name);
    const stat = await fs.promises.stat(dir).catch(() => undefined);
    if (stat?.isDirectory() && hasManifest(dir)) dirs.push(dir);
  }
  return dirs;
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
