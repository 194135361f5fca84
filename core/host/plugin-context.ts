import type { FactoryKind, Logger, PluginContext, PluginManifest } from '../../plugin-sdk';
import type { PluginResources } from '../../plugin-sdk/api/plugin-resources';
import { FACTORY_KINDS } from '../../plugin-sdk';
import { createXProtocolFactory } from '../stream/xprotocol/xprotocol-factory';
import { configSchemaKey } from './config-schema-compiler';
import type { ConfigValidator, RegisteredFactory } from './factory-registry';

/** A plugin's context during activate, and the host's handle on what the plugin registered. */
export interface ActivationContext {
  /** Handed to the plugin's `activate`. */
  readonly context: PluginContext;
  /**
   * Ends registration (later calls throw to the plugin) and returns the staged factories. Nothing
   * reaches the registry before this, so a failed activate leaves no trace there.
   */
  seal(): RegisteredFactory[];
}

/** What a typed register method expects the factory to have, per kind. */
const REQUIRED_METHOD: Partial<Record<FactoryKind, string>> = {
  network_filter: 'createFilterChainFactory',
  listener_filter: 'createListenerFilterFactory',
  stream_filter: 'createFilterChainFactory',
  protocol: 'createServerConnection',
  load_balancer: 'createLoadBalancer',
};

/**
 * Builds the context a plugin is activated with. Registrations are checked against the manifest's
 * `provides` (undeclared or repeated names throw to the plugin) and staged with the validator
 * compiled from the declared configSchema. `resources` (timers, servers, sockets, dispose hooks)
 * belong to the generation being loaded; the context hands out its methods as they are.
 */
export function createActivationContext(
  manifest: PluginManifest,
  apiVersion: string,
  logger: Logger,
  validators: ReadonlyMap<string, ConfigValidator>,
  resources: PluginResources,
): ActivationContext {
  const staged = new Map<string, RegisteredFactory>();
  let sealed = false;
  const plugin = JSON.stringify(manifest.name);

  function register(kind: FactoryKind, name: string, factory: unknown): void {
    const what = `${kind} ${JSON.stringify(name)}`;
    if (!FACTORY_KINDS.includes(kind)) throw new Error(`plugin ${plugin} cannot register ${what}: unknown kind (one of ${FACTORY_KINDS.join(', ')})`);
    if (sealed) throw new Error(`plugin ${plugin} cannot register ${what} after activate has finished`);
    const key = configSchemaKey(kind, name);
    const validateConfig = validators.get(key);
    if (!validateConfig) throw new Error(`plugin ${plugin} cannot register ${what}: it is not declared in plugin.json provides`);
    if (staged.has(key)) throw new Error(`plugin ${plugin} registered ${what} twice`);
    if (factory === null || (typeof factory !== 'object' && typeof factory !== 'function')) {
      throw new Error(`plugin ${plugin} cannot register ${what}: the factory must be an object`);
    }
    const method = REQUIRED_METHOD[kind];
    if (method && typeof (factory as Record<string, unknown>)[method] !== 'function') {
      throw new Error(`plugin ${plugin} cannot register ${what}: the factory has no ${method} method`);
    }
    staged.set(key, { kind, name, factory, pluginName: manifest.name, pluginVersion: manifest.version, validateConfig });
  }

  const context: PluginContext = Object.freeze({
    // A copy: whatever the plugin does to it cannot change what the host loaded.
    manifest: deepFreeze(structuredClone(manifest)),
    apiVersion,
    logger: logger.child({ plugin: manifest.name }),
    registerNetworkFilter: (name, factory) => register('network_filter', name, factory),
    registerListenerFilter: (name, factory) => register('listener_filter', name, factory),
    registerStreamFilter: (name, factory) => register('stream_filter', name, factory),
    registerProtocol: (name, factory) => register('protocol', name, factory),
    registerLoadBalancer: (type, factory) => register('load_balancer', type, factory),
    registerXProtocol: (name, codec) => {
      let factory: unknown;
      try {
        factory = createXProtocolFactory(name, codec);
      } catch (err) {
        throw new Error(`plugin ${plugin} cannot register protocol ${JSON.stringify(name)}: ${err instanceof Error ? err.message : String(err)}`);
      }
      register('protocol', name, factory);
    },
    register,
    setTimeout: resources.setTimeout.bind(resources),
    setInterval: resources.setInterval.bind(resources),
    clearTimeout: resources.clearTimeout.bind(resources),
    clearInterval: resources.clearInterval.bind(resources),
    createServer: resources.createServer.bind(resources) as PluginResources['createServer'],
    connect: resources.connect.bind(resources),
    onDispose: resources.onDispose.bind(resources),
  } satisfies PluginContext);

  return {
    context,
    seal() {
      sealed = true;
      return [...staged.values()];
    },
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
