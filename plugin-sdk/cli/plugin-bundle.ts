import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PluginManifest } from '../api/plugin';
import { MANIFEST_FILE, readManifestFile, validateManifest } from '../manifest';
import type { ArchiveEntry } from './tar-archive';

/** The optional README that travels with a packed plugin. */
export const README_FILE = 'README.md';

/**
 * A plugin as it is distributed: plugin.json, the bundle it names and an optional README; nothing
 * else (sources, tests and node_modules stay behind). Paths are relative, with `/`.
 */
export interface PluginBundle {
  readonly manifest: PluginManifest;
  readonly files: readonly ArchiveEntry[];
}

/** A bundle that is incomplete or whose bytes do not match its manifest. */
export class PluginBundleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PluginBundleError';
  }
}

export function sha256Hex(data: Buffer | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Reads a built plugin folder's distributable files, checking the bundle against the manifest's sha256. */
export function readPluginBundleDir(dir: string): PluginBundle {
  let manifest: PluginManifest;
  try {
    manifest = readManifestFile(dir).manifest;
  } catch (err) {
    throw new PluginBundleError((err as Error).message);
  }
  const main = path.join(dir, manifest.main);
  if (!fs.existsSync(main)) throw new PluginBundleError(`plugin ${JSON.stringify(manifest.name)}: ${manifest.main} does not exist; run \`mosn-plugin build\``);
  const files: ArchiveEntry[] = [
    { path: MANIFEST_FILE, data: fs.readFileSync(path.join(dir, MANIFEST_FILE)) },
    { path: toPosix(path.normalize(manifest.main)), data: fs.readFileSync(main) },
  ];
  const readme = path.join(dir, README_FILE);
  if (fs.existsSync(readme)) files.push({ path: README_FILE, data: fs.readFileSync(readme) });
  return verifyBundle({ manifest, files });
}

/** Builds a bundle from archive entries under `<root>/` (as `pack` writes them), then verifies it. */
export function bundleFromEntries(entries: readonly ArchiveEntry[], source: string): PluginBundle {
  const roots = new Set(entries.map((e) => e.path.split('/')[0]));
  if (roots.size !== 1) throw new PluginBundleError(`${source}: expected one top-level folder, found ${[...roots].join(', ') || 'none'}`);
  const root = [...roots][0];
  const files = entries.map((e) => ({ path: e.path.slice(root.length + 1), data: e.data }));
  const manifestFile = files.find((f) => f.path === MANIFEST_FILE);
  if (!manifestFile) throw new PluginBundleError(`${source}: no ${root}/${MANIFEST_FILE}`);
  let manifest: unknown;
  try {
    manifest = JSON.parse(manifestFile.data.toString('utf8'));
  } catch (err) {
    throw new PluginBundleError(`${source}: ${MANIFEST_FILE} is not valid JSON: ${(err as Error).message}`);
  }
  const problems = validateManifest(manifest);
  if (problems.length > 0) throw new PluginBundleError(`${source}: ${MANIFEST_FILE}: ${problems.join('; ')}`);
  return verifyBundle({ manifest: manifest as PluginManifest, files });
}

/** Checks that the bundle has its main file and that its sha256 is the manifest's. */
export function verifyBundle(bundle: PluginBundle): PluginBundle {
  const { manifest } = bundle;
  const who = `plugin ${JSON.stringify(manifest.name)}`;
  if (!manifest.sha256) throw new PluginBundleError(`${who} has no sha256 in ${MANIFEST_FILE}; run \`mosn-plugin build\``);
  const mainPath = toPosix(path.normalize(manifest.main));
  const main = bundle.files.find((f) => f.path === mainPath);
  if (!main) throw new PluginBundleError(`${who}: the bundle lacks its main file ${manifest.main}`);
  const actual = sha256Hex(main.data);
  if (actual !== manifest.sha256.toLowerCase()) {
    throw new PluginBundleError(`${who}: ${manifest.main} does not match the sha256 in ${MANIFEST_FILE} (expected ${manifest.sha256.toLowerCase()}, actual ${actual}); run \`mosn-plugin build\``);
  }
  return bundle;
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}
