import * as path from 'node:path';
import { PLUGIN_API_VERSION, type Logger } from '../../plugin-sdk';
import type { PluginSetFile } from '../../plugin-sdk/cli/registry-files';
import type { MetricsRegistry } from '../metrics/metrics-registry';
import { FactoryConflictError, type FactoryRegistry, type FactoryRegistryView } from './factory-registry';
import { GenerationBuilder, type BuildRefusal } from './generation-builder';
import { PluginHealth, type PluginCallRecorder } from './plugin-health';
import { PluginGeneration } from './plugin-generation';
import { describeError } from './plugin-loader';
import type { PluginLoadReport, PluginRecord } from './plugin-record';
import { PluginRecords } from './plugin-records';
import { scanPluginsDir, type ScannedPlugin } from './plugin-scan';
import { DEFAULT_SETS_DIR, PluginSetError, readHostSet, setProblems } from './plugin-set';
import { swapEvent, type PluginSwap, type PluginSwapListener } from './plugin-swap';
import { PluginDirWatcher, type PluginWatcherOptions } from './plugin-watcher';
import { planReload } from './reload-plan';

export type { PluginLoadReport, PluginState } from './plugin-record';

/**
 * Checks the running config against the registry a reload would leave (`view`); returns problems
 * (`path: reason` lines). Any problem refuses the whole reload: the running config stays valid.
 */
export type RunningConfigValidator = (view: FactoryRegistryView) => string[];

/** What a {@link PluginHost} works with. */
export interface PluginHostOptions {
  /** The plugins directory: each direct sub-folder with a plugin.json is a plugin. */
  dir: string;
  /** Where loaded plugins' factories go. */
  registry: FactoryRegistry;
  logger: Logger;
  /** The plugin API version plugins are checked against; default PLUGIN_API_VERSION. */
  apiVersion?: string;
  /** Where per-plugin counters are exported (type "plugin", labels {plugin}). */
  metrics?: MetricsRegistry;
  /** Consecutive errors that quarantine a plugin (default 10; 0 never quarantines). */
  quarantineThreshold?: number;
  /**
   * A curated set (`registry/sets/<name>.json`, or a path to a set file): only its plugins load,
   * each must match the set's lock, and a set naming a missing or mismatched plugin is refused.
   */
  set?: string;
  /** Where set names are looked up; default the repository's registry/sets. */
  setsDir?: string;
  /** Default check of every reload against the running config (see {@link RunningConfigValidator}). */
  validateRunningConfig?: RunningConfigValidator;
}

/** Per-call options of {@link PluginHost.reload}. */
export interface ReloadOptions {
  /** Overrides the host's validateRunningConfig for this reload. */
  validateRunningConfig?: RunningConfigValidator;
}

/** A plugin whose serving generation a reload changed. */
export interface PluginChange {
  name: string;
  dir: string;
  /** The generation that served before (absent: added). */
  from?: { version: string; generation: number };
  /** The generation that serves now (absent: removed). */
  to?: { version: string; generation: number };
}

/** What a reload did. */
export interface ReloadResult {
  /** True when the reload was committed (also when there was nothing to do). */
  ok: boolean;
  /** Plugins added, replaced or removed (empty unless ok). */
  changed: PluginChange[];
  /** Plugins refused and why; when not ok, every plugin of the batch is here (all-or-nothing). */
  refused: { name: string; reason: string }[];
}

interface Staged {
  record: PluginRecord;
  scan: ScannedPlugin;
  gen: PluginGeneration;
}

/** A refusal and the folder it belongs to. */
interface Refusal extends BuildRefusal {
  readonly record: PluginRecord;
}

/**
 * Discovers, loads and reloads the plugins of a directory, as generations.
 *
 * Loading a plugin builds a generation (manifest → API range → sha256 → config schemas → evaluate
 * → activate) and swaps its factories into the registry in one step; a failure keeps the previous
 * generation serving and is reported with its reason. A reload builds every changed plugin first
 * and commits all of them or none. Superseded generations are disposed once nothing holds them.
 * Loads, reloads and disposal run one at a time, in call order.
 */
export class PluginHost {
  readonly dir: string;
  /** Per-plugin counters and quarantine, fed by the kernel. */
  readonly health: PluginHealth;
  private readonly registry: FactoryRegistry;
  private readonly logger: Logger;
  private readonly builder: GenerationBuilder;
  private readonly setsDir: string;
  private readonly setName: string | undefined;
  private validateRunningConfig: RunningConfigValidator | undefined;
  /** One record per plugin folder. */
  private readonly records: PluginRecords;
  private readonly swapListeners = new Set<PluginSwapListener>();
  /** The set as the last load or reload read it (a changed set may accept what it refused). */
  private lastSet: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private watcher: PluginDirWatcher | undefined;

  constructor(opts: PluginHostOptions) {
    this.dir = path.resolve(opts.dir);
    this.registry = opts.registry;
    this.logger = opts.logger;
    this.setsDir = opts.setsDir ?? DEFAULT_SETS_DIR;
    this.setName = opts.set;
    this.validateRunningConfig = opts.validateRunningConfig;
    this.health = new PluginHealth(opts.logger, opts.metrics, opts.quarantineThreshold);
    this.builder = new GenerationBuilder(opts.apiVersion ?? PLUGIN_API_VERSION, opts.logger, this.health);
    this.records = new PluginRecords(opts.logger, this.health);
  }

  /**
   * Loads every plugin folder in the directory, one after another in folder-name order, and
   * returns one report per folder. Each plugin loads on its own: one that is refused is logged and
   * reported, and the others still load. A missing directory gives an empty list and a warning.
   * With a set, a set that cannot be served whole rejects with a {@link PluginSetError}.
   * Call {@link reload} to pick up changes, or {@link disposeAll} before loading again.
   */
  loadAll(): Promise<PluginLoadReport[]> {
    return this.serialize(() => this.runLoadAll());
  }

  /**
   * Rescans the directory and commits the changes as one transaction: without `names`, plugins
   * added, changed (files differ from the serving generation's) or removed; with `names`, exactly
   * those plugins, rebuilt even if unchanged (which also lifts a quarantine). Every new
   * generation is built first; then, only if all built and the running config accepts the
   * result, the registry swaps to all of them at once. Otherwise none is committed, the
   * previous generations keep serving, and each plugin's report carries the reason.
   */
  reload(names?: readonly string[], options: ReloadOptions = {}): Promise<ReloadResult> {
    return this.serialize(() => this.runReload(names, options));
  }

  /** Reports of every plugin folder the host knows, in folder order (fresh copies). */
  list(): PluginLoadReport[] {
    return this.records.reports();
  }

  /** The generation serving plugin `name` now, if any. */
  generation(name: string): PluginGeneration | undefined {
    return this.records.serving(name)?.current;
  }

  /**
   * Calls `listener` after every commit that changed factories (see PluginSwapEvent), so the
   * kernel can rebuild what uses them. Returns a function that removes the listener.
   */
  onSwap(listener: PluginSwapListener): () => void {
    this.swapListeners.add(listener);
    return () => this.swapListeners.delete(listener);
  }

  /** Sets (or with undefined clears) the default running-config check of reloads. */
  setRunningConfigValidator(validator: RunningConfigValidator | undefined): void {
    this.validateRunningConfig = validator;
  }

  /** Starts reloading on changes in the directory (once); disposeAll stops it. */
  async watch(options?: PluginWatcherOptions): Promise<PluginDirWatcher> {
    if (!this.watcher) {
      this.watcher = new PluginDirWatcher(this.dir, () => this.reload(), this.logger, options);
      await this.watcher.start();
    }
    return this.watcher;
  }

  /** The per-plugin recorder the kernel keeps for a filter chain (see PluginCallRecorder). */
  callRecorder(plugin: string): PluginCallRecorder {
    return this.health.recorder(plugin);
  }

  /** A call into `plugin` that returned normally, and how long it took. */
  recordCall(plugin: string, durationNs: number): void {
    this.health.recordCall(plugin, durationNs);
  }

  /** A call into `plugin` that threw; true when it just crossed the quarantine threshold. */
  recordError(plugin: string, error: unknown, durationNs = 0): boolean {
    return this.health.recordError(plugin, error, durationNs);
  }

  isQuarantined(plugin: string): boolean {
    return this.health.isQuarantined(plugin);
  }

  /** Resolves when every load, reload and disposal queued so far has finished. */
  async idle(): Promise<void> {
    await this.queue;
  }

  /**
   * Stops the watcher and unloads every plugin, last loaded first: its factories leave the
   * registry, then every generation (serving or draining) is disposed: deactivate (a throw is
   * logged and the others still run) and host-owned resources closed. This is shutdown: pinned
   * generations are disposed too.
   */
  disposeAll(): Promise<void> {
    return this.serialize(async () => {
      await this.watcher?.close();
      this.watcher = undefined;
      const records = this.records.takeAll().reverse();
      for (const r of records) if (r.current) this.registry.unregisterPlugin(r.current.name);
      for (const r of records) {
        for (const g of [r.current, ...r.draining]) {
          if (!g) continue;
          if (g.refCount > 0) this.logger.warn({ plugin: g.name, generation: g.number, refCount: g.refCount }, `${g.describe()} disposed while still held`);
          await g.dispose();
        }
      }
    });
  }

  private async runLoadAll(): Promise<PluginLoadReport[]> {
    if (this.records.anyServing()) throw new Error('plugins are already loaded; call disposeAll() first');
    const set = this.readSet();
    let scanned = await scanPluginsDir(this.dir);
    if (!scanned) this.logger.warn({ dir: this.dir }, 'plugins directory does not exist; no plugins loaded');
    if (set) scanned = this.setMembers(set, scanned ?? []);
    const swaps: PluginSwap[] = [];
    for (const scan of scanned ?? []) {
      const record = this.records.for(scan.dir);
      const built = await this.builder.build(scan, record.lastNumber + 1, set);
      if (!(built instanceof PluginGeneration)) {
        this.records.refuse(record, built);
        continue;
      }
      const conflict = this.twinReason(built, record) ?? this.registerReason(built);
      if (conflict) {
        // Activated but not committed: let it release whatever activate set up.
        await built.dispose();
        this.records.refuse(record, { reason: conflict, name: built.name, version: built.version, fingerprint: scan.fingerprint });
        continue;
      }
      swaps.push(this.records.install(record, built));
    }
    this.emit(swaps);
    return this.list();
  }

  /** The set's members among `scanned`; rejects with every reason when the set cannot be served. */
  private setMembers(set: PluginSetFile, scanned: ScannedPlugin[]): ScannedPlugin[] {
    const problems = setProblems(set, scanned, this.dir);
    if (problems.length > 0) {
      const err = new PluginSetError(set.name, problems);
      this.logger.error({ set: set.name, problems }, err.message);
      throw err;
    }
    const members = scanned.filter((s) => s.name !== undefined && s.name in set.plugins);
    const others = scanned.filter((s) => !members.includes(s)).map((s) => path.basename(s.dir));
    if (others.length > 0) this.logger.info({ set: set.name, skipped: others }, `plugin folders outside set ${JSON.stringify(set.name)} not loaded`);
    return members;
  }

  private async runReload(names: readonly string[] | undefined, options: ReloadOptions): Promise<ReloadResult> {
    let set: PluginSetFile | undefined;
    try {
      set = this.readSet();
    } catch (err) {
      return { ok: false, changed: [], refused: [{ name: this.setName ?? '', reason: (err as Error).message }] };
    }
    const scanned = (await scanPluginsDir(this.dir)) ?? [];
    this.records.forgetVanished(scanned);
    const inSet = set ? (name: string | undefined) => name !== undefined && name in set.plugins : undefined;
    const plan = planReload(this.records.tracked(), scanned, names, inSet);
    if (plan.unknown.length > 0) {
      return { ok: false, changed: [], refused: plan.unknown.map((n) => ({ name: n, reason: `no plugin ${JSON.stringify(n)} in ${this.dir}` })) };
    }
    if (plan.build.length === 0 && plan.remove.length === 0) return { ok: true, changed: [], refused: [] };
    this.logger.info({ build: plan.build.map((s) => path.basename(s.dir)), remove: plan.remove.map((t) => path.basename(t.dir)) }, 'reloading plugins');

    const staged: Staged[] = [];
    const refusals: Refusal[] = [];
    for (const scan of plan.build) {
      const record = this.records.for(scan.dir);
      const built = await this.builder.build(scan, record.lastNumber + 1, set);
      if (built instanceof PluginGeneration) staged.push({ record, scan, gen: built });
      else refusals.push({ ...built, record });
    }
    const removing = plan.remove.map((t) => this.records.get(t.dir)!);
    if (set) {
      for (const r of removing) refusals.push({ record: r, reason: `set ${JSON.stringify(set.name)} requires plugin ${JSON.stringify(r.name)} but its folder is gone` });
    }
    for (const s of staged) {
      const twin = this.twinReason(s.gen, s.record, staged, removing);
      if (twin) refusals.push({ record: s.record, reason: twin, name: s.gen.name, version: s.gen.version, fingerprint: s.scan.fingerprint });
    }

    const outgoing = [...staged.map((s) => s.record.current), ...removing.map((r) => r.current)].filter((g): g is PluginGeneration => g !== undefined).map((g) => g.name);
    const incoming = staged.flatMap((s) => s.gen.factories);
    if (refusals.length === 0) {
      let preview: FactoryRegistry | undefined;
      try {
        preview = this.registry.preview(outgoing, incoming);
      } catch (err) {
        const owner = err instanceof FactoryConflictError ? staged.find((s) => s.gen.name === err.entry.pluginName) : undefined;
        const s = owner ?? staged[0];
        refusals.push({ record: s.record, reason: `plugin ${JSON.stringify(s.gen.name)}: ${(err as Error).message}`, name: s.gen.name, version: s.gen.version, fingerprint: s.scan.fingerprint });
      }
      const validate = options.validateRunningConfig ?? this.validateRunningConfig;
      const problems = preview && validate ? runValidator(validate, preview) : [];
      if (problems.length > 0) {
        const reason = `the running config does not accept this reload: ${problems.join('; ')}`;
        for (const s of staged) refusals.push({ record: s.record, reason, name: s.gen.name, version: s.gen.version, fingerprint: s.scan.fingerprint });
        for (const r of removing) refusals.push({ record: r, reason });
      }
    }
    if (refusals.length > 0) return this.rollback(staged, removing, refusals);
    return this.commit(staged, removing, outgoing);
  }

  /** Puts a whole batch in the registry in one step, then hands over old generations. */
  private commit(staged: Staged[], removing: PluginRecord[], outgoing: string[]): ReloadResult {
    // Cannot throw: preview() accepted this very change and nothing has run since.
    this.registry.replacePlugins(outgoing, staged.flatMap((s) => s.gen.factories));
    const swaps: PluginSwap[] = [];
    const changed: PluginChange[] = [];
    const retiring: [PluginRecord, PluginGeneration][] = [];
    for (const s of staged) {
      const previous = s.record.current;
      swaps.push(this.records.install(s.record, s.gen));
      changed.push({ name: s.gen.name, dir: s.record.dir, ...(previous ? { from: versionOf(previous) } : {}), to: versionOf(s.gen) });
      if (previous) retiring.push([s.record, previous]);
    }
    for (const r of removing) {
      const swap = this.records.remove(r);
      swaps.push(swap);
      changed.push({ name: swap.name, dir: r.dir, from: versionOf(swap.previous!) });
      retiring.push([r, swap.previous!]);
    }
    this.emit(swaps);
    // After the listeners: the kernel has moved its pins to the new generations by now.
    for (const [record, gen] of retiring) this.records.retire(record, gen);
    return { ok: true, changed, refused: [] };
  }

  /** Nothing of a failed batch is committed: staged generations are disposed, every plugin told why. */
  private async rollback(staged: Staged[], removing: PluginRecord[], refusals: Refusal[]): Promise<ReloadResult> {
    await Promise.all(staged.map((s) => s.gen.dispose()));
    const failedRecords = new Set(refusals.map((r) => r.record));
    const summary = refusals.map((r) => `${r.name ?? r.record.name}: ${r.reason}`).join('; ');
    const notCommitted = `not committed, because the reload is all-or-nothing and ${refusals.length === 1 ? 'another plugin was' : 'other plugins were'} refused (${summary})`;
    const all: Refusal[] = [...refusals];
    for (const s of staged) {
      if (!failedRecords.has(s.record)) all.push({ record: s.record, reason: notCommitted, name: s.gen.name, version: s.gen.version });
    }
    for (const r of removing) if (!failedRecords.has(r)) all.push({ record: r, reason: `removal ${notCommitted}` });
    for (const r of all) this.records.refuse(r.record, r);
    return { ok: false, changed: [], refused: all.map((r) => ({ name: r.name ?? r.record.name, reason: r.reason })) };
  }

  /** A plugin name must be unique: refused when a plugin that stays (or another new one) has it. */
  private twinReason(gen: PluginGeneration, record: PluginRecord, staged: Staged[] = [], removing: PluginRecord[] = []): string | undefined {
    const leaving = new Set<PluginRecord>([...staged.map((s) => s.record), ...removing]);
    for (const r of this.records.sorted()) {
      if (r === record || leaving.has(r) || r.current?.name !== gen.name) continue;
      return `plugin ${JSON.stringify(gen.name)} is already loaded from ${r.dir}`;
    }
    const other = staged.find((s) => s.record !== record && s.gen.name === gen.name && s.record.dir < record.dir);
    return other ? `plugin ${JSON.stringify(gen.name)} is already loaded from ${other.record.dir}` : undefined;
  }

  /** Registers a first load's factories (all or none); returns why not, if not. */
  private registerReason(gen: PluginGeneration): string | undefined {
    try {
      this.registry.registerAll(gen.factories);
      return undefined;
    } catch (err) {
      return `plugin ${JSON.stringify(gen.name)}: ${(err as Error).message}`;
    }
  }

  private emit(swaps: PluginSwap[]): void {
    if (swaps.length === 0) return;
    const event = swapEvent(swaps, this.registry);
    for (const listener of this.swapListeners) {
      try {
        listener(event);
      } catch (err) {
        this.logger.error({ err: describeError(err) }, 'plugin swap listener failed');
      }
    }
  }

  /**
   * Reads the set, if the host has one. When the set changed since it was last read (e.g.
   * re-locked), refusals stop counting as final: a rescan retries those folders even though their
   * files did not change.
   */
  private readSet(): PluginSetFile | undefined {
    if (this.setName === undefined) return undefined;
    const set = readHostSet(this.setsDir, this.setName);
    const text = JSON.stringify(set);
    if (this.lastSet !== undefined && text !== this.lastSet) this.records.forgetRefusedFiles();
    this.lastSet = text;
    return set;
  }

  private serialize<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op, op);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

function runValidator(validate: RunningConfigValidator, view: FactoryRegistryView): string[] {
  try {
    return validate(view);
  } catch (err) {
    return [`the running-config check failed: ${describeError(err)}`];
  }
}

function versionOf(g: PluginGeneration): { version: string; generation: number } {
  return { version: g.version, generation: g.number };
}
