import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { isBuiltin } from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';
import * as semver from 'semver';
import * as sdk from '../index';
import { FACTORY_KINDS, type FactoryKind, type PluginContext, type PluginManifest, type PluginModule } from '../api/plugin';
import type { NetworkFilterFactory } from '../api/network-filter';
import type { StreamFilterFactory } from '../api/stream-filter';
import type { PluginResources } from '../api/plugin-resources';
import { PLUGIN_API_VERSION } from '../api/version';
import { readManifestFile } from '../manifest';
import { SDK_MODULE_NAME } from '../module-name';
import { compileTestSchemas } from './config-validation';
import { NetworkFilterHarness, type NetworkFilterHarnessOptions } from './network-filter-harness';
import { StreamFilterHarness, type StreamFilterHarnessOptions } from './stream-filter-harness';
import { createTestLogger, type TestLogger } from './test-logger';
import { TestResources } from './test-resources';

/** How {@link loadPluginForTest} loads. */
export interface LoadPluginOptions {
  /** The plugin API version to check `engines.mosn` against (default: this SDK's). */
  apiVersion?: string;
}

/** The factory a plugin registered with `registerXProtocol`: the harness keeps the codec itself. */
export interface XProtocolRegistration {
  readonly xprotocolCodec: unknown;
}

/** What a typed register method expects the factory to have, per kind (as the kernel checks). */
const REQUIRED_METHOD: Partial<Record<FactoryKind, string>> = {
  network_filter: 'createFilterChainFactory',
  listener_filter: 'createListenerFilterFactory',
  stream_filter: 'createFilterChainFactory',
  protocol: 'createServerConnection',
  load_balancer: 'createLoadBalancer',
};

const WRAPPER_PARAMS = ['exports', 'require', 'module', '__filename', '__dirname'];

/**
 * Loads a built plugin folder the way the kernel's plugin host does, in this process, with no
 * listener or network: plugin.json is validated, `engines.mosn` checked against the API version,
 * the bundle's sha256 checked, config schemas compiled, the CommonJS bundle evaluated with `vm`
 * (its `require('mosn-plugin-sdk')` gets this SDK), then `activate` runs with a context that
 * checks registrations against `provides`. Any refusal throws with the kernel's reason.
 *
 * Why not import the kernel: the SDK is what plugins depend on and it never imports the kernel;
 * the harness re-does the load steps with the SDK's own manifest and schema code.
 *
 * `dir` defaults to `$MOSN_PLUGIN_DIR` (set by `mosn-plugin test`), else the working directory.
 */
export async function loadPluginForTest(dir = process.env.MOSN_PLUGIN_DIR ?? process.cwd(), options: LoadPluginOptions = {}): Promise<TestPlugin> {
  const pluginDir = path.resolve(dir);
  const { manifest } = readManifestFile(pluginDir);
  const plugin = JSON.stringify(manifest.name);
  const apiVersion = options.apiVersion ?? PLUGIN_API_VERSION;
  if (!semver.satisfies(apiVersion, manifest.engines.mosn)) {
    throw new Error(`plugin ${plugin} requires mosn plugin API ${JSON.stringify(manifest.engines.mosn)} but this kernel provides ${apiVersion}`);
  }
  if (!manifest.sha256) throw new Error(`plugin ${plugin} has no sha256 in plugin.json; run \`mosn-plugin build\` to write it`);
  const mainFile = path.join(pluginDir, manifest.main);
  const bytes = await fs.promises.readFile(mainFile);
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== manifest.sha256.toLowerCase()) {
    throw new Error(`plugin ${plugin}: ${manifest.main} does not match the sha256 in plugin.json (expected ${manifest.sha256.toLowerCase()}, actual ${actual}); rebuild it`);
  }
  const validators = compileTestSchemas(manifest.provides);
  const module = pluginModuleOf(evaluate(bytes.toString('utf8'), mainFile), plugin);

  const logger = createTestLogger();
  const resources = new TestResources();
  const factories = new Map<string, unknown>();
  let sealed = false;
  const register = (kind: FactoryKind, name: string, factory: unknown): void => {
    const what = `${kind} ${JSON.stringify(name)}`;
    if (!FACTORY_KINDS.includes(kind)) throw new Error(`plugin ${plugin} cannot register ${what}: unknown kind`);
    if (sealed) throw new Error(`plugin ${plugin} cannot register ${what} after activate has finished`);
    if (!validators.has(`${kind}/${name}`)) throw new Error(`plugin ${plugin} cannot register ${what}: it is not declared in plugin.json provides`);
    if (factories.has(`${kind}/${name}`)) throw new Error(`plugin ${plugin} registered ${what} twice`);
    if (factory === null || (typeof factory !== 'object' && typeof factory !== 'function')) throw new Error(`plugin ${plugin} cannot register ${what}: the factory must be an object`);
    const method = REQUIRED_METHOD[kind];
    const isXProtocol = (factory as Partial<XProtocolRegistration>).xprotocolCodec !== undefined;
    if (method && !isXProtocol && typeof (factory as Record<string, unknown>)[method] !== 'function') {
      throw new Error(`plugin ${plugin} cannot register ${what}: the factory has no ${method} method`);
    }
    factories.set(`${kind}/${name}`, factory);
  };
  const context: PluginContext = Object.freeze({
    manifest: structuredClone(manifest),
    apiVersion,
    logger: logger.child({ plugin: manifest.name }),
    registerNetworkFilter: (name, factory) => register('network_filter', name, factory),
    registerListenerFilter: (name, factory) => register('listener_filter', name, factory),
    registerStreamFilter: (name, factory) => register('stream_filter', name, factory),
    registerProtocol: (name, factory) => register('protocol', name, factory),
    registerLoadBalancer: (type, factory) => register('load_balancer', type, factory),
    // The kernel wraps the codec in its xprotocol engine; the harness keeps the codec for tests.
    registerXProtocol: (name, codec) => register('protocol', name, { xprotocolCodec: codec } satisfies XProtocolRegistration),
    register,
    setTimeout: resources.setTimeout,
    setInterval: resources.setInterval,
    clearTimeout: resources.clearTimeout,
    clearInterval: resources.clearInterval,
    createServer: resources.createServer as PluginResources['createServer'],
    connect: resources.connect,
    onDispose: resources.onDispose,
  } satisfies PluginContext);
  try {
    await module.activate(context);
  } catch (err) {
    sealed = true;
    await resources.closeAll();
    throw new Error(`plugin ${plugin}: activate failed: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
  }
  sealed = true;
  const missing = manifest.provides.filter((p) => !factories.has(`${p.kind}/${p.name}`));
  if (missing.length > 0) {
    await resources.closeAll();
    throw new Error(`plugin ${plugin}: activate did not register ${missing.map((p) => `${p.kind} ${JSON.stringify(p.name)}`).join(', ')} declared in plugin.json provides`);
  }
  return new TestPlugin(pluginDir, manifest, module, factories, validators, logger, resources);
}

/** A plugin loaded by {@link loadPluginForTest}: its factories, ready to drive through harnesses. */
export class TestPlugin {
  private disposed = false;

  constructor(
    readonly dir: string,
    readonly manifest: PluginManifest,
    private readonly module: PluginModule,
    private readonly factories: ReadonlyMap<string, unknown>,
    private readonly validators: ReadonlyMap<string, (config: unknown, basePath: string) => string[]>,
    /** Every line the plugin logged (through its context or its filters' factory contexts). */
    readonly logger: TestLogger,
    /** Timers, servers and sockets the plugin opened through its context. */
    readonly resources: TestResources,
  ) {}

  /** `kind/name` of every registered factory. */
  get registered(): string[] {
    return [...this.factories.keys()];
  }

  /** The factory registered as (kind, name); throws when there is none. */
  factory<T = unknown>(kind: FactoryKind, name: string): T {
    const f = this.factories.get(`${kind}/${name}`);
    if (f === undefined) throw new Error(`plugin ${JSON.stringify(this.manifest.name)} registered no ${kind} ${JSON.stringify(name)} (registered: ${this.registered.join(', ') || 'none'})`);
    return f as T;
  }

  /** Problems the manifest's schema finds in `config` for (kind, name), as `config.path: reason` lines. */
  validateConfig(kind: FactoryKind, name: string, config: unknown): string[] {
    const v = this.validators.get(`${kind}/${name}`);
    if (!v) throw new Error(`plugin ${JSON.stringify(this.manifest.name)} declares no ${kind} ${JSON.stringify(name)}`);
    return v(config, 'config');
  }

  /**
   * Builds stream filter `name` with `config` as a listener would (schema first, then the
   * factory) and returns a harness that pushes requests and responses through it.
   */
  streamFilter(name: string, config: unknown = {}, options: StreamFilterHarnessOptions = {}): StreamFilterHarness {
    this.checkConfig('stream_filter', name, config);
    const factory = this.factory<StreamFilterFactory>('stream_filter', name);
    const chain = factory.createFilterChainFactory(config, { listenerName: options.listenerName ?? 'test_listener', logger: this.logger.child({ filter: name }) });
    return new StreamFilterHarness(name, chain, options);
  }

  /**
   * Builds network filter `name` with `config` as a listener would and returns a harness holding a
   * fake connection through which the test sends bytes.
   */
  networkFilter(name: string, config: unknown = {}, options: NetworkFilterHarnessOptions = {}): NetworkFilterHarness {
    this.checkConfig('network_filter', name, config);
    const factory = this.factory<NetworkFilterFactory>('network_filter', name);
    return NetworkFilterHarness.create(factory, config, this.logger.child({ filter: name }), options);
  }

  /** Runs deactivate, then closes whatever the plugin left open through its context. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    try {
      await this.module.deactivate?.();
    } finally {
      await this.resources.closeAll();
    }
  }

  private checkConfig(kind: FactoryKind, name: string, config: unknown): void {
    const problems = this.validateConfig(kind, name, config);
    if (problems.length > 0) throw new Error(`${kind} ${JSON.stringify(name)}: invalid config: ${problems.join('; ')}`);
  }
}

function evaluate(source: string, filename: string): unknown {
  const bundleModule = { exports: {} as unknown };
  const compiled = vm.compileFunction(source, WRAPPER_PARAMS, { filename });
  compiled.call(bundleModule.exports, bundleModule.exports, bundleRequire, bundleModule, filename, path.dirname(filename));
  return bundleModule.exports;
}

function bundleRequire(id: string): unknown {
  if (id === SDK_MODULE_NAME) return sdk;
  if (isBuiltin(id)) return require(id);
  throw new Error(`bundle requires ${JSON.stringify(id)}; bundle your dependencies`);
}

function pluginModuleOf(exports: unknown, plugin: string): PluginModule {
  for (const candidate of [exports, (exports as { default?: unknown } | null)?.default]) {
    if (typeof (candidate as Partial<PluginModule> | null | undefined)?.activate === 'function') return candidate as PluginModule;
  }
  throw new Error(`plugin ${plugin}: the bundle does not export an activate function`);
}
