import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../../plugin-sdk/cli/main';
import { makePluginsDir, networkFilters, networkFiltersSource, writeBuiltPlugin } from '../host/plugin-fixture';

/** Runs `mosn-plugin ARGS` in this process; resolves with the exit code and output lines. */
export async function cli(...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

/** A registry folder next to a plugins folder (`<root>/registry`, `<root>/plugins`). */
export interface TempRegistry {
  root: string;
  registry: string;
  plugins: string;
  /** Writes and builds a plugin providing network filter `<name>_filter` into the plugins folder. */
  addPlugin(name: string, version?: string, folder?: string): Promise<string>;
  /** Writes `sets/<name>.json` (unlocked unless `lock` is given). */
  writeSet(name: string, plugins: Record<string, string>, lock?: Record<string, { version: string; sha256: string }>): string;
}

export function tempRegistry(): TempRegistry {
  const root = makePluginsDir();
  const registry = path.join(root, 'registry');
  const plugins = path.join(root, 'plugins');
  fs.mkdirSync(path.join(registry, 'sets'), { recursive: true });
  fs.mkdirSync(plugins, { recursive: true });
  return {
    root,
    registry,
    plugins,
    addPlugin: (name, version = '1.0.0', folder = name) =>
      writeBuiltPlugin(plugins, { name, version, provides: networkFilters(`${name}_filter`), source: networkFiltersSource([`${name}_filter`]) }, folder),
    writeSet(name, members, lock) {
      const file = path.join(registry, 'sets', `${name}.json`);
      fs.writeFileSync(file, `${JSON.stringify({ name, plugins: members, ...(lock ? { lock } : {}) }, null, 2)}\n`);
      return file;
    },
  };
}

export function readJson<T = Record<string, unknown>>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}
