/**
 * Cost of stream filter plugins per request: mosn-ts proxying HTTP/1.1 keep-alive with 0, 1 and 5
 * no-op stream filter plugins (each a separate plugin bundle with a receiver and a sender filter
 * that return Continue), in the same run. nginx answers 1 KiB upstream; wrk -t1 and nginx are
 * pinned to CPU 0, the proxies to CPU 1; each proxy's CPU time per request comes from
 * /proc/PID/stat. The three proxies run side by side and are measured in interleaved rounds, so
 * drift on a shared machine hits all three alike. The per-filter cost is taken from the minimum
 * round of each (interference from other processes only ever adds CPU time); medians are shown too.
 *
 * A second, in-process figure isolates the kernel's part: the same plugin bundles loaded by the
 * plugin host, a stream's filter chain built, run (all phases, both directions) and destroyed a
 * million times, with the plugins' call recorders on — nanoseconds per stream, no network.
 *
 *   npm run build && node dist/test/bench/filter-chain-bench.js [--duration 4 --rounds 7 --connections 64] [--chain-only]
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FactoryRegistry } from '../../core/host/factory-registry';
import { PluginHost } from '../../core/host/plugin-host';
import { MetricsRegistry } from '../../core/metrics/metrics-registry';
import { StreamFilterChain } from '../../core/proxy/stream-filter-chain';
import type { NamedStreamFilterFactory } from '../../core/proxy/stream-filter-chain';
import type { FilterHandlerTarget } from '../../core/proxy/filter-handlers';
import { HeaderMap, type StreamFilterFactory } from '../../plugin-sdk';
import { recordingLogger, writeBuiltPlugin } from '../host/plugin-fixture';
import { cpuSeconds, freePort, pinned, startPinned, waitForPort, which } from './bench-process';
import { REPO_ROOT } from '../support/paths';
import { copyRepoPlugin } from '../support/plugin-dirs';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const DURATION_S = opt('duration', 4);
const ROUNDS = opt('rounds', 7);
const CONNECTIONS = opt('connections', 64);
const FILTER_COUNTS = [0, 1, 5];
function wrk(port: number, seconds: number): { rps: number; requests: number; errors: number } {
  const [c, a] = pinned(0, 'wrk', ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, `http://127.0.0.1:${port}/`]);
  const out = execFileSync(c, a, { encoding: 'utf8' });
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  return { rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0), requests: Number(/(\d+) requests in/.exec(out)?.[1] ?? 0), errors: errors ? Number(errors[1]) : 0 };
}

/** A plugin with one no-op stream filter (receiver + sender, both Continue). */
function noopSource(name: string): string {
  return `
import { StreamFilterStatus, definePlugin } from 'mosn-plugin-sdk';
import type { StreamFilterFactory, StreamReceiverFilter, StreamSenderFilter } from 'mosn-plugin-sdk';
const receiver: StreamReceiverFilter = { onReceive: () => StreamFilterStatus.Continue };
const sender: StreamSenderFilter = { onSend: () => StreamFilterStatus.Continue };
const factory: StreamFilterFactory = {
  createFilterChainFactory: () => ({ createFilterChain(chain) { chain.addReceiverFilter(receiver); chain.addSenderFilter(sender); } }),
};
export = definePlugin({ activate(ctx) { ctx.registerStreamFilter(${JSON.stringify(name)}, factory); } });
`;
}

interface Proxy {
  filters: number;
  port: number;
  child: ChildProcess;
  samples: { cpuUsPerReq: number; rps: number }[];
}

async function startProxy(dir: string, pluginsDir: string, upPort: number, filters: number): Promise<Proxy> {
  const port = await freePort();
  const adminPort = await freePort();
  const config = {
    servers: [
      {
        default_log_path: path.join(dir, `mosn-${filters}.log`),
        default_log_level: 'WARN',
        routers: [{ router_config_name: 'r', virtual_hosts: [{ name: 'all', domains: ['*'], routers: [{ match: { prefix: '/' }, route: { cluster_name: 'up' } }] }] }],
        listeners: [
          {
            name: 'bench',
            address: `127.0.0.1:${port}`,
            stream_filters: Array.from({ length: filters }, (_, i) => ({ type: `noop${i + 1}` })),
            filter_chains: [{ filters: [{ type: 'proxy', config: { downstream_protocol: 'Http1', upstream_protocol: 'Http1', router_config_name: 'r' } }] }],
          },
        ],
      },
    ],
    cluster_manager: { clusters: [{ name: 'up', type: 'SIMPLE', lb_type: 'LB_ROUNDROBIN', hosts: [{ address: `127.0.0.1:${upPort}` }] }] },
    admin: { address: `127.0.0.1:${adminPort}` },
    pid: path.join(dir, `mosn-${filters}.pid`),
    plugins: { dir: pluginsDir, watch: false },
  };
  const file = path.join(dir, `mosn-${filters}.json`);
  fs.writeFileSync(file, JSON.stringify(config));
  const child = startPinned(1, process.execPath, [path.join(REPO_ROOT, 'bin', 'mosn.js'), 'start', '-c', file]);
  await waitForPort(port);
  return { filters, port, child, samples: [] };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** ns per stream of the kernel's chain over `n` of the loaded no-op plugins (build, run, destroy). */
function chainNsPerStream(registry: FactoryRegistry, host: PluginHost, n: number, iterations: number): number {
  const logger = recordingLogger();
  const factories: NamedStreamFilterFactory[] = Array.from({ length: n }, (_, i) => {
    const e = registry.get('stream_filter', `noop${i + 1}`)!;
    const factory = (e.factory as StreamFilterFactory).createFilterChainFactory({}, { listenerName: 'bench', logger });
    return { name: e.name, pluginName: e.pluginName, factory, recorder: host.callRecorder(e.pluginName), failOpen: false };
  });
  const headers = new HeaderMap();
  const position = { index: 0 };
  const stream = {} as FilterHandlerTarget;
  const once = (): void => {
    const chain = new StreamFilterChain(logger);
    chain.build(factories);
    chain.setHandlers(stream);
    for (let p = 0; p < 3; p++) chain.runReceivers(p, 0, headers, true, position);
    chain.runSenders(0, headers, true, position);
    chain.destroy();
  };
  for (let i = 0; i < iterations / 5; i++) once();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) once();
  return Number(process.hrtime.bigint() - t0) / iterations;
}

async function chainFigures(pluginsDir: string): Promise<void> {
  const registry = new FactoryRegistry();
  const host = new PluginHost({ dir: pluginsDir, registry, logger: recordingLogger(), metrics: new MetricsRegistry() });
  await host.loadAll();
  const ns = FILTER_COUNTS.map((n) => chainNsPerStream(registry, host, n, 1_000_000));
  console.log('\nin-process, the kernel\'s stream filter chain over the same bundles (build + run + destroy per stream, recorders on):');
  FILTER_COUNTS.forEach((n, i) => console.log(`${String(n).padStart(7)} filters: ${ns[i].toFixed(0).padStart(5)} ns/stream${n === 0 ? '' : `, ${((ns[i] - ns[0]) / n).toFixed(0)} ns per filter`}`));
  await host.disposeAll();
}

async function main(): Promise<void> {
  const nginx = which('nginx');
  if (!args.includes('--chain-only') && (!which('wrk') || !nginx)) throw new Error('needs wrk and nginx (apt-get install wrk nginx-light)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mosn-filter-bench-'));
  const pluginsDir = path.join(dir, 'plugins');
  fs.mkdirSync(pluginsDir);
  copyRepoPlugin('http1', pluginsDir);
  for (let i = 1; i <= 5; i++) {
    const name = `noop${i}`;
    await writeBuiltPlugin(pluginsDir, { name, provides: [{ kind: 'stream_filter', name }], source: noopSource(name) });
  }
  if (args.includes('--chain-only')) {
    await chainFigures(pluginsDir);
    fs.rmSync(dir, { recursive: true, force: true });
    return;
  }
  const children: ChildProcess[] = [];
  try {
    const upPort = await freePort();
    fs.writeFileSync(
      path.join(dir, 'upstream.conf'),
      `worker_processes 1; daemon off; pid ${dir}/up.pid; error_log ${dir}/up-error.log;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000;
  server { listen 127.0.0.1:${upPort}; location / { default_type text/plain; return 200 "${'x'.repeat(1024)}"; } } }`,
    );
    children.push(startPinned(0, nginx!, ['-c', path.join(dir, 'upstream.conf'), '-p', dir]));
    await waitForPort(upPort);
    const proxies: Proxy[] = [];
    for (const n of FILTER_COUNTS) {
      const p = await startProxy(dir, pluginsDir, upPort, n);
      children.push(p.child);
      proxies.push(p);
    }
    for (const p of proxies) wrk(p.port, 2); // warm-up (JIT)
    for (let round = 0; round < ROUNDS; round++) {
      for (const p of proxies) {
        const before = cpuSeconds(p.child.pid!);
        const r = wrk(p.port, DURATION_S);
        if (r.errors > 0) throw new Error(`${p.filters} filters: ${r.errors} non-2xx responses`);
        p.samples.push({ cpuUsPerReq: ((cpuSeconds(p.child.pid!) - before) * 1e6) / r.requests, rps: r.rps });
      }
    }
    console.log(`\nHTTP/1.1 keep-alive through mosn-ts, 1 KiB response, wrk -t1 -c${CONNECTIONS} -d${DURATION_S}s × ${ROUNDS} interleaved rounds; wrk + nginx on CPU 0, proxies on CPU 1 (${os.cpus().length} CPUs, node ${process.version})`);
    console.log('each no-op filter plugin adds a receiver and a sender filter: 2 counted calls per request (1 stream in 8 timed)\n');
    const min = (xs: number[]) => Math.min(...xs);
    const cpuOf = (p: Proxy) => p.samples.map((x) => x.cpuUsPerReq);
    const baseMin = min(cpuOf(proxies[0]));
    const baseMedian = median(cpuOf(proxies[0]));
    console.log('filters  req/s (median)  CPU µs/req min  median  µs/filter vs 0: min  median   rounds');
    for (const p of proxies) {
      const lo = min(cpuOf(p));
      const mid = median(cpuOf(p));
      const per = (v: number, b: number) => (p.filters === 0 ? '-' : ((v - b) / p.filters).toFixed(2));
      console.log(
        `${String(p.filters).padStart(7)}  ${median(p.samples.map((x) => x.rps)).toFixed(0).padStart(14)}  ${lo.toFixed(2).padStart(14)}  ${mid.toFixed(2).padStart(6)}  ${per(lo, baseMin).padStart(19)}  ${per(mid, baseMedian).padStart(6)}   ${cpuOf(p).map((x) => x.toFixed(1)).join(' ')}`,
      );
    }
  } finally {
    for (const c of children.reverse()) c.kill('SIGTERM');
  }
  await chainFigures(pluginsDir);
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
