import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { SDK_MODULE_NAME } from '../module-name';
import { readManifestFile } from '../manifest';

/** The entry files `build` looks for, in order, relative to the plugin folder. */
export const ENTRY_CANDIDATES = ['src/index.ts', 'src/index.js'] as const;

/** What building one plugin folder produced. */
export interface PluginBuildResult {
  /** Absolute plugin folder. */
  readonly dir: string;
  readonly name: string;
  readonly version: string;
  /** The bundle, relative to the plugin folder (the manifest's `main`). */
  readonly main: string;
  /** Hex sha256 of the bundle as written. */
  readonly sha256: string;
  /** Whether plugin.json was rewritten (its sha256 changed). */
  readonly manifestUpdated: boolean;
  /** esbuild's warnings (`file:line:column: text`), e.g. a require it could not bundle. */
  readonly warnings: readonly string[];
}

/** A plugin folder that could not be built; the message names the folder. */
export class PluginBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PluginBuildError';
  }
}

/**
 * Builds one plugin folder: validates plugin.json, bundles `src/index.ts` (or `.js`) with esbuild
 * into the manifest's `main` (CommonJS for node20, dependencies inlined, the SDK external), then
 * writes the bundle's sha256 into plugin.json. Output depends only on the folder's contents, so
 * two builds of the same source give the same bytes and the same hash.
 */
export async function buildPlugin(pluginDir: string): Promise<PluginBuildResult> {
  const dir = path.resolve(pluginDir);
  let manifestFile: ReturnType<typeof readManifestFile>;
  try {
    manifestFile = readManifestFile(dir);
  } catch (err) {
    throw new PluginBuildError((err as Error).message);
  }
  const { manifest, raw, file } = manifestFile;

  const entry = ENTRY_CANDIDATES.find((candidate) => fs.existsSync(path.join(dir, candidate)));
  if (!entry) throw new PluginBuildError(`plugin folder ${dir}: no entry file (${ENTRY_CANDIDATES.join(' or ')})`);

  const { bundle, warnings } = await bundleEntry(dir, entry, manifest.main);
  const outFile = path.join(dir, manifest.main);
  if (!sameContents(outFile, bundle)) writeAtomically(outFile, bundle);
  const sha256 = createHash('sha256').update(bundle).digest('hex');

  const manifestUpdated = raw.sha256 !== sha256;
  if (manifestUpdated) {
    // Assigning keeps an existing key in place (and appends a new one), so the file's order holds.
    raw.sha256 = sha256;
    writeAtomically(file, Buffer.from(`${JSON.stringify(raw, null, 2)}\n`));
  }
  return { dir, name: manifest.name, version: manifest.version, main: manifest.main, sha256, manifestUpdated, warnings };
}

async function bundleEntry(dir: string, entry: string, main: string): Promise<{ bundle: Uint8Array; warnings: string[] }> {
  let result: esbuild.BuildResult<{ write: false }>;
  try {
    result = await esbuild.build({
      // Paths in the output's comments are relative to this, so the bytes do not depend on the cwd.
      absWorkingDir: dir,
      entryPoints: [entry],
      outfile: main,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: [SDK_MODULE_NAME],
      sourcemap: false,
      write: false,
      logLevel: 'silent',
    });
  } catch (err) {
    const errors = (err as esbuild.BuildFailure).errors;
    if (!Array.isArray(errors)) throw err;
    throw new PluginBuildError(`plugin folder ${dir}: bundling failed:\n  ${errors.map(describeMessage).join('\n  ')}`);
  }
  const output = result.outputFiles.find((f) => f.path === path.join(dir, main)) ?? result.outputFiles[0];
  return { bundle: output.contents, warnings: result.warnings.map(describeMessage) };
}

function describeMessage(message: esbuild.Message): string {
  const at = message.location ? `${message.location.file}:${message.location.line}:${message.location.column}: ` : '';
  return `${at}${message.text}`;
}

function sameContents(file: string, contents: Uint8Array): boolean {
  try {
    return Buffer.from(contents).equals(fs.readFileSync(file));
  } catch {
    return false;
  }
}

/** Write then rename, so a host reading the folder meanwhile never sees half a file. */
function writeAtomically(file: string, contents: Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, contents);
  fs.renameSync(temp, file);
}
