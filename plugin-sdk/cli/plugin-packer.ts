import * as fs from 'node:fs';
import * as path from 'node:path';
import { readPluginBundleDir, sha256Hex } from './plugin-bundle';
import { createTgz } from './tar-archive';

/** What {@link packPlugin} wrote. */
export interface PackResult {
  readonly name: string;
  readonly version: string;
  /** The archive, or the folder for `dir`. */
  readonly path: string;
  /** sha256 of the archive (tgz only). */
  readonly sha256?: string;
  /** Files packed, relative to the plugin folder. */
  readonly files: string[];
}

/**
 * Packs a built plugin folder: verifies its bundle against plugin.json's sha256 (a stale or edited
 * bundle is refused), then writes `<outDir>/<name>-<version>.tgz` (entries under `<name>/`,
 * byte-for-byte reproducible) or the folder `<outDir>/<name>`.
 */
export function packPlugin(pluginDir: string, outDir: string, format: 'tgz' | 'dir'): PackResult {
  const bundle = readPluginBundleDir(path.resolve(pluginDir));
  const { name, version } = bundle.manifest;
  const files = bundle.files.map((f) => f.path);
  if (format === 'dir') {
    const target = path.join(outDir, name);
    fs.rmSync(target, { recursive: true, force: true });
    for (const f of bundle.files) {
      fs.mkdirSync(path.dirname(path.join(target, f.path)), { recursive: true });
      fs.writeFileSync(path.join(target, f.path), f.data);
    }
    return { name, version, path: target, files };
  }
  const archive = createTgz(bundle.files.map((f) => ({ path: `${name}/${f.path}`, data: f.data })));
  const file = path.join(outDir, `${name}-${version}.tgz`);
  fs.writeFileSync(file, archive);
  return { name, version, path: file, sha256: sha256Hex(archive), files };
}
