import * as path from 'node:path';
import { PLUGIN_API_VERSION, type FactoryKind, type Logger } from '../../plugin-sdk';
import type { FactoryRegistry } from './factory-registry';
import { discoverPluginDirs } from './plugin-discovery';
import { deactivateQuietly, loadPlugin, PluginLoadError, type LoadedPlugin } from './plugin-loader';

/** The outcome of loading one plugin folder, as the CLI and admin API show it. */
export interface PluginLoadReport {
  /** The manifest's name, or the folder name when plugin.json could not be read. */
  name: string;
  /** The manifest's version, when plugin.json could be read. */
  version?: string;
  /** Absolute plugin folder. */
  dir: string;
  state: 'loaded' | 'refused';
  /** Why it was refused. */
  error?: string;
  loadedAt?: Date;
  /** The factories it has in the registry (none when refused). */
  provides: { kind: FactoryKind; name: string }[];
}

/** What a {@link PluginHost} works with. */
export interface PluginHostOptions {
  /** The plugins directory: each direct sub-folder with a plugin.json is a plugin. */
  dir: string;
  /** Where loaded plugins' factories go. */
  registry: FactoryRegistry;
  logger: Logger;
  /** The plugin API version plugins are checked against; default PLUGIN_API_VERSION. */
  apiVersion?: string;
}

/**
 * Discovers, loads and activates the plugins of a directory and puts their factories in the
 * registry. Each plugin loads on its own: one that is refused is logged and reported, and the
 * others still load.
 */
export class PluginHost {
  private readonly dir: string;
  private readonly registry: FactoryRegistry;
  private readonly logger: Logger;
  private readonly apiVersion: string;
  private reports: PluginLoadReport[] = [];
  /** Committed plugins, in load order. */
  private loaded: LoadedPlugin[] = [];
  private loading = false;

  constructor(opts: PluginHostOptions) {
    this.dir = path.resolve(opts.dir);
    this.registry = opts.registry;
    this.logger = opts.logger;
    this.apiVersion = opts.apiVersion ?? PLUGIN_API_VERSION;
  }

  /**
   * Loads every plugin folder in the directory, one after another in folder-name order, and
   * returns one report per folder. A missing directory gives an empty list and a warning.
   * Reloading is not supported yet: call {@link disposeAll} before loading again.
   */
  async loadAll(): Promise<PluginLoadReport[]> {
    if (this.loading || this.loaded.length > 0) throw new Error('plugins are already loaded; call disposeAll() first');
    this.loading = true;
    try {
      const dirs = await discoverPluginDirs(this.dir);
      if (!dirs) this.logger.warn({ dir: this.dir }, 'plugins directory does not exist; no plugins loaded');
      const reports: PluginLoadReport[] = [];
      for (const dir of dirs ?? []) reports.push(await this.loadOne(dir));
      this.reports = reports;
      return this.list();
    } finally {
      this.loading = false;
    }
  }

  /** The reports of the last {@link loadAll} (copies). */
  list(): PluginLoadReport[] {
    return this.reports.map((r) => ({ ...r, provides: r.provides.map((p) => ({ ...p })) }));
  }

  /**
   * Unloads every plugin, last loaded first: its factories leave the registry, then its
   * deactivate (if any) runs. A deactivate that throws is logged and the others still run.
   */
  async disposeAll(): Promise<void> {
    const plugins = this.loaded.reverse();
    this.loaded = [];
    this.reports = [];
    for (const plugin of plugins) {
      this.registry.unregisterPlugin(plugin.manifest.name);
      await deactivateQuietly(plugin.module, plugin.manifest, this.logger);
      this.logger.info({ plugin: plugin.manifest.name, version: plugin.manifest.version }, 'plugin unloaded');
    }
  }

  private async loadOne(dir: string): Promise<PluginLoadReport> {
    let plugin: LoadedPlugin;
    try {
      plugin = await loadPlugin(dir, { apiVersion: this.apiVersion, logger: this.logger });
    } catch (err) {
      const manifest = err instanceof PluginLoadError ? err.manifest : undefined;
      return this.refused(dir, manifest?.name ?? path.basename(dir), manifest?.version, (err as Error).message);
    }
    const { name, version } = plugin.manifest;
    const conflict = this.commit(plugin);
    if (conflict) {
      // Activated but not committed: let it release whatever activate set up.
      await deactivateQuietly(plugin.module, plugin.manifest, this.logger);
      return this.refused(dir, name, version, conflict);
    }
    const provides = plugin.factories.map((f) => ({ kind: f.kind, name: f.name }));
    this.logger.info({ plugin: name, version, dir, provides }, `plugin ${name}@${version} loaded`);
    return { name, version, dir, state: 'loaded', loadedAt: plugin.loadedAt, provides };
  }

  /** Puts a loaded plugin's factories in the registry, all or none; returns why not, if not. */
  private commit(plugin: LoadedPlugin): string | undefined {
    const name = JSON.stringify(plugin.manifest.name);
    const twin = this.loaded.find((p) => p.manifest.name === plugin.manifest.name);
    if (twin) return `plugin ${name} is already loaded from ${twin.dir}`;
    try {
      this.registry.registerAll(plugin.factories);
    } catch (err) {
      return `plugin ${name}: ${(err as Error).message}`;
    }
    this.loaded.push(plugin);
    return undefined;
  }

  private refused(dir: string, name: string, version: string | undefined, reason: string): PluginLoadReport {
    this.logger.error({ plugin: name, version, dir, reason }, `plugin ${name} refused: ${reason}`);
    return { name, ...(version !== undefined ? { version } : {}), dir, state: 'refused', error: reason, provides: [] };
  }
}
