import * as path from 'node:path';
import type { FactoryKind } from '../../plugin-sdk';
import type { PluginCounters, PluginHealth, PluginQuarantine } from './plugin-health';
import type { PluginGeneration } from './plugin-generation';

/**
 * What the CLI and admin API show for one plugin folder.
 * - `loaded`: the current generation serves and the last attempt succeeded.
 * - `stale`: the last attempt was refused (see `error`); the previous generation still serves.
 * - `refused`: the last attempt was refused and no generation serves.
 * - `removed`: the folder is gone; generations that were superseded still drain (see `draining`).
 */
export type PluginState = 'loaded' | 'stale' | 'refused' | 'removed';

/** The outcome of loading one plugin folder, as the CLI and admin API show it. */
export interface PluginLoadReport {
  /** The manifest's name, or the folder name when plugin.json could not be read. */
  name: string;
  /** The serving generation's version, else the version of the refused attempt (when plugin.json could be read). */
  version?: string;
  /** Absolute plugin folder. */
  dir: string;
  state: PluginState;
  /** Number of the serving generation (1 for the first load, one more per committed reload). */
  generation?: number;
  /** Why the last attempt was refused (kept while the previous generation serves). */
  error?: string;
  errorAt?: Date;
  /** The version the refused attempt found, when plugin.json could be read. */
  attemptedVersion?: string;
  /** When the serving generation was loaded. */
  loadedAt?: Date;
  /** The factories it has in the registry (none when refused). */
  provides: { kind: FactoryKind; name: string }[];
  /** How many connections, streams and chains hold the serving generation. */
  refCount?: number;
  quarantined: boolean;
  quarantine?: PluginQuarantine;
  counters: PluginCounters;
  /** Superseded generations still held by in-flight work. */
  draining: { generation: number; version: string; refCount: number }[];
}

/** The last refused attempt of a plugin folder. */
export interface PluginFailure {
  readonly reason: string;
  readonly at: Date;
  readonly name?: string;
  readonly version?: string;
  /**
   * The files it was refused for; a rescan skips the folder while they are unchanged. Undefined when
   * the plugin itself was fine but its batch was not committed (it is retried on the next reload).
   */
  readonly fingerprint?: string;
}

/** The host's state of one plugin folder across reloads. */
export class PluginRecord {
  current: PluginGeneration | undefined;
  readonly draining = new Set<PluginGeneration>();
  failure: PluginFailure | undefined;
  /** Number of the last generation committed from this folder. */
  lastNumber = 0;

  constructor(readonly dir: string) {}

  /** The name reports use: the serving generation's, else the refused attempt's, else the folder's. */
  get name(): string {
    return this.current?.name ?? this.failure?.name ?? path.basename(this.dir);
  }

  /** Nothing serves, nothing drains and no failure to show: the host can forget the folder. */
  get isEmpty(): boolean {
    return !this.current && this.draining.size === 0 && !this.failure;
  }

  report(health: PluginHealth): PluginLoadReport {
    const g = this.current;
    const f = this.failure;
    const name = this.name;
    const recorder = health.recorder(name);
    const quarantine = recorder.quarantineInfo();
    const state: PluginState = g ? (f ? 'stale' : 'loaded') : f ? 'refused' : 'removed';
    const version = g?.version ?? f?.version;
    return {
      name,
      ...(version !== undefined ? { version } : {}),
      dir: this.dir,
      state,
      ...(g ? { generation: g.number, loadedAt: g.loadedAt, refCount: g.refCount } : {}),
      ...(f ? { error: f.reason, errorAt: f.at, ...(f.version !== undefined ? { attemptedVersion: f.version } : {}) } : {}),
      provides: (g?.factories ?? []).map((p) => ({ kind: p.kind, name: p.name })),
      quarantined: quarantine !== undefined,
      ...(quarantine ? { quarantine } : {}),
      counters: recorder.counters(),
      draining: [...this.draining].map((d) => ({ generation: d.number, version: d.version, refCount: d.refCount })),
    };
  }
}
