import assert from 'node:assert/strict';
import type * as net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { cluster, startMosn, type RunningMosn } from '../support/mosn-harness';
import { EMPTY_SETTINGS, ErrorCode, frame, frames, FrameType, goawayCode, PREFACE, SETTINGS_ACK } from '../support/h2-frames';
import { h2Close, h2Connect, h2Request, startH2Upstream, type H2Upstream } from '../support/h2-peers';
import { startTcpServer, type TestServer } from '../support/tcp-peers';
import { waitFor } from '../support/wait-for';

interface UpstreamConn {
  /** Everything the proxy wrote on this connection. */
  received: () => Buffer;
  /** Resolves when the proxy has closed it (FIN or reset). */
  closed: Promise<void>;
}

/**
 * A raw TCP "HTTP/2 server" that answers with `reply` once the proxy's bytes satisfy `ready`
 * (its preface, or its first HEADERS too), then keeps the socket open: any close is the proxy's.
 */
async function brokenUpstream(reply: Buffer, ready: (bytes: Buffer) => boolean): Promise<{ server: TestServer; conns: UpstreamConn[] }> {
  const conns: UpstreamConn[] = [];
  const server = await startTcpServer((socket: net.Socket) => {
    const chunks: Buffer[] = [];
    let replied = false;
    const received = () => Buffer.concat(chunks);
    conns.push({ received, closed: new Promise((resolve) => socket.once('close', () => resolve())) });
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      if (!replied && ready(received())) {
        replied = true;
        socket.write(reply);
      }
    });
    socket.on('end', () => socket.end());
  });
  return { server, conns };
}

const gotPreface = (bytes: Buffer) => bytes.length >= PREFACE.length;
const gotRequestHeaders = (bytes: Buffer) => [...frames(bytes, PREFACE.length)].some((f) => f.type === FrameType.HEADERS && f.streamId === 1);

/** Rejects with `what` if `p` takes longer than `ms` (a hang would otherwise stall the suite). */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

// [name, what the upstream answers, when, the GOAWAY code the proxy must send ('any' non-zero)]
const CASES: [string, Buffer, (b: Buffer) => boolean, number | 'any'][] = [
  ['garbage', Buffer.from('this is not HTTP/2 at all, not even close'), gotPreface, 'any'],
  // The next two are errors nghttp2 handles without telling Node (see error-goaway-watch.ts).
  ['bad-settings', frame(FrameType.SETTINGS, 0, 0, Buffer.alloc(5)), gotPreface, ErrorCode.FRAME_SIZE_ERROR],
  // 0x80: an indexed header field with index 0, a decoding error (RFC 7541 §6.1).
  ['bad-hpack', Buffer.concat([EMPTY_SETTINGS, SETTINGS_ACK, frame(FrameType.HEADERS, 5, 1, Buffer.from([0x80]))]), gotRequestHeaders, ErrorCode.COMPRESSION_ERROR],
];

describe('HTTP/2 upstream sending malformed frames', { timeout: 30_000 }, () => {
  const broken = new Map<string, { server: TestServer; conns: UpstreamConn[] }>();
  let good: H2Upstream;
  let mosn: RunningMosn;
  let port: number;

  before(async () => {
    for (const [name, reply, ready] of CASES) broken.set(name, await brokenUpstream(reply, ready));
    good = await startH2Upstream();
    const routes = [
      ...CASES.map(([name]) => ({ match: { prefix: `/${name}` }, route: { cluster_name: name } })),
      { match: { prefix: '/' }, route: { cluster_name: 'good' } },
    ];
    mosn = await startMosn({
      servers: [
        {
          routers: [{ router_config_name: 'r', virtual_hosts: [{ name: 'all', domains: ['*'], routers: routes }] }],
          listeners: [
            {
              name: 'proxy',
              address: '127.0.0.1:0',
              filter_chains: [{ filters: [{ type: 'proxy', config: { downstream_protocol: 'Http2', upstream_protocol: 'Http2', router_config_name: 'r' } }] }],
            },
          ],
        },
      ],
      cluster_manager: { clusters: [...CASES.map(([name]) => cluster(name, [broken.get(name)!.server.address])), cluster('good', [good.address])] },
    });
    port = mosn.address('proxy').port;
  });

  after(async () => {
    await mosn.stop();
    for (const b of broken.values()) await b.server.close();
    await good.close();
  });

  for (const [name, , , code] of CASES) {
    it(`${name}: the proxy closes that upstream connection (GOAWAY), the request gets 503, other connections go on`, async () => {
      const downstream = await h2Connect(port);
      const warmed = await h2Request(downstream, { ':method': 'GET', ':path': '/before' });
      assert.equal(warmed.status, 200);

      const r = await within(h2Request(downstream, { ':method': 'GET', ':path': `/${name}` }), 5000, `${name}: the request's answer`);
      assert.equal(r.status, 503, `${name}: the request on the broken upstream connection`);

      const conn = broken.get(name)!.conns[0];
      assert.ok(conn, `${name}: the proxy connected to the broken upstream`);
      await within(conn.closed, 5000, `${name}: the proxy closing the upstream connection`);
      const got = goawayCode(conn.received(), PREFACE.length);
      if (code === 'any') assert.ok(got !== undefined && got !== 0, `${name}: a GOAWAY with an error code (got ${got})`);
      else assert.equal(got, code, `${name}: the GOAWAY's error code`);

      // The log file is written asynchronously: no event tells the test a line is in it.
      const logged = () =>
        mosn.logLines().some((l) => l.msg === 'http2: protocol error on an upstream connection; closing it' && l.host === broken.get(name)!.server.address);
      await waitFor(logged, 2000, `${name}: a log line for the upstream protocol error`);

      // The same downstream connection and the good upstream's connection still serve.
      assert.equal(downstream.destroyed, false);
      const after = await h2Request(downstream, { ':method': 'GET', ':path': '/after' });
      assert.equal(after.status, 200);
      await h2Close(downstream);
    });
  }
});
