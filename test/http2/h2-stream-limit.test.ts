import assert from 'node:assert/strict';
import type * as http2 from 'node:http2';
import { describe, it } from 'node:test';
import { cluster, startMosn } from '../support/mosn-harness';
import { h2Close, h2Connect, h2Request, proxyServer, startH2Upstream } from '../support/h2-peers';

/**
 * An h2 upstream that holds every stream until `release()`: the proxy's concurrency toward it is
 * what is measured — at most `perSession` at once on any one of its sessions.
 */
async function holdingUpstream(options: http2.ServerOptions = {}) {
  const held: http2.ServerHttp2Stream[] = [];
  let total = 0;
  const perSession = new Map<http2.Http2Session, number>();
  let maxOnOneSession = 0;
  let arrivedWaiter: { n: number; resolve: () => void } | undefined;
  const upstream = await startH2Upstream((stream) => {
    const session = stream.session!;
    const now = (perSession.get(session) ?? 0) + 1;
    perSession.set(session, now);
    maxOnOneSession = Math.max(maxOnOneSession, now);
    stream.on('close', () => perSession.set(session, (perSession.get(session) ?? 1) - 1));
    held.push(stream);
    total++;
    if (arrivedWaiter && total >= arrivedWaiter.n) arrivedWaiter.resolve();
  }, options);
  return {
    upstream,
    get maxOnOneSession() {
      return maxOnOneSession;
    },
    /** Resolves once `n` streams have arrived in all (released ones included). */
    arrived: (n: number) => (total >= n ? Promise.resolve() : new Promise<void>((resolve) => (arrivedWaiter = { n, resolve }))),
    release: () => {
      for (const s of held.splice(0)) {
        s.respond({ ':status': 200 });
        s.end('released');
      }
    },
  };
}

describe('HTTP/2 upstream: concurrent streams per connection', { timeout: 20_000 }, () => {
  it('cluster max_concurrent_streams 3: 7 streams in flight use 3 upstream connections, none beyond 3 at once', async () => {
    const up = await holdingUpstream();
    const mosn = await startMosn({ servers: [proxyServer('Http2', 'Http2', 'h2')], cluster_manager: { clusters: [cluster('h2', [up.upstream.address], { max_concurrent_streams: 3 })] } });
    const session = await h2Connect(mosn.address('proxy').port);
    try {
      const inFlight = Array.from({ length: 7 }, (_, i) => h2Request(session, { ':method': 'GET', ':path': `/s${i}` }));
      await up.arrived(7);
      assert.equal(up.upstream.sessions, 3);
      assert.equal(up.maxOnOneSession, 3);
      up.release();
      const res = await Promise.all(inFlight);
      assert.ok(res.every((r) => r.status === 200 && r.body.toString() === 'released'));
    } finally {
      await h2Close(session);
      await mosn.stop();
      await up.upstream.close();
    }
  });

  it("the upstream's own SETTINGS_MAX_CONCURRENT_STREAMS (2) holds without config; a stream it refuses before its SETTINGS arrive is replayed", async () => {
    const up = await holdingUpstream({ settings: { maxConcurrentStreams: 2 } });
    const mosn = await startMosn({ servers: [proxyServer('Http2', 'Http2', 'h2')], cluster_manager: { clusters: [cluster('h2', [up.upstream.address])] } });
    const session = await h2Connect(mosn.address('proxy').port);
    try {
      // A first request lets the first upstream connection learn the upstream's SETTINGS.
      const first = h2Request(session, { ':method': 'GET', ':path': '/first' });
      await up.arrived(1);
      up.release();
      assert.equal((await first).status, 200);
      // 2 fit on the first connection; a second one takes 3 before it hears the limit, the upstream
      // refuses the third (REFUSED_STREAM: not processed) and the proxy replays it on a third one.
      const inFlight = Array.from({ length: 5 }, (_, i) => h2Request(session, { ':method': 'GET', ':path': `/s${i}` }));
      await up.arrived(1 + 5);
      assert.equal(up.maxOnOneSession, 2);
      assert.equal(up.upstream.sessions, 3);
      up.release();
      const res = await Promise.all(inFlight);
      assert.deepEqual(res.map((r) => r.status), [200, 200, 200, 200, 200]);
    } finally {
      await h2Close(session);
      await mosn.stop();
      await up.upstream.close();
    }
  });
});
