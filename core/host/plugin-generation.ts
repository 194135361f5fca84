import type { Logger, PluginManifest, PluginModule } from '../../plugin-sdk';
import type { RegisteredFactory } from './factory-registry';
import type { HostResources, ResourceCounts } from './host-resources';
import { deactivateQuietly, type LoadedPlugin } from './plugin-loader';

/**
 * Where a generation is in its life:
 * - `staged`: built and activated, not (yet) in the registry; a failed reload disposes it from here.
 * - `current`: its factories are the ones in the registry.
 * - `superseded`: replaced or removed; still serving whatever pinned it, disposed at refCount 0.
 * - `disposed`: deactivated and its host-owned resources closed.
 */
export type GenerationState = 'staged' | 'current' | 'superseded' | 'disposed';

let nextId = 1;

/**
 * One load of one plugin: its module, its factories and its host-owned resources, plus a
 * reference count of the connections, streams and filter chains that still run on it.
 *
 * Why a reference count: a reload must not pull the code from under work in flight (a stream
 * started on v1 finishes on v1), yet must not keep v1 forever either. The kernel `acquire()`s the
 * generation of each factory it builds from and `release()`s it when done; a generation that is
 * no longer current is disposed as soon as its count reaches 0.
 */
export class PluginGeneration {
  /** Unique in the process (log lines and tests tell generations apart by it). */
  readonly id = nextId++;
  readonly manifest: PluginManifest;
  readonly dir: string;
  readonly loadedAt: Date;
  /** The factories the plugin registered, each pointing back at this generation. */
  readonly factories: readonly RegisteredFactory[];
  private module: PluginModule | undefined;
  private readonly resources: HostResources;
  private refs = 0;
  private stateValue: GenerationState = 'staged';
  private disposing: Promise<void> | undefined;
  private resolveDisposed!: () => void;
  private readonly disposedPromise = new Promise<void>((resolve) => (this.resolveDisposed = resolve));

  /**
   * @param number 1 for a plugin's first generation, then one more per generation built.
   * @param fingerprint sha256 of plugin.json and the bundle as loaded (tells a changed folder).
   */
  constructor(
    loaded: LoadedPlugin,
    readonly number: number,
    readonly fingerprint: string,
    private readonly logger: Logger,
  ) {
    this.manifest = loaded.manifest;
    this.dir = loaded.dir;
    this.loadedAt = loaded.loadedAt;
    this.module = loaded.module;
    this.resources = loaded.resources;
    this.factories = loaded.factories.map((f) => ({ ...f, generation: this }));
  }

  get name(): string {
    return this.manifest.name;
  }

  get version(): string {
    return this.manifest.version;
  }

  get state(): GenerationState {
    return this.stateValue;
  }

  /** How many holders have acquired and not yet released this generation. */
  get refCount(): number {
    return this.refs;
  }

  /** Resources the plugin holds through its context right now. */
  resourceCounts(): ResourceCounts {
    return this.resources.counts();
  }

  /**
   * Pins the generation: it will not be disposed before the matching {@link release}. Throws once
   * disposed (a holder must acquire while it still has the generation from the registry).
   */
  acquire(): this {
    if (this.stateValue === 'disposed') throw new Error(`${this.describe()} is disposed and cannot be acquired`);
    this.refs++;
    return this;
  }

  /** Unpins once; when no longer current and nothing else holds it, disposal starts. */
  release(): void {
    if (this.refs === 0) {
      // A release without an acquire is a kernel bug; going negative would hide the next one.
      this.logger.error({ plugin: this.name, generation: this.number }, `${this.describe()}: release() without a matching acquire()`);
      return;
    }
    this.refs--;
    if (this.refs === 0 && this.stateValue === 'superseded') void this.dispose();
  }

  /** staged → current: the host has put its factories in the registry. */
  markCurrent(): void {
    if (this.stateValue !== 'staged') throw new Error(`${this.describe()} is ${this.stateValue}, not staged`);
    this.stateValue = 'current';
  }

  /** current → superseded: replaced or removed; disposed now if nothing holds it, else at the last release. */
  supersede(): void {
    if (this.stateValue !== 'current') return;
    this.stateValue = 'superseded';
    if (this.refs === 0) void this.dispose();
  }

  /** Resolves once the generation is disposed. */
  whenDisposed(): Promise<void> {
    return this.disposedPromise;
  }

  /**
   * Runs the plugin's deactivate (a throw is logged), then closes its host-owned resources, then
   * drops the module so the bundle can be collected. Idempotent; holders are not waited for, so
   * the host calls it directly only for a staged generation or at shutdown.
   */
  dispose(): Promise<void> {
    if (this.disposing) return this.disposing;
    this.stateValue = 'disposed';
    this.disposing = this.runDispose();
    return this.disposing;
  }

  describe(): string {
    return `plugin ${JSON.stringify(this.name)} generation ${this.number}`;
  }

  private async runDispose(): Promise<void> {
    const module = this.module;
    this.module = undefined;
    try {
      if (module) await deactivateQuietly(module, this.manifest, this.logger);
      await this.resources.closeAll();
      this.logger.info({ plugin: this.name, version: this.version, generation: this.number }, `${this.describe()} (${this.version}) disposed`);
    } catch (err) {
      this.logger.error({ plugin: this.name, generation: this.number, err: String(err) }, `${this.describe()}: dispose failed`);
    } finally {
      this.resolveDisposed();
    }
  }
}
