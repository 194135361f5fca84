import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { ClusterConfig } from '../../core/config/config-types';
import { parseAddress } from '../../core/config/address';
import { Counter, Gauge, MetricsRegistry } from '../../core/metrics/metrics-registry';
import { OutboundConnection } from '../../core/network/client-connection';
import { ClusterManagerImpl } from '../../core/upstream/cluster-manager';
import { ClusterStats } from '../../core/upstream/cluster-stats';
import type { ConnectionPool, PoolClusterContext } from '../../core/upstream/pool/connection-pool';
import { DEFAULT_CIRCUIT_BREAKERS } from '../../core/upstream/pool/connection-pool';
import { MultiplexPool } from '../../core/upstream/pool/multiplex-pool';
import { PingPongPool } from '../../core/upstream/pool/ping-pong-pool';
import type { PoolStream } from '../../core/upstream/pool/pool-stream';
import { ResourceManager } from '../../core/upstream/resource-manager';
import { UpstreamHost } from '../../core/upstream/upstream-host';
import {
  type LineClientConnection,
  LineProtocol,
  LineRequest,
  type LineServer,
  closedPort,
  send,
  silentLogger,
  sleep,
  startLineServer,
  waitFor,
} from './line-protocol';

const PROTOCOL = 'test-line';

interface Setup {
  cm: ClusterManagerImpl;
  registry: MetricsRegistry;
  protocol: LineProtocol;
  pool: ConnectionPool;
  counter(key: string): number;
  resources: ResourceManager;
}

const cleanups: (() => unknown)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function server(): Promise<LineServer> {
  const s = await startLineServer();
  cleanups.push(() => s.close());
  return s;
}

/** A cluster "c" over `addresses` speaking the test protocol in `mode`. */
function setup(addresses: string[], mode: 'ping-pong' | 'multiplex', extra: Partial<ClusterConfig> = {}): Setup {
  const registry = new MetricsRegistry();
  const problems: string[] = [];
  const cm = ClusterManagerImpl.fromConfig([{ name: 'c', hosts: addresses.map((address) => ({ address })), ...extra }], registry, silentLogger, problems);
  assert.deepEqual(problems, []);
  cleanups.push(() => cm.close());
  const protocol = new LineProtocol(mode);
  const pool = cm.getConnPool('c', PROTOCOL, protocol)!;
  assert.ok(pool);
  const set = registry.metrics('upstream', { cluster: 'c' });
  return {
    cm,
    registry,
    protocol,
    pool,
    counter: (key) => set.counters.get(key)?.value ?? 0,
    resources: cm.getCluster('c')!.resourceManager,
  };
}

function assertResourcesIdle(s: Setup): void {
  assert.equal(s.resources.requests.current, 0, 'active requests');
  assert.equal(s.resources.pendingRequests.current, 0, 'pending requests');
  assert.equal(s.resources.connections.current, s.cm.pools('c').reduce((n, p) => n + p.connectionCount, 0), 'connections');
}

/** The test protocol codec a pooled stream runs on. */
function codecOf(sender: unknown): LineClientConnection {
  return ((sender as PoolStream).inner as unknown as { codec: LineClientConnection }).codec;
}

describe('ping-pong pool (test protocol, real sockets)', () => {
  it('reuses one keep-alive connection for 100 sequential requests', async () => {
    const srv = await server();
    const s = setup([srv.address], 'ping-pong');
    const reused: boolean[] = [];
    for (let i = 0; i < 100; i++) {
      const out = await send(s.pool, `r${i}`).done;
      assert.equal(out.kind, 'response');
      if (out.kind === 'response') {
        assert.equal(out.payload, `r${i}`);
        reused.push(out.reused);
      }
    }
    assert.equal(srv.accepted, 1);
    assert.equal(s.pool.connectionCount, 1);
    assert.deepEqual(reused, [false, ...new Array(99).fill(true)]);
    assert.equal(s.counter('connection_total'), 1);
    assertResourcesIdle(s);
  });

  it('serves 50 concurrent requests with at most max_connections (10) connections', async () => {
    const srv = await server();
    const s = setup([srv.address], 'ping-pong', { circuit_breakers: [{ priority: 'DEFAULT', max_connections: 10 }] });
    const reqs = Array.from({ length: 50 }, (_, i) => send(s.pool, `sleep:5:c${i}`));
    assert.ok(s.pool.connectionCount <= 10);
    assert.equal(s.pool.pendingCount, 50);
    const outs = await Promise.all(reqs.map((r) => r.done));
    outs.forEach((o, i) => assert.deepEqual(o.kind === 'response' && o.payload, `c${i}`));
    assert.ok(srv.accepted <= 10, `accepted ${srv.accepted}`);
    assert.ok(s.pool.connectionCount <= 10);
    assert.equal(s.pool.pendingCount, 0);
    assertResourcesIdle(s);
  });

  it('reuses the most recently freed idle connection first (LIFO)', async () => {
    const srv = await server();
    const s = setup([srv.address], 'ping-pong');
    const slow = send(s.pool, 'sleep:60:slow');
    const fast = send(s.pool, 'fast');
    await Promise.all([slow.done, fast.done]);
    assert.equal(s.pool.connectionCount, 2);
    const next = send(s.pool, 'next');
    assert.equal((await next.done).kind, 'response');
    assert.equal(codecOf(next.sender), codecOf(slow.sender), 'the last connection to go idle serves next');
    assert.notEqual(codecOf(next.sender), codecOf(fast.sender));
  });

  it('closes idle connections after idle_timeout; LIFO lets the unused one age out under light load', async () => {
    const srv = await server();
    const s = setup([srv.address], 'ping-pong', { idle_timeout: '150ms' });
    await Promise.all([send(s.pool, 'sleep:20:a').done, send(s.pool, 'b').done]);
    assert.equal(s.pool.connectionCount, 2);
    // One request every 30 ms keeps one connection busy-ish; the other idles out.
    const until = Date.now() + 450;
    while (Date.now() < until) {
      assert.equal((await send(s.pool, 'tick').done).kind, 'response');
      await sleep(30);
    }
    assert.ok(s.pool.connectionCount <= 1, `${s.pool.connectionCount} connections left`);
    await waitFor(() => s.pool.connectionCount === 0, 2000, 'the last idle connection to close');
    await waitFor(() => srv.sockets.size === 0, 2000, 'the server to see the connections closed');
    assertResourcesIdle(s);
    // a new request opens a fresh connection
    const out = await send(s.pool, 'again').done;
    assert.deepEqual(out.kind === 'response' && [out.payload, out.reused], ['again', false]);
  });

  it('retires a connection after max_request_per_conn requests', async () => {
    const srv = await server();
    const s = setup([srv.address], 'ping-pong', { max_request_per_conn: 3 });
    const reused: boolean[] = [];
    for (let i = 0; i < 7; i++) {
      const out = await send(s.pool, `m${i}`).done;
      reused.push(out.kind === 'response' && out.reused);
    }
    assert.deepEqual(reused, [false, true, true, false, true, true, false]);
    assert.equal(srv.accepted, 3);
    await waitFor(() => s.pool.connectionCount === 1, 1000, 'retired connections to close');
  });

  it('fails every waiting stream with ConnectionFailure when the host refuses connections', async () => {
    const port = await closedPort();
    const s = setup([`127.0.0.1:${port}`], 'ping-pong', { circuit_breakers: { max_connections: 1 } });
    const reqs = [send(s.pool, 'a'), send(s.pool, 'b'), send(s.pool, 'c')];
    const outs = await Promise.all(reqs.map((r) => r.done));
    for (const o of outs) assert.deepEqual(o.kind === 'failure' && o.reason, 'ConnectionFailure');
    assert.equal(s.counter('connection_con_fail'), 1);
    assert.equal(s.pool.connectionCount, 0);
    assert.equal(s.pool.pendingCount, 0);
    assertResourcesIdle(s);
  });

  it('a failed connect fails only the stream waiting for that connection; others keep waiting', async () => {
    const srv = await server();
    const bad = `127.0.0.1:${await closedPort()}`;
    const targets = [srv.address, bad, srv.address, srv.address];
    const ctx = testContext({ ...DEFAULT_CIRCUIT_BREAKERS, maxConnections: 2 }, () => targets.shift()!);
    const pool = new PingPongPool(hostOf(srv.address), PROTOCOL, new LineProtocol('ping-pong'), ctx);
    cleanups.push(() => pool.close());
    const a = send(pool, 'sleep:150:a'); // connection 1 (good), then busy
    await waitFor(() => a.readyCalled, 2000, 'a to start');
    const b = send(pool, 'b'); // opens connection 2 (refused)
    const c = send(pool, 'c'); // max_connections reached: waits for any connection
    assert.equal(pool.pendingCount, 2);
    const outB = await b.done;
    assert.deepEqual(outB.kind === 'failure' && outB.reason, 'ConnectionFailure');
    assert.equal(c.settled, undefined, 'c still waiting when b failed');
    const outC = await c.done;
    assert.deepEqual(outC.kind === 'response' && outC.payload, 'c');
    assert.deepEqual((await a.done).kind === 'response', true);
    assert.equal(ctx.resources.pendingRequests.current, 0);
  });

  it('refuses with Overflow beyond max_pending_requests and counts request_pending_overflow', async () => {
    const srv = await server();
    const s = setup([srv.address], 'ping-pong', { circuit_breakers: [{ max_connections: 1, max_pending_requests: 2 }] });
    const reqs = Array.from({ length: 5 }, (_, i) => send(s.pool, `sleep:10:p${i}`));
    // the 3 over the limit are refused at once
    assert.deepEqual(
      reqs.map((r) => r.settled?.kind === 'failure' && r.settled.reason),
      [false, false, 'Overflow', 'Overflow', 'Overflow'],
    );
    assert.equal(s.counter('request_pending_overflow'), 3);
    const outs = await Promise.all(reqs.slice(0, 2).map((r) => r.done));
    assert.deepEqual(
      outs.map((o) => o.kind === 'response' && o.payload),
      ['p0', 'p1'],
    );
    assert.equal(srv.accepted, 1);
    assertResourcesIdle(s);
  });

  it('refuses with Overflow beyond max_requests (active streams, cluster-wide)', async () => {
    const srv = await server();
    const s = setup([srv.address], 'ping-pong', { circuit_breakers: [{ max_requests: 2 }] });
    const a = send(s.pool, 'sleep:80:a');
    const b = send(s.pool, 'sleep:80:b');
    await waitFor(() => a.readyCalled && b.readyCalled, 2000, 'a and b to start');
    assert.equal(s.resources.requests.current, 2);
    const c = send(s.pool, 'c');
    assert.deepEqual(c.settled, { kind: 'failure', reason: 'Overflow', detail: 'max_requests' });
    assert.equal(s.counter('request_pending_overflow'), 1);
    await Promise.all([a.done, b.done]);
    const d = await send(s.pool, 'd').done;
    assert.deepEqual(d.kind === 'response' && d.payload, 'd');
    assertResourcesIdle(s);
  });

  it('cancels a waiting stream: no callback, and its place is not used', async () => {
    const srv = await server();
    const s = setup([srv.address], 'ping-pong', { circuit_breakers: [{ max_connections: 1 }] });
    const a = send(s.pool, 'sleep:40:a');
    const b = send(s.pool, 'b');
    assert.ok(b.pending);
    assert.equal(s.pool.pendingCount, 2);
    b.pending.cancel();
    b.pending.cancel(); // twice is harmless
    assert.equal(s.pool.pendingCount, 1);
    assert.equal((await a.done).kind, 'response');
    await sleep(30);
    assert.equal(b.settled, undefined);
    assert.equal(srv.requests, 1);
    const c = await send(s.pool, 'c').done;
    assert.deepEqual(c.kind === 'response' && [c.payload, c.reused], ['c', true]);
    assert.equal(srv.accepted, 1);
    assertResourcesIdle(s);
  });

  it('cancels a stream waiting for a connecting connection: the connection goes idle', async () => {
    const srv = await server();
    const s = setup([srv.address], 'ping-pong');
    const x = send(s.pool, 'x');
    x.pending!.cancel();
    assert.equal(s.pool.pendingCount, 0);
    await waitFor(() => (s.pool as PingPongPool).idleCount === 1, 2000, 'the connection to go idle');
    assert.equal(x.settled, undefined);
    const y = await send(s.pool, 'y').done;
    assert.deepEqual(y.kind === 'response' && [y.payload, y.reused], ['y', false]);
    assert.equal(srv.accepted, 1);
    assertResourcesIdle(s);
  });

  it('after the server closes an idle keep-alive connection, the next request uses a new one', async () => {
    const srv = await server();
    const s = setup([srv.address], 'ping-pong');
    assert.equal((await send(s.pool, 'one').done).kind, 'response');
    srv.dropConnections();
    await waitFor(() => s.pool.connectionCount === 0, 2000, 'the pool to drop the closed connection');
    const out = await send(s.pool, 'two').done;
    assert.deepEqual(out.kind === 'response' && [out.payload, out.reused], ['two', false]);
    assert.equal(srv.accepted, 2);
    assertResourcesIdle(s);
  });

  it('a busy connection the server closes resets its stream with ConnectionTermination (reused flag set)', async () => {
    const srv = await server();
    const s = setup([srv.address], 'ping-pong');
    assert.equal((await send(s.pool, 'one').done).kind, 'response');
    const out = await send(s.pool, 'hangup').done;
    assert.deepEqual(out, { kind: 'reset', reason: 'ConnectionTermination', reused: true });
    await waitFor(() => s.pool.connectionCount === 0, 2000, 'the connection to be forgotten');
    assert.equal(s.counter('connection_remote_close_with_active_request'), 1);
    assertResourcesIdle(s);
  });

  it('closes a connection whose codec says it is not reusable', async () => {
    const srv = await server();
    const s = setup([srv.address], 'ping-pong');
    const out = await send(s.pool, 'close').done;
    assert.deepEqual(out.kind === 'response' && out.payload, 'close');
    const next = await send(s.pool, 'next').done;
    assert.deepEqual(next.kind === 'response' && next.reused, false);
    assert.equal(srv.accepted, 2);
  });

  it('a finished stream’s sender cannot touch the next request on the same connection', async () => {
    const srv = await server();
    const s = setup([srv.address], 'ping-pong');
    const a = send(s.pool, 'a');
    await a.done;
    const b = send(s.pool, 'sleep:30:b');
    assert.equal(codecOf(b.sender), codecOf(a.sender));
    a.sender!.reset('LocalReset');
    a.sender!.readDisable(true);
    const out = await b.done;
    assert.deepEqual(out.kind === 'response' && out.payload, 'b');
    assert.equal(s.pool.connectionCount, 1);
    assert.equal((await send(s.pool, 'c').done).kind, 'response', 'reading was not left disabled');
  });

  it('a response that ends before the request does completes the stream and retires the connection', async () => {
    const srv = await server();
    const s = setup([srv.address], 'ping-pong');
    const early = new LineRequest('early', false);
    early.pending = s.pool.newStream(early, early);
    const out = await early.done;
    assert.deepEqual(out.kind === 'response' && out.payload, 'early');
    early.sender!.sendData(Buffer.from('late body'), true); // ignored: the stream is over
    await waitFor(() => s.pool.connectionCount === 0, 2000, 'the connection to close');
    const next = await send(s.pool, 'next').done;
    assert.deepEqual(next.kind === 'response' && next.reused, false);
    assertResourcesIdle(s);
  });

  it('a local reset closes the connection and is not echoed to the receiver', async () => {
    const srv = await server();
    const s = setup([srv.address], 'ping-pong');
    const a = send(s.pool, 'sleep:200:a');
    await waitFor(() => a.readyCalled, 2000, 'a to start');
    a.sender!.reset('LocalReset');
    await waitFor(() => s.pool.connectionCount === 0, 2000, 'the connection to close');
    await sleep(20);
    assert.equal(a.settled, undefined);
    assertResourcesIdle(s);
  });

  it('a pool with no connection may open one even when other hosts hold the cluster-wide limit', async () => {
    const srv1 = await server();
    const srv2 = await server();
    const s = setup([srv1.address, srv2.address], 'ping-pong', { lb_type: 'LB_ROUNDROBIN', circuit_breakers: [{ max_connections: 1 }] });
    const p1 = s.pool;
    const p2 = s.cm.getConnPool('c', PROTOCOL, s.protocol)!;
    assert.notEqual(p1, p2);
    const a = send(p1, 'sleep:50:a');
    const b = send(p2, 'b');
    const a2 = send(p1, 'a2'); // the cluster is at its limit and p1 has a connection: waits for it
    const outs = await Promise.all([a.done, b.done, a2.done]);
    assert.deepEqual(
      outs.map((o) => o.kind === 'response' && o.payload),
      ['a', 'b', 'a2'],
    );
    assert.equal(srv1.accepted, 1);
    assert.equal(srv2.accepted, 1);
    assertResourcesIdle(s);
  });
});

describe('multiplex pool (test protocol, real sockets)', () => {
  it('shares one connection for concurrent streams (waiting while it connects)', async () => {
    const srv = await server();
    const s = setup([srv.address], 'multiplex');
    const reqs = Array.from({ length: 20 }, (_, i) => send(s.pool, `sleep:${(20 - i) * 2}:m${i}`));
    assert.equal(s.pool.connectionCount, 1);
    assert.equal(s.pool.pendingCount, 20);
    const outs = await Promise.all(reqs.map((r) => r.done));
    outs.forEach((o, i) => assert.deepEqual(o.kind === 'response' && o.payload, `m${i}`));
    assert.equal(srv.accepted, 1);
    const more = await Promise.all([send(s.pool, 'x').done, send(s.pool, 'y').done]);
    assert.deepEqual(
      more.map((o) => o.kind === 'response' && o.reused),
      [true, true],
    );
    assert.equal(srv.accepted, 1);
    assertResourcesIdle(s);
  });

  it('reconnects on the next stream after the connection closed', async () => {
    const srv = await server();
    const s = setup([srv.address], 'multiplex');
    assert.equal((await send(s.pool, 'one').done).kind, 'response');
    srv.dropConnections();
    await waitFor(() => s.pool.connectionCount === 0, 2000, 'the pool to drop the closed connection');
    const out = await send(s.pool, 'two').done;
    assert.deepEqual(out.kind === 'response' && [out.payload, out.reused], ['two', false]);
    assert.equal(srv.accepted, 2);
  });

  it('resets every stream on a connection the server closes', async () => {
    const srv = await server();
    const s = setup([srv.address], 'multiplex');
    const slow = [send(s.pool, 'sleep:500:a'), send(s.pool, 'sleep:500:b')];
    await waitFor(() => slow.every((r) => r.readyCalled), 2000, 'streams to start');
    const h = await send(s.pool, 'hangup').done;
    assert.deepEqual(h.kind, 'reset');
    for (const r of slow) assert.deepEqual(await r.done, { kind: 'reset', reason: 'ConnectionTermination', reused: r.reused });
    await waitFor(() => s.pool.connectionCount === 0, 2000, 'the connection to be forgotten');
    assertResourcesIdle(s);
  });

  it('fails the waiting streams with ConnectionFailure when connecting fails', async () => {
    const port = await closedPort();
    const s = setup([`127.0.0.1:${port}`], 'multiplex');
    const outs = await Promise.all([send(s.pool, 'a').done, send(s.pool, 'b').done]);
    for (const o of outs) assert.deepEqual(o.kind === 'failure' && o.reason, 'ConnectionFailure');
    assert.equal(s.pool.connectionCount, 0);
    assertResourcesIdle(s);
  });

  it('limits streams waiting for the connection with max_pending_requests', async () => {
    const srv = await server();
    const s = setup([srv.address], 'multiplex', { circuit_breakers: [{ max_pending_requests: 3 }] });
    const reqs = Array.from({ length: 5 }, (_, i) => send(s.pool, `q${i}`));
    assert.deepEqual(
      reqs.map((r) => r.settled?.kind === 'failure' && r.settled.reason),
      [false, false, false, 'Overflow', 'Overflow'],
    );
    assert.equal(s.counter('request_pending_overflow'), 2);
    const outs = await Promise.all(reqs.slice(0, 3).map((r) => r.done));
    assert.deepEqual(
      outs.map((o) => o.kind),
      ['response', 'response', 'response'],
    );
    assertResourcesIdle(s);
  });

  it('cancels a stream waiting for the connection', async () => {
    const srv = await server();
    const s = setup([srv.address], 'multiplex');
    const a = send(s.pool, 'a');
    const b = send(s.pool, 'b');
    b.pending!.cancel();
    assert.equal((await a.done).kind, 'response');
    await sleep(20);
    assert.equal(b.settled, undefined);
    assert.equal(srv.requests, 1);
    assertResourcesIdle(s);
  });

  it('closes the connection after idle_timeout without streams', async () => {
    const srv = await server();
    const s = setup([srv.address], 'multiplex', { idle_timeout: '100ms' });
    assert.equal((await send(s.pool, 'a').done).kind, 'response');
    await sleep(40);
    assert.equal(s.pool.connectionCount, 1);
    await waitFor(() => s.pool.connectionCount === 0, 2000, 'the idle connection to close');
    await waitFor(() => srv.sockets.size === 0, 2000, 'the server to see it closed');
  });

  it('opens another connection beyond max_concurrent_streams; a freed slot serves a waiting stream', async () => {
    const srv = await server();
    const s = setup([srv.address], 'multiplex', { max_concurrent_streams: 4 });
    // 10 slow streams: 4 + 4 + 2 over three connections, none on a connection beyond 4 at once.
    const reqs = Array.from({ length: 10 }, (_, i) => send(s.pool, `sleep:60:m${i}`));
    const outs = await Promise.all(reqs.map((r) => r.done));
    outs.forEach((o, i) => assert.deepEqual(o.kind === 'response' && o.payload, `m${i}`));
    assert.equal(srv.accepted, 3);
    assert.equal(s.pool.connectionCount, 3);
    // All idle now: 8 quick streams fit on the open connections, no new connect.
    const quick = await Promise.all(Array.from({ length: 8 }, (_, i) => send(s.pool, `q${i}`).done));
    assert.ok(quick.every((o) => o.kind === 'response'));
    assert.equal(srv.accepted, 3);
    assertResourcesIdle(s);
  });

  it('moves to a new connection after max_request_per_conn streams', async () => {
    const srv = await server();
    const s = setup([srv.address], 'multiplex', { max_request_per_conn: 2 });
    for (let i = 0; i < 5; i++) assert.equal((await send(s.pool, `r${i}`).done).kind, 'response');
    assert.equal(srv.accepted, 3);
    await waitFor(() => s.pool.connectionCount === 1, 2000, 'retired connections to close');
  });
});

describe('cluster manager pools and circuit breakers', () => {
  it('close() closes every pool: waiting streams fail, busy ones reset, sockets close', async () => {
    const srv = await server();
    const s = setup([srv.address], 'ping-pong', { circuit_breakers: [{ max_connections: 2 }] });
    await Promise.all([send(s.pool, 'sleep:10:x').done, send(s.pool, 'y').done]);
    const mux = s.cm.getConnPool('c', 'test-line-mux', new LineProtocol('multiplex'))!;
    assert.equal((await send(mux, 'm').done).kind, 'response');
    assert.equal(srv.sockets.size, 3);
    const busy = [send(s.pool, 'sleep:1000:b1'), send(s.pool, 'sleep:1000:b2')];
    await waitFor(() => busy.every((r) => r.readyCalled), 2000, 'busy streams to start');
    const waiting = send(s.pool, 'w');
    s.cm.close();
    assert.deepEqual(waiting.settled, { kind: 'failure', reason: 'ConnectionFailure', detail: 'connection pool closed' });
    for (const r of busy) assert.deepEqual(await r.done, { kind: 'reset', reason: 'ConnectionTermination', reused: true });
    await waitFor(() => srv.sockets.size === 0, 2000, 'the server to see every connection closed');
    assert.equal(s.pool.connectionCount, 0);
    assert.equal(mux.connectionCount, 0);
    assert.equal(s.cm.getConnPool('c', PROTOCOL, s.protocol), undefined);
    const late = send(s.pool, 'late');
    assert.deepEqual(late.settled?.kind === 'failure' && late.settled.reason, 'ConnectionFailure');
    assertResourcesIdle(s);
  });

  it('keeps one pool per host and protocol; a new protocol generation gets a new pool and drains the old', async () => {
    const srv = await server();
    const s = setup([srv.address], 'ping-pong');
    assert.equal(s.cm.getConnPool('c', PROTOCOL, s.protocol), s.pool);
    assert.ok(s.pool instanceof PingPongPool);
    const mux = s.cm.getConnPool('c', 'other', new LineProtocol('multiplex'));
    assert.ok(mux instanceof MultiplexPool);
    assert.equal((await send(s.pool, 'a').done).kind, 'response');
    assert.equal(s.pool.connectionCount, 1);
    const reloaded = new LineProtocol('ping-pong');
    const fresh = s.cm.getConnPool('c', PROTOCOL, reloaded)!;
    assert.notEqual(fresh, s.pool);
    assert.equal(fresh.factory, reloaded);
    await waitFor(() => s.pool.connectionCount === 0, 2000, 'the old pool to drain');
    assert.equal(s.cm.getConnPool('c', PROTOCOL, reloaded), fresh);
    assert.equal(s.cm.getConnPool('nope', PROTOCOL, reloaded), undefined);
    assert.equal(s.cm.clusterStats('c'), s.cm.clusterStats('c'));
    assert.ok(s.cm.clusterStats('c') instanceof ClusterStats);
  });

  it('reads circuit_breakers as MOSN writes them (array, DEFAULT priority) or as an object', () => {
    const registry = new MetricsRegistry();
    const problems: string[] = [];
    const cm = ClusterManagerImpl.fromConfig(
      [
        {
          name: 'arr',
          hosts: [],
          circuit_breakers: [
            { priority: 'HIGH', max_connections: 1 },
            { priority: 'DEFAULT', max_connections: 7, max_pending_requests: 8, max_requests: 9, max_retries: 2 },
          ],
        },
        { name: 'obj', hosts: [], circuit_breakers: { max_requests: 5 } },
        { name: 'none', hosts: [] },
      ],
      registry,
      silentLogger,
      problems,
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(cm.getCluster('arr')!.resourceManager.limits, { maxConnections: 7, maxPendingRequests: 8, maxRequests: 9, maxRetries: 2 });
    assert.deepEqual(cm.getCluster('obj')!.resourceManager.limits, { ...DEFAULT_CIRCUIT_BREAKERS, maxRequests: 5 });
    assert.deepEqual(cm.getCluster('none')!.resourceManager.limits, DEFAULT_CIRCUIT_BREAKERS);
    // max_retries for the proxy
    assert.equal(cm.tryAcquireRetry('arr'), true);
    assert.equal(cm.tryAcquireRetry('arr'), true);
    assert.equal(cm.tryAcquireRetry('arr'), false);
    cm.releaseRetry('arr');
    assert.equal(cm.getCluster('arr')!.resourceManager.retries.canCreate(), true);
    assert.equal(cm.tryAcquireRetry('nope'), false);
  });

  it('reports bad circuit_breakers and idle_timeout with their JSON path', () => {
    const problems: string[] = [];
    ClusterManagerImpl.fromConfig(
      [{ name: 'bad', hosts: [], idle_timeout: 'soon', circuit_breakers: [{ max_connections: -1 }] }],
      new MetricsRegistry(),
      silentLogger,
      problems,
    );
    assert.deepEqual(problems, [
      'cluster_manager.clusters[0].idle_timeout: "soon" is not a valid duration',
      'cluster_manager.clusters[0].circuit_breakers[0].max_connections: must be a non-negative integer',
    ]);
  });

  it('exposes per-cluster request stats with MOSN keys', () => {
    const registry = new MetricsRegistry();
    const cm = ClusterManagerImpl.fromConfig([{ name: 'c', hosts: [] }], registry, silentLogger, []);
    const stats = cm.clusterStats('c');
    stats.requestTotal.inc();
    stats.requestActive.inc();
    stats.requestDuration.observe(3);
    const set = registry.metrics('upstream', { cluster: 'c' });
    assert.equal(set.counters.get('request_total')!.value, 1);
    assert.equal(set.gauges.get('request_active')!.value, 1);
    assert.equal(set.histograms.get('request_duration_time')!.count, 1);
    for (const key of ['request_timeout', 'request_retry', 'request_retry_overflow', 'request_local_reset', 'request_remote_reset', 'request_pending_overflow', 'response_success', 'response_failed']) {
      assert.ok(set.counters.has(key), key);
    }
    assert.ok(!cm.clusterStats('unknown').set.counters.has('x'));
    assert.equal([...registry.all()].filter((m) => m.labels.cluster === 'unknown').length, 0);
  });
});

function hostOf(address: string): UpstreamHost {
  return new UpstreamHost(address, parseAddress(address)!, 1, '', 'c');
}

/** A pool context whose connections go wherever `target()` says (to mix good and refused connects). */
function testContext(limits: typeof DEFAULT_CIRCUIT_BREAKERS, target: () => string): PoolClusterContext {
  const metrics = { total: new Counter(), active: new Gauge(), closed: new Counter(), bytesRead: new Counter(), bytesWritten: new Counter() };
  return {
    name: 'c',
    resources: new ResourceManager(limits),
    stats: ClusterStats.detached('c'),
    idleTimeoutMs: 0,
    maxRequestsPerConnection: 0,
    maxConcurrentStreams: 0,
    codecOptions: { maxHeaderBytes: 65536, maxFrameBytes: 1 << 24, logger: silentLogger },
    logger: silentLogger,
    createConnection: () => {
      const address = target();
      return new OutboundConnection({
        address: parseAddress(address)!,
        hostAddress: address,
        clusterName: 'c',
        connectTimeoutMs: 2000,
        bufferLimit: 1 << 20,
        idleTimeoutMs: 0,
        metrics,
        connectFailures: new Counter(),
        logger: silentLogger,
      });
    },
  };
}
