import * as http from 'node:http';
import { type HttpUpstream, request, startHttpUpstream } from './http-upstreams';
import type { RunningMosn } from './mosn-harness';

/** An http1 proxy listener routing everything to `cluster`. */
export function proxyTo(cluster: string) {
  return {
    servers: [
      {
        routers: [{ router_config_name: 'r', virtual_hosts: [{ name: 'all', domains: ['*'], routers: [{ match: { prefix: '/' }, route: { cluster_name: cluster } }] }] }],
        listeners: [
          {
            name: 'in',
            address: '127.0.0.1:0',
            filter_chains: [{ filters: [{ type: 'proxy', config: { downstream_protocol: 'Http1', upstream_protocol: 'Http1', router_config_name: 'r' } }] }],
          },
        ],
      },
    ],
  };
}

/** An upstream that answers /health with 200 or 503 (its `healthy` switch) and echoes its name otherwise. */
export interface SwitchableUpstream extends HttpUpstream {
  healthy: boolean;
  healthChecks: number;
}

export async function startSwitchableUpstream(name: string): Promise<SwitchableUpstream> {
  const state = { healthy: true, healthChecks: 0 };
  const upstream = await startHttpUpstream(name, (req, res) => {
    if (req.url === '/health') {
      state.healthChecks++;
      res.statusCode = state.healthy ? 200 : 503;
      res.end(state.healthy ? 'ok' : 'failing');
      return;
    }
    res.setHeader('x-upstream', name);
    res.end(name);
  });
  // Accessors (not Object.assign, which would copy the values once).
  return Object.defineProperties(upstream, {
    healthy: { get: () => state.healthy, set: (v: boolean) => (state.healthy = v) },
    healthChecks: { get: () => state.healthChecks },
  }) as SwitchableUpstream;
}

/** One request through the proxy: who served it (x-upstream) and when it was sent (performance.now()). */
export interface Sample {
  at: number;
  status: number;
  server: string | undefined;
}

export async function send(port: number, agent: http.Agent): Promise<Sample> {
  const at = performance.now();
  const r = await request(port, { path: '/work', agent });
  return { at, status: r.status, server: r.headers['x-upstream'] as string | undefined };
}

/** Sends requests one after another until `stop()` says so; returns every sample. */
export async function trafficUntil(port: number, agent: http.Agent, stop: () => boolean, timeoutMs: number): Promise<Sample[]> {
  const samples: Sample[] = [];
  const deadline = performance.now() + timeoutMs;
  while (!stop()) {
    if (performance.now() > deadline) throw new Error(`condition not reached within ${timeoutMs} ms; last served by: ${samples.slice(-30).map((s) => s.server ?? s.status).join(',')}`);
    samples.push(await send(port, agent));
  }
  return samples;
}

/** The health event lines of the server log (flips), in order. */
export function healthEvents(mosn: RunningMosn): Record<string, unknown>[] {
  return mosn.logLines().filter((l) => typeof l.msg === 'string' && (l.msg === 'health check: host is unhealthy' || l.msg === 'health check: host is healthy'));
}

/** Counts of samples by server. */
export function servedBy(samples: Sample[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) out[s.server ?? `status ${s.status}`] = (out[s.server ?? `status ${s.status}`] ?? 0) + 1;
  return out;
}
