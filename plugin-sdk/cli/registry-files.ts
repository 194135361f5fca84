import * as fs from 'node:fs';
import * as path from 'node:path';
import * as semver from 'semver';
import type { FactoryKind } from '../api/plugin';

/*
 * The registry's two file formats, read by the `mosn-plugin` CLI (index, install) and by the
 * kernel's plugin host (sets). They live in the SDK because the dependency only points
 * core → plugin-sdk; the kernel imports this module, the SDK never imports the kernel.
 */

/** Exact version and bundle digest a set is locked to, per plugin. */
export interface PluginLock {
  version: string;
  /** Hex sha256 of the plugin's bundle (the manifest's `sha256`). */
  sha256: string;
}

/**
 * `registry/sets/<name>.json`: a curated set of plugins. `plugins` names each member with a semver
 * range; `lock` pins each to the exact version and sha256 that was vetted; `planned` notes the
 * members that will join once they exist (informational, never loaded).
 */
export interface PluginSetFile {
  name: string;
  description?: string;
  plugins: Record<string, string>;
  lock: Record<string, PluginLock>;
  planned?: Record<string, string>;
}

/** One version of a plugin in the index. */
export interface IndexedVersion {
  sha256: string;
  engines: { mosn: string };
  main: string;
  provides: { kind: FactoryKind; name: string }[];
  /** Where the plugin's files are: a folder or a `.tgz` from `mosn-plugin pack`, relative to the index file. */
  source: string;
  description?: string;
}

/** `registry/index.json`: every available plugin and its versions. */
export interface RegistryIndex {
  /** Format version of this file. */
  schema: 1;
  plugins: Record<string, { versions: Record<string, IndexedVersion> }>;
}

/** A registry file that is missing or malformed; the message names the file. */
export class RegistryFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegistryFileError';
  }
}

const SHA256 = /^[0-9a-f]{64}$/i;

/**
 * The set file a config's `set` names: a path when it ends in `.json` or has a slash, else
 * `<setsDir>/<name>.json`.
 */
export function resolveSetFile(setsDir: string, nameOrPath: string): string {
  if (nameOrPath.endsWith('.json') || nameOrPath.includes('/') || nameOrPath.includes(path.sep)) return path.resolve(nameOrPath);
  return path.join(setsDir, `${nameOrPath}.json`);
}

/**
 * Reads and checks a set file; throws a {@link RegistryFileError} listing every problem.
 * `unlocked` accepts members missing from the lock (for the tool that is about to lock it).
 */
export function readPluginSetFile(file: string, options: { unlocked?: boolean } = {}): PluginSetFile {
  const raw = readJson(file, 'plugin set');
  const problems: string[] = [];
  const set = raw as Partial<PluginSetFile>;
  if (typeof set.name !== 'string' || set.name === '') problems.push('name: must be a non-empty string');
  if (!isRecord(set.plugins)) problems.push('plugins: must be an object of name → semver range');
  else {
    for (const [name, range] of Object.entries(set.plugins)) {
      if (typeof range !== 'string' || semver.validRange(range) === null) problems.push(`plugins.${name}: ${JSON.stringify(range)} is not a semver range`);
    }
  }
  if (options.unlocked && set.lock === undefined) set.lock = {};
  if (!isRecord(set.lock)) problems.push('lock: must be an object of name → {version, sha256}');
  else {
    for (const [name, lock] of Object.entries(set.lock)) {
      const l = lock as Partial<PluginLock>;
      if (!isRecord(lock) || typeof l.version !== 'string' || semver.valid(l.version) !== l.version) problems.push(`lock.${name}.version: must be an exact version`);
      else if (typeof l.sha256 !== 'string' || !SHA256.test(l.sha256)) problems.push(`lock.${name}.sha256: must be 64 hex digits`);
    }
    if (isRecord(set.plugins) && !options.unlocked) {
      for (const name of Object.keys(set.plugins)) if (!(name in set.lock)) problems.push(`lock.${name}: missing (run \`mosn-plugin index\` to lock the set)`);
    }
  }
  if (problems.length > 0) throw new RegistryFileError(`plugin set ${file}: ${problems.join('; ')}`);
  return set as PluginSetFile;
}

/**
 * Why the plugin found on disk does not match what the set requires (range and lock), or
 * undefined when it does. `found.sha256` is the manifest's recorded digest of the bundle.
 */
export function setMemberMismatch(set: PluginSetFile, found: { name: string; version?: string; sha256?: string }): string | undefined {
  const range = set.plugins[found.name];
  const lock = set.lock[found.name];
  const who = `set ${JSON.stringify(set.name)} plugin ${JSON.stringify(found.name)}`;
  if (range === undefined || lock === undefined) return `${who}: not a member of the set`;
  if (found.version === undefined || !semver.satisfies(found.version, range)) {
    return `${who}: requires ${JSON.stringify(range)} but the folder has ${found.version ?? 'no version'}`;
  }
  if (found.version !== lock.version) return `${who}: locked at ${lock.version} but the folder has ${found.version}`;
  if (found.sha256?.toLowerCase() !== lock.sha256.toLowerCase()) {
    return `${who}: bundle sha256 ${found.sha256 ?? '(none)'} does not match the lock (${lock.sha256})`;
  }
  return undefined;
}

/** Reads and checks `index.json`; throws a {@link RegistryFileError}. */
export function readRegistryIndex(file: string): RegistryIndex {
  const raw = readJson(file, 'registry index') as Partial<RegistryIndex>;
  if (raw.schema !== 1 || !isRecord(raw.plugins)) throw new RegistryFileError(`registry index ${file}: expected {"schema": 1, "plugins": {...}}`);
  for (const [name, entry] of Object.entries(raw.plugins)) {
    if (!isRecord(entry) || !isRecord((entry as { versions?: unknown }).versions)) throw new RegistryFileError(`registry index ${file}: plugins.${name}.versions must be an object`);
  }
  return raw as RegistryIndex;
}

/**
 * The highest version of `name` in the index that satisfies `range` (default: any) and whose
 * engines accept `apiVersion` when given; undefined when there is none.
 */
export function pickVersion(index: RegistryIndex, name: string, range = '*', apiVersion?: string): { version: string; entry: IndexedVersion } | undefined {
  const versions = index.plugins[name]?.versions ?? {};
  const ok = Object.keys(versions).filter(
    (v) => semver.satisfies(v, range) && (apiVersion === undefined || semver.satisfies(apiVersion, versions[v].engines.mosn)),
  );
  const best = semver.rsort(ok)[0];
  return best === undefined ? undefined : { version: best, entry: versions[best] };
}

/** Writes JSON as the registry keeps it: two-space indent, trailing newline, atomically. */
export function writeJsonFile(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, `${JSON.stringify(value, null, 2)}\n`);
  fs.renameSync(temp, file);
}

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new RegistryFileError(code === 'ENOENT' ? `${what} ${file} does not exist` : `cannot read ${what} ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new RegistryFileError(`${what} ${file} is not valid JSON: ${(err as Error).message}`);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
