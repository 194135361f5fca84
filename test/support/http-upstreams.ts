import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HttpUpstream {
  name: string;
  server: http.Server;
  port: number;
  address: string;
  /** TCP connections accepted so far. */
  connections: number;
  requests: number;
  close(): Promise<void>;
}

/** What the default handler answers: who served it and what it saw. */
export interface Echoed {
  server: string;
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  bodyLength: number;
}

export type UpstreamHandler = (req: http.IncomingMessage, res: http.ServerResponse, upstream: HttpUpstream) => void;

/** Answers JSON {server, method, url, headers, bodyLength} after reading the whole body. */
export const echoRequest: UpstreamHandler = (req, res, upstream) => {
  let n = 0;
  req.on('data', (d: Buffer) => (n += d.length));
  req.on('end', () => {
    const body: Echoed = { server: upstream.name, method: req.method!, url: req.url!, headers: req.headers, bodyLength: n };
    res.setHeader('content-type', 'application/json');
    res.setHeader('x-upstream', upstream.name);
    res.end(JSON.stringify(body));
  });
};

/** A real node:http server on 127.0.0.1:0 that counts connections and requests. */
export async function startHttpUpstream(name: string, handler: UpstreamHandler = echoRequest): Promise<HttpUpstream> {
  const upstream: HttpUpstream = {
    name,
    server: undefined as unknown as http.Server,
    port: 0,
    address: '',
    connections: 0,
    requests: 0,
    close: () =>
      new Promise<void>((resolve) => {
        upstream.server.closeAllConnections();
        upstream.server.close(() => resolve());
      }),
  };
  const server = http.createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    upstream.requests++;
    handler(req, res, upstream);
  });
  server.on('connection', () => upstream.connections++);
  upstream.server = server;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  upstream.port = (server.address() as AddressInfo).port;
  upstream.address = `127.0.0.1:${upstream.port}`;
  return upstream;
}

/** One request with node:http through a keep-alive agent; resolves with status, headers and body. */
export function request(
  port: number,
  opts: {
    method?: string;
    path?: string;
    host?: string;
    headers?: Record<string, string>;
    body?: Buffer | string;
    /** false: a new connection for this request only. */
    agent?: http.Agent | false;
    /** Source IP to connect from (any 127.x.y.z works on Linux loopback). */
    localAddress?: string;
  } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: opts.method ?? 'GET',
        path: opts.path ?? '/',
        headers: { host: opts.host ?? 'localhost', ...opts.headers },
        agent: opts.agent,
        localAddress: opts.localAddress,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}
