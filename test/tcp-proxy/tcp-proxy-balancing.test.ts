import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cluster, startMosn, tcpProxyListener, type RunningMosn } from '../support/mosn-harness';
import { connect, readAll, startTcpServer, type TestServer } from '../support/tcp-peers';

/** Each upstream answers a connection with its own name, then closes. */
async function namedServers(names: string[]): Promise<Map<string, TestServer>> {
  const servers = new Map<string, TestServer>();
  for (const name of names) servers.set(name, await startTcpServer((s) => s.end(name)));
  return servers;
}

/** Opens `total` connections (at most `parallel` at once) and counts which upstream answered. */
async function spread(port: number, total: number, parallel = 32): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  let started = 0;
  async function worker(): Promise<void> {
    while (started < total) {
      started++;
      const s = await connect(port);
      const name = (await readAll(s)).toString();
      counts.set(name, (counts.get(name) ?? 0) + 1);
      s.destroy();
    }
  }
  await Promise.all(Array.from({ length: parallel }, worker));
  return counts;
}

function share(counts: Map<string, number>, name: string): number {
  let total = 0;
  for (const v of counts.values()) total += v;
  return (counts.get(name) ?? 0) / total;
}

describe('tcp_proxy: load balancing over many connections', () => {
  let servers: Map<string, TestServer>;
  let mosn: RunningMosn;
  const addr = (n: string) => servers.get(n)!.address;

  before(async () => {
    servers = await namedServers(['a', 'b', 'c', 'w1', 'w3', 'x', 'y']);
    mosn = await startMosn({
      servers: [
        {
          listeners: [
            tcpProxyListener('rr', { cluster: 'rr' }),
            tcpProxyListener('host_weights', { cluster: 'host_weights' }),
            tcpProxyListener('random_weights', { cluster: 'random_weights' }),
            tcpProxyListener('weighted_clusters', {
              weighted_clusters: { clusters: [{ name: 'x', weight: 80 }, { name: 'y', weight: 20 }] },
            }),
          ],
        },
      ],
      cluster_manager: {
        clusters: [
          cluster('rr', [addr('a'), addr('b'), addr('c')]),
          cluster('host_weights', [{ address: addr('w1'), weight: 1 }, { address: addr('w3'), weight: 3 }]),
          cluster('random_weights', [{ address: addr('w1'), weight: 1 }, { address: addr('w3'), weight: 3 }], { lb_type: 'LB_RANDOM' }),
          cluster('x', [addr('x')]),
          cluster('y', [addr('y')]),
        ],
      },
    });
  });

  after(async () => {
    await mosn.stop();
    for (const s of servers.values()) await s.close();
  });

  it('LB_ROUNDROBIN spreads 3000 connections evenly over 3 hosts (±5%)', async () => {
    const counts = await spread(mosn.address('rr').port, 3000);
    for (const n of ['a', 'b', 'c']) {
      const s = share(counts, n);
      assert.ok(Math.abs(s - 1 / 3) <= 0.05 / 3, `${n}: ${counts.get(n)} of 3000 (${(s * 100).toFixed(1)}%)`);
    }
  });

  it('LB_ROUNDROBIN honours host weights 1:3 over 2000 connections (±5%)', async () => {
    const counts = await spread(mosn.address('host_weights').port, 2000);
    const s = share(counts, 'w3');
    assert.ok(Math.abs(s - 0.75) <= 0.75 * 0.05, `w3 share ${(s * 100).toFixed(1)}%`);
  });

  it('LB_RANDOM honours host weights 1:3 over 4000 connections (within 5 points)', async () => {
    const counts = await spread(mosn.address('random_weights').port, 4000);
    const s = share(counts, 'w3');
    assert.ok(Math.abs(s - 0.75) <= 0.05, `w3 share ${(s * 100).toFixed(1)}%`);
  });

  it('weighted_clusters 80/20 over 4000 connections (within 5 points)', async () => {
    const counts = await spread(mosn.address('weighted_clusters').port, 4000);
    const s = share(counts, 'x');
    assert.ok(Math.abs(s - 0.8) <= 0.05, `x share ${(s * 100).toFixed(1)}%`);
  });
});
