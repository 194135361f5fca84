import * as path from 'node:path';
import { readPluginSetFile, resolveSetFile, setMemberMismatch, type PluginSetFile } from '../../plugin-sdk/cli/registry-files';
import type { ScannedPlugin } from './plugin-scan';

/** The repository's curated sets (`registry/sets`), from dist/core/host. */
export const DEFAULT_SETS_DIR = path.resolve(__dirname, '..', '..', '..', 'registry', 'sets');

/** A set the host cannot load as asked: unreadable, or naming a missing or mismatched plugin. */
export class PluginSetError extends Error {
  constructor(
    readonly setName: string,
    readonly problems: readonly string[],
  ) {
    super(`plugin set ${JSON.stringify(setName)} refused: ${problems.join('; ')}`);
    this.name = 'PluginSetError';
  }
}

/** Reads the set `nameOrPath` names (see resolveSetFile); throws a {@link PluginSetError}. */
export function readHostSet(setsDir: string, nameOrPath: string): PluginSetFile {
  try {
    return readPluginSetFile(resolveSetFile(setsDir, nameOrPath));
  } catch (err) {
    throw new PluginSetError(nameOrPath, [(err as Error).message]);
  }
}

/**
 * Every reason the plugins directory cannot serve `set`: a member without a folder, or whose
 * folder's version or bundle digest is not the locked one. Empty when the set can load. Why all of
 * them up front: a locked set is a promise about exactly what runs, so it loads whole or not at all.
 */
export function setProblems(set: PluginSetFile, scanned: readonly ScannedPlugin[], pluginsDir: string): string[] {
  const problems: string[] = [];
  for (const name of Object.keys(set.plugins)) {
    const found = scanned.find((s) => s.name === name);
    if (!found) {
      problems.push(`set ${JSON.stringify(set.name)} names plugin ${JSON.stringify(name)}, which is not in ${pluginsDir}`);
      continue;
    }
    const mismatch = setMemberMismatch(set, { name, version: found.version, sha256: found.sha256 });
    if (mismatch) problems.push(mismatch);
  }
  return problems;
}
