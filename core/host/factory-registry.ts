import { FACTORY_KINDS, type FactoryKind } from '../../plugin-sdk';
import type { PluginGeneration } from './plugin-generation';

/**
 * Checks one factory's config block against the schema its plugin declared. Returns problems as
 * `path: reason` lines with `basePath` (the block's own location, e.g. `filters[0].config`) in front;
 * an empty list means the config is acceptable.
 */
export type ConfigValidator = (config: unknown, basePath: string) => string[];

/** A factory in the registry, with where it came from and how to check its config. */
export interface RegisteredFactory {
  readonly kind: FactoryKind;
  readonly name: string;
  /** The object the plugin registered (e.g. a NetworkFilterFactory); its contract depends on `kind`. */
  readonly factory: unknown;
  readonly pluginName: string;
  readonly pluginVersion: string;
  readonly validateConfig: ConfigValidator;
  /**
   * The plugin generation the factory belongs to (absent for the kernel's own factories). Whoever
   * builds something long-lived from the factory (a listener's filter chain, a connection, a
   * stream) pins the generation with `acquire()` and lets go with `release()`, so a superseded
   * generation is disposed only when the last of them is gone.
   */
  readonly generation?: PluginGeneration;
}

/** Read access to factory maps: the live registry, or a preview of one after a reload. */
export interface FactoryRegistryView {
  get(kind: FactoryKind, name: string): RegisteredFactory | undefined;
  names(kind: FactoryKind): string[];
  all(): RegisteredFactory[];
}

/** A (kind, name) already owned by another plugin; `entry` is the one that was refused. */
export class FactoryConflictError extends Error {
  constructor(
    readonly entry: RegisteredFactory,
    readonly owner: RegisteredFactory,
  ) {
    super(`${entry.kind} ${JSON.stringify(entry.name)} is already registered by plugin ${JSON.stringify(owner.pluginName)}`);
    this.name = 'FactoryConflictError';
  }
}

/**
 * The kernel's factory maps: one name → factory map per kind. A name is owned by one plugin at a
 * time; registering it again is an error, never a silent overwrite.
 */
export class FactoryRegistry implements FactoryRegistryView {
  /** Replaced as a whole by {@link replacePlugins}: one assignment is the atomic swap. */
  private maps = emptyMaps();

  /** The factory registered as `name` under `kind`, if any. */
  get(kind: FactoryKind, name: string): RegisteredFactory | undefined {
    return this.maps.get(kind)?.get(name);
  }

  /** Names registered under `kind`, sorted. */
  names(kind: FactoryKind): string[] {
    return [...(this.maps.get(kind)?.keys() ?? [])].sort();
  }

  /** Every registered factory, by kind (in FACTORY_KINDS order) then name. */
  all(): RegisteredFactory[] {
    return FACTORY_KINDS.flatMap((kind) => this.names(kind).map((name) => this.get(kind, name)!));
  }

  /** Adds one factory; throws if its (kind, name) is taken. */
  register(entry: RegisteredFactory): void {
    this.registerAll([entry]);
  }

  /**
   * Adds a plugin's factories all or nothing: if any (kind, name) is taken (or repeated in
   * `entries`), nothing is added and the error names the owner.
   */
  registerAll(entries: readonly RegisteredFactory[]): void {
    const batch = new Map<string, RegisteredFactory>();
    for (const entry of entries) {
      const map = this.maps.get(entry.kind);
      if (!map) throw new Error(`unknown factory kind ${JSON.stringify(entry.kind)}`);
      const owner = map.get(entry.name) ?? batch.get(`${entry.kind}/${entry.name}`);
      if (owner) throw new FactoryConflictError(entry, owner);
      batch.set(`${entry.kind}/${entry.name}`, entry);
    }
    for (const entry of batch.values()) this.maps.get(entry.kind)!.set(entry.name, entry);
  }

  /**
   * The registry as it would be after removing every factory of `removePlugins` and adding `add`
   * (a copy; this registry is unchanged). Throws a {@link FactoryConflictError} when an added
   * (kind, name) would still be owned by a plugin that stays, or is added twice.
   */
  preview(removePlugins: Iterable<string>, add: readonly RegisteredFactory[]): FactoryRegistry {
    const removed = new Set(removePlugins);
    const next = new FactoryRegistry();
    for (const [kind, map] of this.maps) {
      const copy = next.maps.get(kind)!;
      for (const [name, entry] of map) if (!removed.has(entry.pluginName)) copy.set(name, entry);
    }
    next.registerAll(add);
    return next;
  }

  /**
   * Replaces the factories of `removePlugins` with `add` in one step: readers see either the old
   * maps or the new ones, never a mix (all-or-nothing; throws like {@link preview} and then
   * changes nothing). Returns the entries that left.
   */
  replacePlugins(removePlugins: Iterable<string>, add: readonly RegisteredFactory[]): RegisteredFactory[] {
    const removed = new Set(removePlugins);
    const next = this.preview(removed, add);
    const left = this.all().filter((e) => removed.has(e.pluginName));
    this.maps = next.maps;
    return left;
  }

  /** Removes every factory registered by `pluginName`; returns what was removed. */
  unregisterPlugin(pluginName: string): RegisteredFactory[] {
    const removed: RegisteredFactory[] = [];
    for (const map of this.maps.values()) {
      for (const [name, entry] of map) {
        if (entry.pluginName !== pluginName) continue;
        map.delete(name);
        removed.push(entry);
      }
    }
    return removed;
  }
}

function emptyMaps(): Map<FactoryKind, Map<string, RegisteredFactory>> {
  return new Map(FACTORY_KINDS.map((kind) => [kind, new Map<string, RegisteredFactory>()]));
}
