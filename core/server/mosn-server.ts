import type { Logger } from 'pino';
import type { AccessLog } from '../accesslog/access-log';
import { AdminServer } from '../admin/admin-server';
import { pluginsRoutes } from '../admin/plugins-routes';
import type { AdminRoute } from '../admin/admin-route';
import { ConfigLoadError } from '../config/config-error';
import type { MosnConfig } from '../config/config-types';
import type { EffectiveSettings } from '../config/effective-settings';
import { FactoryRegistry } from '../host/factory-registry';
import { PluginHost } from '../host/plugin-host';
import { LogManager } from '../log/log-manager';
import { MetricsRegistry } from '../metrics/metrics-registry';
import { Listener } from '../network/listener';
import { ClusterManagerImpl } from '../upstream/cluster-manager';
import { RouterTable } from '../router/router-table';
import { registerKernelFactories } from './kernel-factories';
import { buildListenerOptions } from './listener-builder';

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

  private constructor(private readonly options: MosnServerOptions) {
    this.logs = options.logs ?? new LogManager({ path: options.settings.logPath, level: options.settings.logLevel });
    this.logger = this.logs.logger;
    this.plugins = new PluginHost({
      dir: options.settings.pluginsDir,
      registry: this.registry,
      logger: this.logs.child({ module: 'plugins' }),
      metrics: this.metrics,
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
    await this.plugins.loadAll();

    // After loadAll: a cluster's lb_type may name a load balancer a plugin registered.
    const clusterManager = ClusterManagerImpl.fromConfig(config.cluster_manager?.clusters ?? [], this.metrics, this.logs.child({ module: 'upstream' }), problems, {
      loadBalancers: this.registry,
    });
    this.clusterManager = clusterManager;
    const ctx = {
      openedAccessLogs: this.accessLogs,
      registry: this.registry,
      clusterManager,
      metrics: this.metrics,
      logger: this.logs.child({ module: 'listener' }),
    };
    const built = (config.servers ?? []).flatMap((s, i) =>
      (s.listeners ?? []).map((l, j) => buildListenerOptions(l, `servers[${i}].listeners[${j}]`, ctx, problems)),
    );
    if (problems.length > 0) throw new ConfigLoadError(problems);

    for (const options of built) {
      const listener = new Listener(options!);
      await listener.start().catch((err: Error) => {
        throw new Error(`listener ${JSON.stringify(options!.name)} could not bind ${options!.address.kind === 'unix' ? options!.address.path : `${options!.address.host}:${options!.address.port}`}: ${err.message}`);
      });
      this.listeners.push(listener);
      this.logger.info({ listener: listener.name, address: listener.address }, 'listener started');
    }

    this.admin = new AdminServer({
      version: this.options.version,
      configDump: () => this.options.config,
      metrics: this.metrics,
      logs: this.logs,
      state: () => this.state,
      // Listing only: POST /api/v1/plugins/reload waits until listeners rebuild on a swap.
      extraRoutes: [...(this.options.adminRoutes ?? []), ...pluginsRoutes(this.plugins).filter((r) => r.method === 'GET')],
    });
    this.adminBound = await this.admin.listen(settings.adminAddress).catch((err: Error) => {
      throw new Error(`admin API could not bind ${settings.adminAddress}: ${err.message}`);
    });
    this.logger.info({ address: this.adminBound }, 'admin API started');
    this.state = 'Running';
  }

  private async drainAndStop(gracefulTimeoutMs: number): Promise<void> {
    this.state = 'GracefulStopping';
    await Promise.all(this.listeners.map((l) => l.stopAccepting()));
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
    await this.admin?.close();
    this.clusterManager?.close();
    await Promise.all(this.accessLogs.map((l) => l.close()));
    await this.plugins.disposeAll();
    this.logger.info('mosn-ts stopped');
    if (!this.options.logs) await this.logs.close();
  }
}
