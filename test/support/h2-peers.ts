import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';

export interface H2Upstream {
  server: http2.Http2Server;
  port: number;
  address: string;
  /** Sessions (TCP connections) accepted so far. */
  sessions: number;
  /** Streams (requests) received so far. */
  streams: number;
  close(): Promise<void>;
}

export type H2Handler = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, upstream: H2Upstream) => void;

/** Answers 200 JSON {method, path, headers, bodyLength} after reading the whole body. */
export const echoH2: H2Handler = (stream, headers) => {
  let n = 0;
  stream.on('data', (d: Buffer) => (n += d.length));
  stream.on('end', () => {
    if (stream.closed) return;
    stream.respond({ ':status': 200, 'content-type': 'application/json', 'x-upstream': 'h2' });
    stream.end(JSON.stringify({ method: headers[':method'], path: headers[':path'], headers, bodyLength: n }));
  });
};

/** A real node:http2 h2c server on 127.0.0.1:0 counting sessions and streams. */
export async function startH2Upstream(handler: H2Handler = echoH2, options: http2.ServerOptions = {}): Promise<H2Upstream> {
  const sessions = new Set<http2.ServerHttp2Session>();
  const upstream: H2Upstream = {
    server: undefined as unknown as http2.Http2Server,
    port: 0,
    address: '',
    sessions: 0,
    streams: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sessions) s.destroy();
        upstream.server.close(() => resolve());
      }),
  };
  const server = http2.createServer(options);
  server.on('session', (s) => {
    upstream.sessions++;
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  server.on('stream', (stream, headers) => {
    upstream.streams++;
    stream.on('error', () => undefined);
    handler(stream, headers, upstream);
  });
  upstream.server = server;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  upstream.port = (server.address() as AddressInfo).port;
  upstream.address = `127.0.0.1:${upstream.port}`;
  return upstream;
}

export interface H2Response {
  status: number;
  headers: http2.IncomingHttpHeaders;
  body: Buffer;
  trailers: http2.IncomingHttpHeaders | undefined;
}

/**
 * One request on an open client session. `body` chunks are written in order; `trailers` go
 * after them. Rejects with the stream's error (e.g. a reset) if it ends early.
 */
export function h2Request(
  session: http2.ClientHttp2Session,
  headers: http2.OutgoingHttpHeaders,
  body?: Buffer | string | (Buffer | string)[],
  trailers?: http2.OutgoingHttpHeaders,
): Promise<H2Response> {
  return new Promise((resolve, reject) => {
    const req = session.request(headers, { endStream: body === undefined && trailers === undefined, waitForTrailers: trailers !== undefined });
    if (trailers) req.on('wantTrailers', () => req.sendTrailers(trailers));
    let status = 0;
    let resHeaders: http2.IncomingHttpHeaders = {};
    let resTrailers: http2.IncomingHttpHeaders | undefined;
    const chunks: Buffer[] = [];
    req.on('response', (h) => {
      status = Number(h[':status']);
      resHeaders = h;
    });
    req.on('trailers', (t) => (resTrailers = t));
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', reject);
    req.on('close', () => {
      if (req.rstCode !== http2.constants.NGHTTP2_NO_ERROR) reject(Object.assign(new Error(`stream reset with code ${req.rstCode}`), { rstCode: req.rstCode }));
      else resolve({ status, headers: resHeaders, body: Buffer.concat(chunks), trailers: resTrailers });
    });
    if (body !== undefined) {
      for (const b of Array.isArray(body) ? body : [body]) req.write(b);
      req.end();
    } else if (trailers) req.end();
  });
}

/** Connects an h2c client session and waits until it is connected. */
export function h2Connect(port: number, options: http2.ClientSessionOptions = {}): Promise<http2.ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://127.0.0.1:${port}`, options);
    session.once('connect', () => {
      session.off('error', reject);
      session.on('error', () => undefined);
      resolve(session);
    });
    session.once('error', reject);
  });
}

/** A `proxy` listener between the two protocols, routing every path to `clusterName`. */
export function proxyServer(downstream: string, upstream: string | undefined, clusterName: string, routeExtra: Record<string, unknown> = {}) {
  return {
    routers: [
      {
        router_config_name: 'r',
        virtual_hosts: [{ name: 'all', domains: ['*'], routers: [{ match: { prefix: '/' }, route: { cluster_name: clusterName, ...routeExtra } }] }],
      },
    ],
    listeners: [
      {
        name: 'proxy',
        address: '127.0.0.1:0',
        filter_chains: [
          {
            filters: [{ type: 'proxy', config: { downstream_protocol: downstream, ...(upstream ? { upstream_protocol: upstream } : {}), router_config_name: 'r' } }],
          },
        ],
      },
    ],
  };
}

/** Closes a client session and waits for it. */
export function h2Close(session: http2.ClientHttp2Session): Promise<void> {
  return new Promise((resolve) => {
    if (session.destroyed) return resolve();
    session.close(() => resolve());
  });
}
