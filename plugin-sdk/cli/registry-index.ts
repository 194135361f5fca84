import * as fs from 'node:fs';
import * as path from 'node:path';
import { hasManifest } from '../manifest';
import { readPluginBundleDir } from './plugin-bundle';
import { pickVersion, readPluginSetFile, writeJsonFile, type IndexedVersion, type PluginSetFile, type RegistryIndex } from './registry-files';

/** The repository's registry folder (from dist/plugin-sdk/cli), unless $MOSN_PLUGIN_REGISTRY says otherwise. */
export function defaultRegistryDir(): string {
  return process.env.MOSN_PLUGIN_REGISTRY ? path.resolve(process.env.MOSN_PLUGIN_REGISTRY) : path.resolve(__dirname, '..', '..', '..', 'registry');
}

export const INDEX_FILE = 'index.json';
export const SETS_DIR = 'sets';

/** What {@link buildRegistryIndex} produced. */
export interface IndexBuild {
  readonly index: RegistryIndex;
  /** `name@version` of each plugin folder indexed. */
  readonly indexed: string[];
  /** Folders left out, and why (not built, sha256 mismatch, invalid manifest). */
  readonly skipped: { dir: string; reason: string }[];
}

/**
 * The index of available plugins: one entry per built, verified plugin folder of `pluginsDir`
 * (its source recorded relative to the registry folder), plus the versions of `previous` whose
 * source is a packed `.tgz` that still exists (older releases kept as archives). Deterministic:
 * names and versions sorted, no timestamps, so an unchanged tree gives an unchanged file.
 */
export function buildRegistryIndex(pluginsDir: string, registryDir: string, previous?: RegistryIndex): IndexBuild {
  const plugins: Record<string, Record<string, IndexedVersion>> = {};
  const indexed: string[] = [];
  const skipped: { dir: string; reason: string }[] = [];
  for (const [name, entry] of Object.entries(previous?.plugins ?? {})) {
    for (const [version, v] of Object.entries(entry.versions)) {
      if (v.source.endsWith('.tgz') && fs.existsSync(path.resolve(registryDir, v.source))) (plugins[name] ??= {})[version] = v;
    }
  }
  const folders = fs.existsSync(pluginsDir) ? fs.readdirSync(pluginsDir).sort() : [];
  for (const folder of folders) {
    const dir = path.join(pluginsDir, folder);
    if (folder.startsWith('.') || !fs.statSync(dir).isDirectory() || !hasManifest(dir)) continue;
    try {
      const { manifest } = readPluginBundleDir(dir);
      (plugins[manifest.name] ??= {})[manifest.version] = {
        sha256: manifest.sha256!.toLowerCase(),
        engines: { mosn: manifest.engines.mosn },
        main: manifest.main,
        provides: manifest.provides.map((p) => ({ kind: p.kind, name: p.name })),
        source: path.relative(registryDir, dir).split(path.sep).join('/'),
        ...(manifest.description ? { description: manifest.description } : {}),
      };
      indexed.push(`${manifest.name}@${manifest.version}`);
    } catch (err) {
      skipped.push({ dir, reason: (err as Error).message });
    }
  }
  const index: RegistryIndex = { schema: 1, plugins: {} };
  for (const name of Object.keys(plugins).sort()) {
    const versions = plugins[name];
    index.plugins[name] = { versions: Object.fromEntries(Object.keys(versions).sort().map((v) => [v, versions[v]])) };
  }
  return { index, indexed, skipped };
}

/** What locking one set did. */
export interface SetLockResult {
  readonly file: string;
  readonly name: string;
  /** `name@version` lines that changed in the lock. */
  readonly changed: string[];
  /** Members with no version in the index matching their range (the set file is left as it was). */
  readonly problems: string[];
}

/**
 * Re-locks every set in `setsDir` against `index`: each member to the highest indexed version in
 * its range, with that version's sha256. A set with a member that cannot be locked is not written.
 */
export function lockSets(setsDir: string, index: RegistryIndex): SetLockResult[] {
  const files = fs.existsSync(setsDir) ? fs.readdirSync(setsDir).filter((f) => f.endsWith('.json')).sort() : [];
  return files.map((f) => lockSet(path.join(setsDir, f), index));
}

function lockSet(file: string, index: RegistryIndex): SetLockResult {
  const set: PluginSetFile = readPluginSetFile(file, { unlocked: true });
  const lock: PluginSetFile['lock'] = {};
  const changed: string[] = [];
  const problems: string[] = [];
  for (const [name, range] of Object.entries(set.plugins)) {
    const picked = pickVersion(index, name, range);
    if (!picked) {
      problems.push(`${name}: no version in the index satisfies ${JSON.stringify(range)}`);
      continue;
    }
    lock[name] = { version: picked.version, sha256: picked.entry.sha256 };
    const old = set.lock?.[name];
    if (old?.version !== picked.version || old?.sha256 !== picked.entry.sha256) changed.push(`${name}@${picked.version}`);
  }
  if (problems.length === 0 && (changed.length > 0 || Object.keys(set.lock ?? {}).length !== Object.keys(lock).length)) {
    writeJsonFile(file, { ...set, lock });
  }
  return { file, name: set.name, changed, problems };
}
