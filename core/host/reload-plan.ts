import * as path from 'node:path';
import type { ScannedPlugin } from './plugin-scan';

/** What the planner needs to know about a plugin folder the host already tracks. */
export interface TrackedPlugin {
  readonly dir: string;
  /** Name and fingerprint of the generation serving now, if one is. */
  readonly current?: { readonly name: string; readonly fingerprint: string };
  /** Fingerprint of the files the last refused attempt found (set only when the plugin itself failed). */
  readonly refusedFingerprint?: string;
}

/** What one reload will do. */
export interface ReloadPlan {
  /** Folders to build a new generation from (added, changed, or named). */
  readonly build: readonly ScannedPlugin[];
  /** Tracked folders whose generation goes because the folder went. */
  readonly remove: readonly TrackedPlugin[];
  /** Names asked for that match no tracked or scanned plugin. */
  readonly unknown: readonly string[];
}

/**
 * Decides which plugins a reload touches, by comparing the scan with what is tracked.
 *
 * Without `names` (a rescan, e.g. from the watcher): folders that are new, whose files differ from
 * the current generation's, and tracked folders that are gone. A folder whose files are exactly
 * those of its last refused attempt is skipped: the same bytes would be refused again, and a
 * half-written bundle is retried as soon as its next write changes the fingerprint.
 *
 * With `names`: exactly those plugins (by manifest name or folder name), rebuilt even when
 * unchanged (that is how a quarantine is lifted or a refused plugin retried), or removed when
 * their folder is gone.
 *
 * `inScope` limits the plan to the plugins of a set (names outside it are ignored).
 */
export function planReload(
  tracked: Iterable<TrackedPlugin>,
  scanned: readonly ScannedPlugin[],
  names?: readonly string[],
  inScope: (name: string | undefined) => boolean = () => true,
): ReloadPlan {
  const byDir = new Map<string, TrackedPlugin>();
  for (const t of tracked) byDir.set(t.dir, t);
  const scannedDirs = new Set(scanned.map((s) => s.dir));
  const candidates = scanned.filter((s) => inScope(s.name));
  const gone = [...byDir.values()].filter((t) => t.current && !scannedDirs.has(t.dir));

  if (!names) {
    const build = candidates.filter((s) => {
      const t = byDir.get(s.dir);
      if (t?.refusedFingerprint === s.fingerprint) return false;
      return t?.current?.fingerprint !== s.fingerprint;
    });
    return { build, remove: gone, unknown: [] };
  }

  const wanted = new Set(names);
  const matched = new Set<string>();
  const matches = (name: string | undefined, dir: string): boolean => {
    for (const n of [name, path.basename(dir)]) {
      if (n !== undefined && wanted.has(n)) {
        matched.add(n);
        return true;
      }
    }
    return false;
  };
  const build = candidates.filter((s) => matches(s.name, s.dir) || matches(byDir.get(s.dir)?.current?.name, s.dir));
  const remove = gone.filter((t) => matches(t.current?.name, t.dir));
  return { build, remove, unknown: names.filter((n) => !matched.has(n)) };
}
