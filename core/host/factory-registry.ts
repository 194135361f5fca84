import { FACTORY_KINDS, type FactoryKind } from '../../plugin-sdk';

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
}

/**
 * The kernel's factory maps: one name → factory map per kind. A name is owned by one plugin at a
 * time; registering it again is an error, never a silent overwrite.
 */
export class FactoryRegistry {
  private readonly maps = new Map<FactoryKind, Map<string, RegisteredFactory>>(FACTORY_KINDS.map((kind) => [kind, new Map()]));

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
      if (owner) {
        throw new Error(`${entry.kind} ${JSON.stringify(entry.name)} is already registered by plugin ${JSON.stringify(owner.pluginName)}`);
      }
      batch.set(`${entry.kind}/${entry.name}`, entry);
    }
    for (const entry of batch.values()) this.maps.get(entry.kind)!.set(entry.name, entry);
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
