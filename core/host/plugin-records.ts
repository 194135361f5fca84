import type { Logger } from '../../plugin-sdk';
import type { BuildRefusal } from './generation-builder';
import type { PluginHealth } from './plugin-health';
import type { PluginGeneration } from './plugin-generation';
import { PluginRecord, type PluginLoadReport } from './plugin-record';
import type { ScannedPlugin } from './plugin-scan';
import type { PluginSwap } from './plugin-swap';
import type { TrackedPlugin } from './reload-plan';

/**
 * The host's book of plugin folders (one {@link PluginRecord} per folder, by absolute path) and
 * the transitions of a record: a generation installed, retired, or an attempt refused. Each
 * transition is logged here, once, the same way for a first load and a reload.
 */
export class PluginRecords {
  private readonly byDir = new Map<string, PluginRecord>();

  constructor(
    private readonly logger: Logger,
    private readonly health: PluginHealth,
  ) {}

  /** The record of `dir`, created on first use. */
  for(dir: string): PluginRecord {
    let r = this.byDir.get(dir);
    if (!r) this.byDir.set(dir, (r = new PluginRecord(dir)));
    return r;
  }

  get(dir: string): PluginRecord | undefined {
    return this.byDir.get(dir);
  }

  /** Records in folder order (byte order of the path). */
  sorted(): PluginRecord[] {
    return [...this.byDir.values()].sort((a, b) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0));
  }

  /** Empties the book (disposeAll) and returns what it held, in folder order. */
  takeAll(): PluginRecord[] {
    const all = this.sorted();
    this.byDir.clear();
    return all;
  }

  /** Whether any generation serves. */
  anyServing(): boolean {
    return [...this.byDir.values()].some((r) => r.current);
  }

  /** The record whose serving generation is plugin `name`. */
  serving(name: string): PluginRecord | undefined {
    for (const r of this.byDir.values()) if (r.current?.name === name) return r;
    return undefined;
  }

  reports(): PluginLoadReport[] {
    return this.sorted().map((r) => r.report(this.health));
  }

  /** What the reload planner compares the scan with. */
  tracked(): TrackedPlugin[] {
    return [...this.byDir.values()].map((r) => ({
      dir: r.dir,
      ...(r.current ? { current: { name: r.current.name, fingerprint: r.current.fingerprint } } : {}),
      ...(r.failure?.fingerprint ? { refusedFingerprint: r.failure.fingerprint } : {}),
    }));
  }

  /** Folders that are gone and served nothing: their refusal no longer matters. */
  forgetVanished(scanned: readonly ScannedPlugin[]): void {
    const present = new Set(scanned.map((s) => s.dir));
    for (const r of [...this.byDir.values()]) {
      if (present.has(r.dir) || r.current) continue;
      r.failure = undefined;
      if (r.isEmpty) this.byDir.delete(r.dir);
    }
  }

  /** Refusals stop counting as final (the set changed): a rescan retries those folders. */
  forgetRefusedFiles(): void {
    for (const r of this.byDir.values()) if (r.failure?.fingerprint) r.failure = { ...r.failure, fingerprint: undefined };
  }

  /** Makes a committed generation the record's serving one (it must be staged). */
  install(record: PluginRecord, gen: PluginGeneration): PluginSwap {
    const previous = record.current;
    gen.markCurrent();
    record.current = gen;
    record.lastNumber = gen.number;
    record.failure = undefined;
    this.health.reset(gen.name);
    const provides = gen.factories.map((f) => ({ kind: f.kind, name: f.name }));
    this.logger.info(
      { plugin: gen.name, version: gen.version, dir: record.dir, provides, generation: gen.number },
      `plugin ${gen.name}@${gen.version} loaded${gen.number > 1 ? ` (generation ${gen.number})` : ''}`,
    );
    return { name: gen.name, ...(previous ? { previous } : {}), current: gen };
  }

  /** Takes the serving generation out of a record whose folder went (it is retired separately). */
  remove(record: PluginRecord): PluginSwap {
    const previous = record.current!;
    record.current = undefined;
    record.failure = undefined;
    this.logger.info({ plugin: previous.name, version: previous.version, dir: record.dir }, `plugin ${previous.name}@${previous.version} removed`);
    return { name: previous.name, previous };
  }

  /** Supersedes a generation: it drains while held and is disposed at its last release. */
  retire(record: PluginRecord, gen: PluginGeneration): void {
    record.draining.add(gen);
    void gen.whenDisposed().then(() => {
      record.draining.delete(gen);
      if (record.isEmpty && this.byDir.get(record.dir) === record) this.byDir.delete(record.dir);
    });
    gen.supersede();
  }

  /** Records (and logs) a refused attempt; the serving generation, if any, keeps serving. */
  refuse(record: PluginRecord, refusal: BuildRefusal): void {
    const name = refusal.name ?? record.name;
    record.failure = {
      reason: refusal.reason,
      at: new Date(),
      ...(refusal.name !== undefined ? { name: refusal.name } : {}),
      ...(refusal.version !== undefined ? { version: refusal.version } : {}),
      ...(refusal.fingerprint ? { fingerprint: refusal.fingerprint } : {}),
    };
    const serving = record.current ? `; generation ${record.current.number} (${record.current.version}) keeps serving` : '';
    this.logger.error({ plugin: name, version: refusal.version, dir: record.dir, reason: refusal.reason }, `plugin ${name} refused: ${refusal.reason}${serving}`);
  }
}
