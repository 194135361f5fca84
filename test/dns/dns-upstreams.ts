import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** An HTTP server on one loopback IP (127.0.0.x), answering with its IP in x-upstream. */
export interface IpUpstream {
  readonly ip: string;
  readonly port: number;
  readonly address: string;
  readonly server: http.Server;
  /** Requests to /slow wait until this is called. */
  releaseSlow(): void;
  /** /slow requests waiting now. */
  readonly held: number;
  /** What /health answers: 200 when true, 503 when false. */
  healthy: boolean;
  /** Open TCP connections now. */
  openConnections(): Promise<number>;
  close(): Promise<void>;
}

export async function startIpUpstream(ip: string, port = 0): Promise<IpUpstream> {
  const held: (() => void)[] = [];
  const state = { healthy: true };
  const server = http.createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    if (req.url === '/health') {
      res.statusCode = state.healthy ? 200 : 503;
      res.end();
      return;
    }
    const answer = () => {
      res.setHeader('x-upstream', ip);
      res.end(ip);
    };
    if (req.url === '/slow') held.push(answer);
    else answer();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, ip, resolve);
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    ip,
    port: bound,
    address: `${ip}:${bound}`,
    server,
    releaseSlow: () => held.splice(0).forEach((f) => f()),
    get held() {
      return held.length;
    },
    get healthy() {
      return state.healthy;
    },
    set healthy(v: boolean) {
      state.healthy = v;
    },
    openConnections: () => new Promise((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n)))),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Upstreams on 127.0.0.2, .3, ... all on one port (DNS answers carry IPs only; the port is the config's). */
export async function startIpUpstreams(count: number): Promise<IpUpstream[]> {
  const first = await startIpUpstream('127.0.0.2');
  const rest = [];
  for (let i = 1; i < count; i++) rest.push(await startIpUpstream(`127.0.0.${2 + i}`, first.port));
  return [first, ...rest];
}
