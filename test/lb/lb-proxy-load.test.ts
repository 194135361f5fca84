import assert from 'node:assert/strict';
import type * as http from 'node:http';
import { after, describe, it } from 'node:test';
import { cluster, startMosn, type RunningMosn } from '../support/mosn-harness';
import { request, startHttpUpstream, type HttpUpstream } from '../support/http-upstreams';
import { httpProxyConfig, servedBy, unlimitedAgent } from '../support/lb-proxy';

/**
 * Two upstreams behind mosn-ts: `slow` holds every request until the test releases it, `fast`
 * answers at once. Requests are sent one after the other; each is either answered by `fast` or
 * held by `slow` before the next is sent, so `slow`'s requests (and connections) in flight only
 * grow while `fast` is idle whenever the balancer chooses.
 */
async function sendAgainstHeldHost(lbType: string, total: number): Promise<{ slowShare: number; slowActive: number[] }> {
  const held: http.ServerResponse[] = [];
  let progress: () => void = () => undefined;
  const slow = await startHttpUpstream('slow', (req, res) => {
    req.resume();
    held.push(res);
    progress();
  });
  const fast = await startHttpUpstream('fast');
  const mosn = await startMosn(httpProxyConfig([{ match: { prefix: '/' }, route: { cluster_name: 'c' } }], [cluster('c', [slow.address, fast.address], { lb_type: lbType })]));
  const agent = unlimitedAgent();
  const port = mosn.address('in').port;
  const pending: Promise<unknown>[] = [];
  const slowActive: number[] = [];
  try {
    for (let i = 0; i < total; i++) {
      const step = new Promise<void>((resolve) => (progress = resolve));
      pending.push(request(port, { agent, path: `/r${i}` }).then(() => progress()));
      await step;
      const host = mosn.server['clusterManager']!.getCluster('c')!.hosts.find((h) => h.address === slow.address)!;
      slowActive.push(lbType === 'LB_LEAST_CONNECTION' ? host.activeConnections : host.activeRequests);
    }
    const slowShare = held.length / total;
    for (const res of held) res.end('released');
    await Promise.all(pending);
    return { slowShare, slowActive };
  } finally {
    agent.destroy();
    await mosn.stop();
    await slow.close();
    await fast.close();
  }
}

describe('least-load balancers through the proxy: the idle host gets most new requests', () => {
  // P2C over two hosts sends to the busy one only when both samples are it: expected share 1/4.
  // Bound: ≤ 37% of 300 requests (Binomial(300, 0.25) has sd 2.5%: the bound is 4.8 sd above the
  // mean; LB_RANDOM's 50% is 4.5 sd below it, so a balancer that ignores load fails this test).
  for (const lbType of ['LB_LEAST_REQUEST', 'LB_LEAST_CONNECTION']) {
    it(`${lbType}: with one host holding every request, ≥ 63% of 300 new requests go to the idle one`, async (t) => {
      const { slowShare, slowActive } = await sendAgainstHeldHost(lbType, 300);
      t.diagnostic(`held host share ${(slowShare * 100).toFixed(1)}%`);
      assert.ok(slowShare <= 0.37, `held host got ${(slowShare * 100).toFixed(1)}% of requests`);
      assert.ok(slowShare > 0.1, `held host got ${(slowShare * 100).toFixed(1)}% (P2C still samples it)`);
      // the kernel's counters that the balancer read grew with each held request / connection
      assert.equal(slowActive.at(-1), Math.round(slowShare * 300));
    });
  }

  it('LB_LEAST_CONNECTION: the pools count each host\'s open connections, and uncount them on close', async () => {
    const a = await startHttpUpstream('a');
    const mosn = await startMosn(httpProxyConfig([{ match: { prefix: '/' }, route: { cluster_name: 'c' } }], [cluster('c', [a.address], { lb_type: 'LB_LEAST_CONNECTION' })]));
    const host = mosn.server['clusterManager']!.getCluster('c')!.hosts[0];
    const agent = unlimitedAgent();
    try {
      await Promise.all(Array.from({ length: 5 }, () => request(mosn.address('in').port, { agent })));
      assert.ok(host.activeConnections >= 1 && host.activeConnections === a.connections, `counted ${host.activeConnections}, upstream accepted ${a.connections}`);
    } finally {
      agent.destroy();
      await mosn.stop();
      await a.close();
    }
    assert.equal(host.activeConnections, 0, 'shutdown closed every pool connection');
  });
});

describe('LB_PEAK_EWMA through the proxy: traffic moves away from a slow host', () => {
  let mosn: RunningMosn | undefined;
  const upstreams: HttpUpstream[] = [];
  after(async () => {
    await mosn?.stop();
    await Promise.all(upstreams.map((u) => u.close()));
  });

  it('one of 4 hosts answers in 30 ms, the others at once: after 40 warm-up requests, the slow host gets < 12.5% (half its even share)', async (t) => {
    upstreams.push(
      await startHttpUpstream('slow', (req, res, u) => {
        req.resume();
        setTimeout(() => {
          res.setHeader('x-upstream', u.name);
          res.end('slow');
        }, 30);
      }),
    );
    for (const name of ['f1', 'f2', 'f3']) upstreams.push(await startHttpUpstream(name));
    mosn = await startMosn(
      httpProxyConfig([{ match: { prefix: '/' }, route: { cluster_name: 'c' } }], [cluster('c', upstreams.map((u) => u.address), { lb_type: 'LB_PEAK_EWMA' })]),
    );
    const port = mosn.address('in').port;
    const agent = unlimitedAgent();
    const served: string[] = [];
    // 8 clients in parallel, 50 requests each
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = 0; i < 50; i++) served.push(await servedBy(port, { agent }));
      }),
    );
    agent.destroy();
    const warm = served.slice(40);
    const slowShare = warm.filter((s) => s === 'slow').length / warm.length;
    t.diagnostic(`slow host share after warm-up ${(slowShare * 100).toFixed(1)}%`);
    // P2C over 4 hosts reaches the slow host only when both samples are it: ≈ 1/16 = 6.25%
    assert.ok(slowShare < 0.125, `slow host got ${(slowShare * 100).toFixed(1)}% after warm-up (even share 25%)`);
    assert.ok(served.includes('slow'), 'the slow host was measured');
    const slowHost = mosn.server['clusterManager']!.getCluster('c')!.hosts[0];
    assert.ok(slowHost.latency.cost(performance.now()) >= 25, `slow host latency estimate ${slowHost.latency.cost(performance.now())} ms`);
  });
});
