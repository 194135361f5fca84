import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { AccessLog } from '../accesslog/access-log';
import { AdminServer } from '../admin/admin-server';
import { pluginsRoutes } from '../admin/plugins-routes';
import type { AdminRoute } from '../admin/admin-route';
import { ConfigLoadError } from '../config/config-error';
import type { MosnConfig } from '../config/config-types';
import type { EffectiveSettings } from '../config/effective-settings';
import { FactoryRegistry } from '../host/factory-registry';
import { DEFAULT_QUARANTINE_THRESHOLD } from '../host/plugin-health';
import { PluginHost } from '../host/plugin-host';
import { PluginSetError } from '../host/plugin-set';
import type { PluginSwapEvent } from '../host/plugin-swap';
import { checkFactoryUses, factoryUsesOf } from '../host/running-config-check';
import { LogManager } from '../log/log-manager';
import { MetricsRegistry } from '../metrics/metrics-registry';
import { Listener } from '../network/listener';
import { ClusterManagerImpl } from '../upstream/cluster-manager';
import { RouterTable } from '../router/router-table';
import { registerKernelFactories } from './kernel-factories';
import { buildListener, trialBuildProblems, type ListenerBuildContext } from './listener-builder';
import { ListenerSlot } from './listener-slot';

/** `plugins.watch` when absent: a bundle dropped into the plugins directory goes live. */
export const DEFAULT_PLUGINS_WATCH = true;
/** How long shutdown waits for closed connections to be gone before it disposes plugins. */
const CLOSE_WAIT_MS = 1000;

export interface MosnServerOptions {
  config: MosnConfig;
  settings: EffectiveSettings;
  version: string;
  /** Extra admin endpoints (e.g. feature gates from the CLI). */
  adminRoutes?: AdminRoute[];
  /** Use this log manager instead of opening one from the settings (tests). */
  logs?: LogManager;
}

/**
 * One running mosn-ts: plugins, clusters, listeners and the admin API, built from a validated
 * config. Everything is checked before anything binds; a refused config binds nothing.
 */
export class MosnServer {
  state = 'Initing';
  readonly metrics = new MetricsRegistry();
  readonly registry = new FactoryRegistry();
  readonly listeners: Listener[] = [];
  readonly logs: LogManager;
  readonly logger: Logger;
  readonly plugins: PluginHost;
  private admin: AdminServer | undefined;
  private adminBound = '';
  private stopping: Promise<void> | undefined;
  private clusterManager: ClusterManagerImpl | undefined;
  private readonly accessLogs: AccessLog[] = [];
  private readonly slots: ListenerSlot[] = [];
  private buildContext: ListenerBuildContext | undefined;
  private stopSwaps: (() => void) | undefined;

  private constructor(private readonly options: MosnServerOptions) {
    this.logs = options.logs ?? new LogManager({ path: options.settings.logPath, level: options.settings.logLevel });
    this.logger = this.logs.logger;
    const plugins = options.config.plugins;
    const uses = factoryUsesOf(options.config);
    this.plugins = new PluginHost({
      dir: options.settings.pluginsDir,
      registry: this.registry,
      logger: this.logs.child({ module: 'plugins' }),
      metrics: this.metrics,
      quarantineThreshold: plugins?.quarantine_threshold ?? DEFAULT_QUARANTINE_THRESHOLD,
      ...(plugins?.set !== undefined ? { set: plugins.set } : {}),
      // A new generation (or a removal) is refused unless every config block naming it still
      // passes its schema and builds (the listeners are rebuilt from them right after the commit).
      validateRunningConfig: (view) => {
        const problems = checkFactoryUses(view, uses);
        if (problems.length > 0 || !this.buildContext) return problems;
        return trialBuildProblems(view, options.config, this.buildContext);
      },
    });
  }

  /** Loads plugins, builds and binds everything; rejects with ConfigLoadError on a bad config. */
  static async start(options: MosnServerOptions): Promise<MosnServer> {
    const server = new MosnServer(options);
    try {
      await server.startUp();
    } catch (err) {
      await server.shutDown();
      throw err;
    }
    return server;
  }

  /** Bound listener addresses by listener name. */
  listenerAddresses(): Record<string, string> {
    return Object.fromEntries(this.listeners.map((l) => [l.name, l.address]));
  }

  get adminAddress(): string {
    return this.adminBound;
  }

  /**
   * Graceful stop: stop accepting, let open connections finish for up to `gracefulTimeoutMs`,
   * then close what is left and release everything.
   */
  stop(gracefulTimeoutMs = this.options.settings.gracefulTimeoutMs): Promise<void> {
    this.stopping ??= this.drainAndStop(gracefulTimeoutMs);
    return this.stopping;
  }

  private async startUp(): Promise<void> {
    const { config, settings } = this.options;
    this.state = 'Starting';
    const problems: string[] = [];
    const routers = RouterTable.fromConfig(
      (config.servers ?? []).flatMap((s) => s.routers ?? []),
      problems,
      'servers[0].routers',
    );
    registerKernelFactories(this.registry, { registry: this.registry, routers, metrics: this.metrics }, this.options.version);
    await this.plugins.loadAll().catch((err: unknown) => {
      if (err instanceof PluginSetError) throw new ConfigLoadError(err.problems.map((p) => `plugins.set: ${p}`));
      throw err;
    });

    // After loadAll: a cluster's lb_type may name a load balancer a plugin registered.
    const clusterManager = ClusterManagerImpl.fromConfig(config.cluster_manager?.clusters ?? [], this.metrics, this.logs.child({ module: 'upstream' }), problems, {
      loadBalancers: this.registry,
    });
    this.clusterManager = clusterManager;
    const ctx: ListenerBuildContext = {
      openedAccessLogs: this.accessLogs,
      registry: this.registry,
      clusterManager,
      metrics: this.metrics,
      logger: this.logs.child({ module: 'listener' }),
      recorder: (plugin) => this.plugins.callRecorder(plugin),
    };
    this.buildContext = ctx;
    const built = (config.servers ?? []).flatMap((s, i) =>
      (s.listeners ?? []).map((l, j) => ({ config: l, path: `servers[${i}].listeners[${j}]`, built: buildListener(l, `servers[${i}].listeners[${j}]`, ctx, problems) })),
    );
    if (problems.length > 0) throw new ConfigLoadError(problems);
    // Health checks and DNS start once the config is accepted; STRICT_DNS hosts are resolved before listeners bind.
    await clusterManager.start();

    for (const b of built) {
      const options = b.built!.options;
      const listener = new Listener(options);
      // Pinned from here, so a failed start still lets go of it in shutDown.
      this.slots.push(new ListenerSlot(b.config, b.path, listener, b.built!));
      await listener.start().catch((err: Error) => {
        throw new Error(`listener ${JSON.stringify(options.name)} could not bind ${options.address.kind === 'unix' ? options.address.path : `${options.address.host}:${options.address.port}`}: ${err.message}`);
      });
      this.listeners.push(listener);
      this.logger.info({ listener: listener.name, address: listener.address }, 'listener started');
    }
    this.stopSwaps = this.plugins.onSwap((event) => this.rebuildListeners(event));
    if (config.plugins?.watch ?? DEFAULT_PLUGINS_WATCH) await this.plugins.watch();

    this.admin = new AdminServer({
      version: this.options.version,
      configDump: () => this.options.config,
      metrics: this.metrics,
      logs: this.logs,
      state: () => this.state,
      extraRoutes: [...(this.options.adminRoutes ?? []), ...pluginsRoutes(this.plugins)],
    });
    this.adminBound = await this.admin.listen(settings.adminAddress).catch((err: Error) => {
      throw new Error(`admin API could not bind ${settings.adminAddress}: ${err.message}`);
    });
    this.logger.info({ address: this.adminBound }, 'admin API started');
    this.state = 'Running';
  }

  /** Runs in the commit's tick: the listeners a swap touches take the new factories at once. */
  private rebuildListeners(event: PluginSwapEvent): void {
    const ctx = this.buildContext;
    if (!ctx) return;
    for (const slot of this.slots) if (slot.affectedBy(event)) slot.rebuild(ctx, this.logger);
  }

  private async drainAndStop(gracefulTimeoutMs: number): Promise<void> {
    this.state = 'GracefulStopping';
    await Promise.all(this.listeners.map((l) => l.stopAccepting()));
    for (const l of this.listeners) l.drainConnections();
    const open = this.listeners.reduce((n, l) => n + l.connections.size, 0);
    this.logger.info({ openConnections: open, gracefulTimeoutMs }, 'stopped accepting; draining connections');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      Promise.all(this.listeners.map((l) => l.whenIdle())).then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), gracefulTimeoutMs))),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      const left = this.listeners.reduce((n, l) => n + l.connections.size, 0);
      this.logger.warn({ openConnections: left }, 'graceful timeout reached; closing remaining connections');
    }
    this.state = 'Stopping';
    await this.shutDown();
    this.state = 'Stopped';
  }

  private async shutDown(): Promise<void> {
    for (const l of this.listeners) {
      await l.stopAccepting();
      l.closeConnections('NoFlush');
    }
    // Closed sockets report it a tick later; then they have let go of their plugin generations.
    await Promise.race([Promise.all(this.listeners.map((l) => l.whenIdle())), delay(CLOSE_WAIT_MS, undefined, { ref: false })]);
    await this.admin?.close();
    this.clusterManager?.close();
    await Promise.all(this.accessLogs.map((l) => l.close()));
    this.stopSwaps?.();
    for (const slot of this.slots.splice(0)) slot.close();
    await this.plugins.disposeAll();
    this.logger.info('mosn-ts stopped');
    if (!this.options.logs) await this.logs.close();
  }
}
