import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as semver from 'semver';
import type { Logger, PluginManifest, PluginModule } from '../../plugin-sdk';
import { readManifestFile } from '../../plugin-sdk/manifest';
import { evaluateBundle } from './bundle-evaluator';
import { compileConfigSchemas } from './config-schema-compiler';
import type { RegisteredFactory } from './factory-registry';
import { HostResources } from './host-resources';
import { createActivationContext } from './plugin-context';

/**
 * One successful load of a plugin folder: everything the load produced, self-contained, so the
 * host can commit it (or, later, swap it for the running generation) as one unit.
 */
export interface LoadedPlugin {
  /** Absolute plugin folder. */
  readonly dir: string;
  readonly manifest: PluginManifest;
  /** Absolute path of the evaluated bundle. */
  readonly mainFile: string;
  /** The bundle's exports. */
  readonly module: PluginModule;
  /** What activate registered, with compiled config validators; not yet in any registry. */
  readonly factories: readonly RegisteredFactory[];
  /** Timers, servers, sockets and dispose hooks the plugin opened through its context. */
  readonly resources: HostResources;
  readonly loadedAt: Date;
}

/** What the loader needs from the host. */
export interface PluginLoadOptions {
  /** The kernel's plugin API version, checked against `engines.mosn`. */
  readonly apiVersion: string;
  /** The host's logger; the plugin gets a child of it. */
  readonly logger: Logger;
  /** Names the load in resource errors, e.g. `plugin "x" generation 2` (default `plugin "x"`). */
  readonly describe?: (manifest: PluginManifest) => string;
  /** Told about throws from the plugin's callbacks that the host runs (timers, server listeners). */
  readonly onCallbackError?: (manifest: PluginManifest, error: unknown, where: string) => void;
}

/** A load refused; `message` says which plugin and why. */
export class PluginLoadError extends Error {
  constructor(
    readonly pluginDir: string,
    message: string,
    /** Known once plugin.json has been read. */
    readonly manifest?: PluginManifest,
  ) {
    super(message);
    this.name = 'PluginLoadError';
  }
}

/**
 * Loads one plugin folder: read and validate plugin.json → check the API range → check the bundle's
 * sha256 → compile config schemas → evaluate the bundle → await activate. Any failure throws a
 * {@link PluginLoadError}; the registry is never touched here.
 */
export async function loadPlugin(pluginDir: string, options: PluginLoadOptions): Promise<LoadedPlugin> {
  const dir = path.resolve(pluginDir);
  let manifest: PluginManifest;
  try {
    manifest = readManifestFile(dir).manifest;
  } catch (err) {
    throw new PluginLoadError(dir, (err as Error).message);
  }
  const plugin = JSON.stringify(manifest.name);
  const refuse = (reason: string): PluginLoadError => new PluginLoadError(dir, reason, manifest);

  if (!semver.satisfies(options.apiVersion, manifest.engines.mosn)) {
    throw refuse(`plugin ${plugin} requires mosn plugin API ${JSON.stringify(manifest.engines.mosn)} but this kernel provides ${options.apiVersion}`);
  }

  if (!manifest.sha256) throw refuse(`plugin ${plugin} has no sha256 in plugin.json; run \`mosn-plugin build\` to write it`);
  const mainFile = path.join(dir, manifest.main);
  let bytes: Buffer;
  try {
    bytes = await fs.promises.readFile(mainFile);
  } catch (err) {
    throw refuse(`plugin ${plugin}: cannot read main ${manifest.main}: ${(err as Error).message}`);
  }
  // The same bytes are hashed and evaluated, so the file cannot change in between.
  const actual = createHash('sha256').update(bytes).digest('hex');
  const expected = manifest.sha256.toLowerCase();
  if (actual !== expected) {
    throw refuse(`plugin ${plugin}: ${manifest.main} does not match the sha256 in plugin.json (expected ${expected}, actual ${actual})`);
  }

  let validators: ReturnType<typeof compileConfigSchemas>;
  try {
    validators = compileConfigSchemas(manifest.provides);
  } catch (err) {
    throw refuse(`plugin ${plugin}: ${(err as Error).message}`);
  }

  let exports: unknown;
  try {
    exports = evaluateBundle(bytes.toString('utf8'), mainFile);
  } catch (err) {
    throw refuse(`plugin ${plugin}: ${manifest.main} failed to evaluate: ${describeError(err, { file: mainFile, shownAs: manifest.main })}`);
  }
  let module: PluginModule;
  try {
    module = pluginModuleOf(exports);
  } catch (err) {
    throw refuse(`plugin ${plugin}: ${manifest.main}: ${(err as Error).message}`);
  }

  // Resources belong to this load from the first line of activate: a failed load closes them.
  const resources = new HostResources(options.describe?.(manifest) ?? `plugin ${plugin}`, (error, where) => {
    if (options.onCallbackError) options.onCallbackError(manifest, error, where);
    else options.logger.error({ plugin: manifest.name, err: describeError(error), where }, `plugin ${plugin}: ${where} threw`);
  });
  const activation = createActivationContext(manifest, options.apiVersion, options.logger, validators, resources);
  try {
    await module.activate(activation.context);
  } catch (err) {
    activation.seal();
    await resources.closeAll();
    throw refuse(`plugin ${plugin}: activate failed: ${describeError(err)}`);
  }
  const factories = activation.seal();

  const registered = new Set(factories.map((f) => `${f.kind}/${f.name}`));
  const missing = manifest.provides.filter((p) => !registered.has(`${p.kind}/${p.name}`));
  if (missing.length > 0) {
    await deactivateQuietly(module, manifest, options.logger);
    await resources.closeAll();
    const list = missing.map((p) => `${p.kind} ${JSON.stringify(p.name)}`).join(', ');
    throw refuse(`plugin ${plugin}: activate did not register ${list} declared in plugin.json provides`);
  }

  return { dir, manifest, mainFile, module, factories, resources, loadedAt: new Date() };
}

/**
 * Calls a loaded plugin's deactivate, if it has one; a throw or rejection is logged, not raised,
 * because the caller is releasing the plugin either way.
 */
export async function deactivateQuietly(module: PluginModule, manifest: PluginManifest, logger: Logger): Promise<void> {
  if (typeof module.deactivate !== 'function') return;
  try {
    await module.deactivate();
  } catch (err) {
    logger.error({ plugin: manifest.name, err: describeError(err) }, `plugin ${JSON.stringify(manifest.name)}: deactivate failed`);
  }
}

/** Accepts `module.exports = { activate }` and `export default { activate }` bundles. */
function pluginModuleOf(exports: unknown): PluginModule {
  for (const candidate of [exports, (exports as { default?: unknown } | null)?.default]) {
    const activate = (candidate as Partial<PluginModule> | null | undefined)?.activate;
    if (typeof activate !== 'function') continue;
    const deactivate = (candidate as Partial<PluginModule>).deactivate;
    if (deactivate !== undefined && typeof deactivate !== 'function') throw new Error('deactivate is exported but is not a function');
    return candidate as PluginModule;
  }
  throw new Error('the bundle does not export an activate function');
}

/**
 * `Name: message`, plus the bundle location for a syntax error (V8 puts `file:line` as the first
 * line of its stack, which `message` lacks).
 */
export function describeError(err: unknown, bundle?: { file: string; shownAs: string }): string {
  if (!(err instanceof Error)) return String(err);
  const text = `${err.name}: ${err.message}`;
  const firstStackLine = err.stack?.split('\n', 1)[0] ?? '';
  if (err instanceof SyntaxError && bundle && firstStackLine.startsWith(`${bundle.file}:`)) {
    return `${text} (at ${bundle.shownAs}${firstStackLine.slice(bundle.file.length)})`;
  }
  return text;
}
