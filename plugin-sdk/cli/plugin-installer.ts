import * as fs from 'node:fs';
import * as path from 'node:path';
import { MANIFEST_FILE } from '../manifest';
import { bundleFromEntries, readPluginBundleDir, type PluginBundle, PluginBundleError } from './plugin-bundle';
import { readTgz } from './tar-archive';

/**
 * Reads a plugin bundle from where the registry index says it is: a built plugin folder, or a
 * `.tgz` written by `mosn-plugin pack`. The bundle's sha256 is verified either way.
 */
export function readBundleSource(source: string): PluginBundle {
  if (source.endsWith('.tgz')) {
    let archive: Buffer;
    try {
      archive = fs.readFileSync(source);
    } catch (err) {
      throw new PluginBundleError(`cannot read ${source}: ${(err as Error).message}`);
    }
    return bundleFromEntries(readTgz(archive), source);
  }
  return readPluginBundleDir(source);
}

/**
 * Puts a verified bundle into `pluginsDir/<name>/` so that a watching host never loads a mix:
 * - a new plugin is written into a hidden staging folder (hosts skip dot-folders) and renamed
 *   into place in one step;
 * - an existing folder gets each file replaced atomically (write, then rename), plugin.json last.
 *   A host that looks in between sees a bundle that does not match its manifest's sha256, refuses
 *   it with that reason and keeps the running generation; the plugin.json rename then triggers
 *   the reload that succeeds.
 * Returns the plugin folder.
 */
export function installBundle(bundle: PluginBundle, pluginsDir: string): string {
  const target = path.join(pluginsDir, bundle.manifest.name);
  fs.mkdirSync(pluginsDir, { recursive: true });
  const ordered = [...bundle.files.filter((f) => f.path !== MANIFEST_FILE), ...bundle.files.filter((f) => f.path === MANIFEST_FILE)];
  if (!fs.existsSync(target)) {
    const staging = path.join(pluginsDir, `.${bundle.manifest.name}.installing-${process.pid}`);
    fs.rmSync(staging, { recursive: true, force: true });
    try {
      for (const f of ordered) writeFile(path.join(staging, f.path), f.data);
      fs.renameSync(staging, target);
    } catch (err) {
      fs.rmSync(staging, { recursive: true, force: true });
      throw err;
    }
    return target;
  }
  for (const f of ordered) {
    const file = path.join(target, f.path);
    const temp = `${file}.${process.pid}.tmp`;
    writeFile(temp, f.data);
    fs.renameSync(temp, file);
  }
  return target;
}

function writeFile(file: string, data: Buffer): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, data);
}
