import * as sdk from '../../plugin-sdk';
import { FactoryRegistry } from '../../core/host/factory-registry';
import { PluginHost, type PluginHostOptions, type PluginLoadReport } from '../../core/host/plugin-host';
import { MetricsRegistry } from '../../core/metrics/metrics-registry';
import type { ProvidedFactory } from '../../plugin-sdk';
import { makePluginsDir, recordingLogger, type RecordingLogger } from './plugin-fixture';

/** A host over a fresh (or given) plugins directory, with a recording logger and metrics. */
export interface HostFixture {
  dir: string;
  host: PluginHost;
  registry: FactoryRegistry;
  logger: RecordingLogger;
  metrics: MetricsRegistry;
  report(name: string): PluginLoadReport;
}

export function hostFixture(options: Partial<PluginHostOptions> = {}, dir = makePluginsDir()): HostFixture {
  const registry = new FactoryRegistry();
  const logger = recordingLogger();
  const metrics = new MetricsRegistry();
  const host = new PluginHost({ dir, registry, logger, metrics, ...options });
  return {
    dir,
    host,
    registry,
    logger,
    metrics,
    report: (name) => {
      const r = host.list().find((p) => p.name === name);
      if (!r) throw new Error(`no report for ${name}: ${JSON.stringify(host.list().map((p) => p.name))}`);
      return r;
    },
  };
}

/** `provides` entry of stream filter `name` whose config may carry a string `label`. */
export function streamFilterProvides(name: string, configSchema: object = { type: 'object', properties: { label: { type: 'string' } } }): ProvidedFactory {
  return { kind: 'stream_filter', name, configSchema };
}

/**
 * Source of a plugin registering stream filter `name`, whose receiver stamps `x-version: <tag>`
 * on requests. `activateExtra` runs at the end of activate (ctx in scope), `moduleExtra` adds
 * module members (e.g. a deactivate).
 */
export function stampPluginSource(name: string, tag: string, activateExtra = '', moduleExtra = ''): string {
  return `
import { StreamFilterStatus, definePlugin } from 'mosn-plugin-sdk';
import type { HeaderMap, StreamFilterFactory } from 'mosn-plugin-sdk';
const factory: StreamFilterFactory<{ label?: string }> = {
  createFilterChainFactory: () => ({
    createFilterChain(chain) {
      chain.addReceiverFilter({ onReceive: (h: HeaderMap) => (h.set('x-version', ${JSON.stringify(tag)}), StreamFilterStatus.Continue) });
    },
  }),
};
(globalThis as Record<string, unknown>).__evaluated = ((globalThis as Record<string, unknown>).__evaluated as number ?? 0) + 1;
export = definePlugin({
  ${moduleExtra}
  async activate(ctx) {
    ctx.registerStreamFilter(${JSON.stringify(name)}, factory);
    ${activateExtra}
  },
});
`;
}

/** Source of a plugin registering network filter `name`, whose read filter answers `<tag>` to any data. */
export function replyPluginSource(name: string, tag: string, moduleExtra = ''): string {
  return `
import { FilterStatus, definePlugin } from 'mosn-plugin-sdk';
import type { IoBuffer, NetworkFilterFactory, ReadFilterCallbacks } from 'mosn-plugin-sdk';
const factory: NetworkFilterFactory = {
  createFilterChainFactory: () => ({
    createFilterChain(_c, manager) {
      let cb: ReadFilterCallbacks;
      manager.addReadFilter({
        initializeReadFilterCallbacks: (c: ReadFilterCallbacks) => { cb = c; },
        onData: (b: IoBuffer) => { b.clear(); cb.connection.write(Buffer.from(${JSON.stringify(tag)})); return FilterStatus.Stop; },
      });
    },
  }),
};
export = definePlugin({
  ${moduleExtra}
  activate(ctx) { ctx.registerNetworkFilter(${JSON.stringify(name)}, factory); },
});
`;
}

/** Runs a registered stream filter factory over one request; returns the x-version it stamped. */
export function stampOf(registry: FactoryRegistry, name: string): string | undefined {
  const entry = registry.get('stream_filter', name);
  if (!entry) return undefined;
  const chain = (entry.factory as sdk.StreamFilterFactory).createFilterChainFactory({}, { listenerName: 'l', logger: recordingLogger() });
  const receivers: sdk.StreamReceiverFilter[] = [];
  chain.createFilterChain({ addReceiverFilter: (f) => receivers.push(f), addSenderFilter: () => undefined });
  const headers = new sdk.HeaderMap();
  for (const r of receivers) r.onReceive(headers, true);
  return headers.get('x-version');
}

/** Runs a registered network filter over "hi" on a stub connection; returns what it wrote. */
export function replyOf(registry: FactoryRegistry, name: string): string | undefined {
  const entry = registry.get('network_filter', name);
  if (!entry) return undefined;
  const chain = (entry.factory as sdk.NetworkFilterFactory).createFilterChainFactory({}, {} as sdk.FilterFactoryContext);
  let written = '';
  const connection = { write: (b: Buffer) => (written += b.toString()) } as unknown as sdk.Connection;
  const filters: sdk.ReadFilter[] = [];
  chain.createFilterChain(connection, { addReadFilter: (f) => filters.push(f), addWriteFilter: () => undefined });
  for (const f of filters) {
    f.initializeReadFilterCallbacks?.({ connection, continueReading: () => undefined });
    const buffer = new sdk.IoBuffer();
    buffer.append(Buffer.from('hi'));
    f.onData(buffer, false);
  }
  return written;
}

/** Polls `check` every 20 ms until it returns true or `timeoutMs` passes; resolves to the time it took. */
export async function waitFor(check: () => boolean, timeoutMs: number, what = 'condition'): Promise<number> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Date.now() - start;
}
