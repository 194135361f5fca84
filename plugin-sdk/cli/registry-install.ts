import * as path from 'node:path';
import { PLUGIN_API_VERSION } from '../api/version';
import type { PluginBundle } from './plugin-bundle';
import { installBundle, readBundleSource } from './plugin-installer';
import { INDEX_FILE, SETS_DIR } from './registry-index';
import { pickVersion, readPluginSetFile, readRegistryIndex, resolveSetFile, type IndexedVersion } from './registry-files';

/** One plugin version chosen from the index, and the digest its bundle must have. */
export interface InstallItem {
  readonly name: string;
  readonly version: string;
  readonly entry: IndexedVersion;
}

/** What was installed. */
export interface InstalledPlugin {
  readonly name: string;
  readonly version: string;
  readonly sha256: string;
  readonly dir: string;
}

/**
 * `NAME` or `NAME@RANGE` → the highest indexed version in the range whose `engines.mosn` accepts
 * this SDK's API version. Throws saying what the index has when nothing fits.
 */
export function resolveSpec(registryDir: string, spec: string): InstallItem {
  const index = readRegistryIndex(path.join(registryDir, INDEX_FILE));
  const at = spec.indexOf('@', 1);
  const name = at < 0 ? spec : spec.slice(0, at);
  const range = at < 0 ? '*' : spec.slice(at + 1);
  const versions = Object.keys(index.plugins[name]?.versions ?? {});
  if (versions.length === 0) throw new Error(`the registry index has no plugin ${JSON.stringify(name)} (it has: ${Object.keys(index.plugins).join(', ') || 'none'})`);
  const picked = pickVersion(index, name, range, PLUGIN_API_VERSION);
  if (!picked) throw new Error(`no version of ${name} satisfies ${JSON.stringify(range)} and plugin API ${PLUGIN_API_VERSION} (indexed: ${versions.join(', ')})`);
  return { name, version: picked.version, entry: picked.entry };
}

/** Every member of set `setName` at its locked version; throws when the index disagrees with the lock. */
export function resolveSet(registryDir: string, setName: string): InstallItem[] {
  const index = readRegistryIndex(path.join(registryDir, INDEX_FILE));
  const set = readPluginSetFile(resolveSetFile(path.join(registryDir, SETS_DIR), setName));
  const problems: string[] = [];
  const items: InstallItem[] = [];
  for (const name of Object.keys(set.plugins)) {
    const lock = set.lock[name];
    const entry = index.plugins[name]?.versions[lock.version];
    if (!entry) problems.push(`${name}@${lock.version} (locked) is not in the registry index`);
    else if (entry.sha256 !== lock.sha256.toLowerCase()) problems.push(`${name}@${lock.version}: the index has sha256 ${entry.sha256}, the lock ${lock.sha256}`);
    else items.push({ name, version: lock.version, entry });
  }
  if (problems.length > 0) throw new Error(`set ${JSON.stringify(set.name)} cannot be installed: ${problems.join('; ')}`);
  return items;
}

/**
 * Reads and verifies every item's bundle first (name, version and sha256 must be the index's), and
 * only then installs them into `pluginsDir`, so a bad item installs nothing.
 */
export function installItems(registryDir: string, items: readonly InstallItem[], pluginsDir: string): InstalledPlugin[] {
  const bundles: PluginBundle[] = items.map((item) => {
    const source = path.resolve(registryDir, item.entry.source);
    const bundle = readBundleSource(source);
    const m = bundle.manifest;
    if (m.name !== item.name || m.version !== item.version) throw new Error(`${source} holds ${m.name}@${m.version}, the index says ${item.name}@${item.version}`);
    if (m.sha256!.toLowerCase() !== item.entry.sha256) throw new Error(`${item.name}@${item.version}: ${source} has sha256 ${m.sha256}, the index ${item.entry.sha256}`);
    return bundle;
  });
  return bundles.map((b) => ({
    name: b.manifest.name,
    version: b.manifest.version,
    sha256: b.manifest.sha256!.toLowerCase(),
    dir: installBundle(b, path.resolve(pluginsDir)),
  }));
}
