import type { ListenerFilterFactory } from './listener-filter';
import type { LoadBalancerFactory } from './load-balancer';
import type { Logger } from './logger';
import type { NetworkFilterFactory } from './network-filter';
import type { PluginResources } from './plugin-resources';
import type { ProtocolFactory } from './protocol';
import type { StreamFilterFactory } from './stream-filter';
import type { XProtocolCodec } from './xprotocol';

/** The kinds of factory a plugin can provide; the kernel keeps one name → factory map per kind. */
export type FactoryKind = 'protocol' | 'stream_filter' | 'network_filter' | 'listener_filter' | 'load_balancer' | 'extension';

export const FACTORY_KINDS: readonly FactoryKind[] = ['protocol', 'stream_filter', 'network_filter', 'listener_filter', 'load_balancer', 'extension'];

/** One factory a plugin declares in its manifest. */
export interface ProvidedFactory {
  kind: FactoryKind;
  /** The name configs use, e.g. `tcp_proxy` in `filters[].type`, or a cluster's `lb_type`. */
  name: string;
  /** JSON Schema (draft-07) for the config block that names this factory. */
  configSchema?: object;
}

/** `plugin.json`: what the kernel reads before it runs any of the plugin's code. */
export interface PluginManifest {
  /** Unique plugin name (lowercase, digits, `_` and `-`). */
  name: string;
  /** Semver version of this build. */
  version: string;
  /** The bundle, relative to the plugin folder (one CommonJS file built by `mosn-plugin build`). */
  main: string;
  /** `mosn`: semver range of the plugin API this plugin works with, e.g. `^1.0.0`. */
  engines: { mosn: string };
  /** Every factory the plugin registers. Registering an undeclared one is refused. */
  provides: ProvidedFactory[];
  /** Hex sha256 of the `main` file, written by `mosn-plugin build`; a mismatch refuses the load. */
  sha256?: string;
  description?: string;
}

/**
 * Handed to `activate`: the only way for a plugin to register factories, and (through
 * {@link PluginResources}) to open timers, servers and sockets that the host closes when this
 * generation of the plugin is disposed. Keep it for later use; it stays valid until then.
 */
export interface PluginContext extends PluginResources {
  /** The plugin's manifest as loaded. */
  readonly manifest: Readonly<PluginManifest>;
  /** The kernel's plugin API version. */
  readonly apiVersion: string;
  /** A logger whose lines name this plugin. */
  readonly logger: Logger;
  /** Registers a network filter factory under a name declared in `provides`. */
  registerNetworkFilter<Config>(name: string, factory: NetworkFilterFactory<Config>): void;
  /** Registers a listener filter factory under a name declared in `provides`. */
  registerListenerFilter<Config>(name: string, factory: ListenerFilterFactory<Config>): void;
  /** Registers a stream filter factory (for listeners' `stream_filters[]`). */
  registerStreamFilter<Config>(name: string, factory: StreamFilterFactory<Config>): void;
  /** Registers a protocol (codec) under the name configs use, e.g. `Http1`, `bolt`. */
  registerProtocol(name: string, factory: ProtocolFactory): void;
  /**
   * Registers a multiplexed RPC codec (bolt, dubbo, ...) under a protocol name declared in
   * `provides` with kind `protocol`. The kernel wraps it in its xprotocol stream engine (request id
   * maps and rewriting, heartbeats, oneway, hijack, keepalive) and registers the resulting
   * ProtocolFactory, so configs name it like any protocol. Throws when the codec lacks a method.
   */
  registerXProtocol<Frame extends object>(name: string, codec: XProtocolCodec<Frame>): void;
  /**
   * Registers a load balancer under the `lb_type` clusters name it by (declared in `provides` with
   * kind `load_balancer`; its configSchema checks the cluster's `lbconfig` block). The kernel's own
   * lb_types cannot be registered. Since plugin API 1.2.0.
   */
  registerLoadBalancer<Config>(type: string, factory: LoadBalancerFactory<Config>): void;
  /**
   * Registers a factory of any kind. Prefer the typed methods; this one serves kinds whose typed
   * contract is newer than the kernel you build against.
   */
  register(kind: FactoryKind, name: string, factory: unknown): void;
}

/** What a plugin bundle exports. */
export interface PluginModule {
  /** Registers the plugin's factories. May be async; the load fails if it throws or rejects. */
  activate(context: PluginContext): void | Promise<void>;
  /** Called when the plugin is unloaded. */
  deactivate?(): void | Promise<void>;
}

/** Identity helper that types a plugin's exports: `export = definePlugin({ activate(ctx) { ... } })`. */
export function definePlugin(plugin: PluginModule): PluginModule {
  return plugin;
}
