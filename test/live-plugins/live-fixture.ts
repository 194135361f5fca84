import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { FilterConfig, ListenerConfig } from '../../core/config/config-types';
import type { PluginLoadReport } from '../../core/host/plugin-host';
import { echoRequest, startHttpUpstream, type HttpUpstream } from '../support/http-upstreams';
import { cluster, startMosn, type RunningMosn } from '../support/mosn-harness';
import { buildFixturePlugin, copyRepoPlugin, tempPluginsDir } from '../support/plugin-dirs';

/** A stream filter entry of a listener config. */
export type StreamFilterEntry = FilterConfig;

/** An HTTP/1 proxy listener named `name` routing everything to cluster `u`. */
export function httpListener(name: string, streamFilters: StreamFilterEntry[] = []): ListenerConfig {
  return {
    name,
    address: '127.0.0.1:0',
    stream_filters: streamFilters,
    filter_chains: [{ filters: [{ type: 'proxy', config: { downstream_protocol: 'Http1', router_config_name: 'r' } }] }],
  };
}

/**
 * An upstream that echoes requests, except `/slow...` which it holds until `releaseSlow()`
 * (so a test can keep a stream open across a plugin swap).
 */
export interface SlowUpstream extends HttpUpstream {
  /** Resolves when a /slow request has arrived (with the request headers it saw). */
  slowArrived: Promise<http.IncomingHttpHeaders>;
  releaseSlow(): void;
}

export async function startSlowUpstream(): Promise<SlowUpstream> {
  let arrived!: (h: http.IncomingHttpHeaders) => void;
  const slowArrived = new Promise<http.IncomingHttpHeaders>((resolve) => (arrived = resolve));
  const held: (() => void)[] = [];
  let released = false;
  const upstream = await startHttpUpstream('u', (req, res, u) => {
    if (!req.url?.startsWith('/slow')) return echoRequest(req, res, u);
    const answer = (): void => void res.end('slow done');
    arrived(req.headers);
    if (released) answer();
    else held.push(answer);
  });
  return Object.assign(upstream, {
    slowArrived,
    releaseSlow() {
      released = true;
      for (const a of held.splice(0)) a();
    },
  });
}

/** A running proxy over its own plugins directory (http1 copied in, plus fixture plugins). */
export interface LiveProxy {
  mosn: RunningMosn;
  pluginsDir: string;
  upstream: SlowUpstream;
  port(listener: string): number;
  /** GET /api/v1/plugins. */
  plugins(): Promise<PluginLoadReport[]>;
  plugin(name: string): Promise<PluginLoadReport | undefined>;
  close(): Promise<void>;
}

/**
 * Starts mosn-ts in-process with listeners `listeners`, a plugins directory holding http1 and
 * the fixture plugins `fixtures` (fixture folder → plugins folder), and extra `plugins` config.
 */
export async function startLiveProxy(opts: {
  listeners: ListenerConfig[];
  fixtures: Record<string, string>;
  plugins?: Record<string, unknown>;
}): Promise<LiveProxy> {
  const pluginsDir = tempPluginsDir();
  copyRepoPlugin('http1', pluginsDir);
  for (const [fixture, folder] of Object.entries(opts.fixtures)) buildFixturePlugin(fixture, pluginsDir, folder);
  const upstream = await startSlowUpstream();
  const mosn = await startMosn({
    plugins: { dir: pluginsDir, ...opts.plugins },
    servers: [
      {
        routers: [{ router_config_name: 'r', virtual_hosts: [{ name: 'all', domains: ['*'], routers: [{ match: { prefix: '/' }, route: { cluster_name: 'u' } }] }] }],
        listeners: opts.listeners,
      },
    ],
    cluster_manager: { clusters: [cluster('u', [upstream.address])] },
  });
  const plugins = async (): Promise<PluginLoadReport[]> => ((await (await fetch(`${mosn.adminBase}/api/v1/plugins`)).json()) as { plugins: PluginLoadReport[] }).plugins;
  return {
    mosn,
    pluginsDir,
    upstream,
    port: (listener) => mosn.address(listener).port,
    plugins,
    plugin: async (name) => (await plugins()).find((p) => p.name === name),
    async close() {
      upstream.releaseSlow();
      await mosn.stop();
      await upstream.close();
      fs.rmSync(pluginsDir, { recursive: true, force: true });
    },
  };
}

/** Fixture plugins built once into a staging directory, to be dropped into a plugins directory later. */
export function stageFixture(fixture: string): string {
  const staging = tempPluginsDir();
  return buildFixturePlugin(fixture, staging, fixture);
}

/**
 * Copies a built plugin (plugin.json + its bundle) into `pluginsDir/folder` the way a user's `cp`
 * would: the bundle first, then plugin.json. Returns when the files are in place.
 */
export function dropPlugin(built: string, pluginsDir: string, folder: string): void {
  const manifest = JSON.parse(fs.readFileSync(path.join(built, 'plugin.json'), 'utf8')) as { main: string };
  const to = path.join(pluginsDir, folder);
  fs.mkdirSync(path.dirname(path.join(to, manifest.main)), { recursive: true });
  fs.copyFileSync(path.join(built, manifest.main), path.join(to, manifest.main));
  fs.copyFileSync(path.join(built, 'plugin.json'), path.join(to, 'plugin.json'));
}

/** One request through `port` (GET, keep-alive agent); status, the `x-live` response header, or the error. */
export interface Sample {
  start: number;
  end: number;
  status: number;
  live: string | undefined;
  error?: string;
}

export function get(port: number, agent: http.Agent, urlPath = '/', headers: Record<string, string> = {}): Promise<Sample> {
  const start = performance.now();
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path: urlPath, agent, headers: { host: 'localhost', ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ start, end: performance.now(), status: res.statusCode!, live: res.headers['x-live'] as string | undefined }));
      res.on('error', (err) => resolve({ start, end: performance.now(), status: 0, live: undefined, error: err.message }));
    });
    req.on('error', (err) => resolve({ start, end: performance.now(), status: 0, live: undefined, error: err.message }));
    req.end();
  });
}

/** `clients` keep-alive clients sending requests back to back to `port` until stop(). */
export class LoadClients {
  readonly samples: Sample[][] = [];
  private running = true;
  private readonly loops: Promise<void>[] = [];
  private readonly agents: http.Agent[] = [];

  constructor(port: number, clients: number) {
    for (let i = 0; i < clients; i++) {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const mine: Sample[] = [];
      this.agents.push(agent);
      this.samples.push(mine);
      this.loops.push(
        (async () => {
          while (this.running) mine.push(await get(port, agent));
        })(),
      );
    }
  }

  all(): Sample[] {
    return this.samples.flat();
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    for (const a of this.agents) a.destroy();
  }
}

/** Polls `check` every 20 ms until it resolves true or `timeoutMs` passes; resolves with the time it took. */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const start = performance.now();
  while (!(await check())) {
    if (performance.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return performance.now() - start;
}
