import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningMosn } from '../support/mosn-harness';
import { proxyListener, serviceRoute, startBoltMosn } from './bolt-fixture';
import { BoltPeer, jstr, SofaClient, startSofaServer, type SofaServer, type SofaServerStats } from './sofa-peers';

const ECHO = 'com.example.EchoService';

describe('bolt multiplexing: 1,000 concurrent calls share one upstream connection per host', () => {
  let serverA: SofaServer;
  let serverB: SofaServer;
  let mosn: RunningMosn;
  let port: number;

  before(async () => {
    [serverA, serverB] = await Promise.all([startSofaServer('A'), startSofaServer('B')]);
    mosn = await startBoltMosn({
      listeners: [proxyListener('bolt', 'bolt', 'bolt')],
      routes: [serviceRoute(`${ECHO}:1.0`, 'echo_cluster')],
      clusters: { echo_cluster: [serverA.address, serverB.address] },
    });
    port = mosn.address('bolt').port;
  });

  after(async () => {
    await mosn?.stop();
    await Promise.all([serverA?.kill(), serverB?.kill()]);
  });

  /** Connections and request ids a server saw since `before`. */
  function since(before: SofaServerStats, now: SofaServerStats) {
    return { connections: now.connections - before.connections, ids: now.requestIds.slice(before.requestIds.length) };
  }

  it('sofa-rpc-node clients: 1,000 concurrent calls, every response goes to its caller', async () => {
    const beforeA = await serverA.stats();
    const beforeB = await serverB.stats();
    const clients = await Promise.all([0, 1, 2, 3].map(async () => new SofaClient(`127.0.0.1:${port}`)));
    const consumers = await Promise.all(clients.map((c) => c.consumer(ECHO)));
    const calls = Array.from({ length: 1000 }, (_, i) => consumers[i % consumers.length].invoke('echo', [jstr(`call-${i}`)], { responseTimeout: 10_000 }));
    const results = (await Promise.all(calls)) as string[];
    for (let i = 0; i < results.length; i++) assert.match(results[i], new RegExp(`^[AB]:call-${i}$`));
    const servedByA = results.filter((r) => r.startsWith('A:')).length;
    assert.ok(servedByA > 300 && servedByA < 700, `round robin over two hosts, A served ${servedByA}`);

    const a = since(beforeA, await serverA.stats());
    const b = since(beforeB, await serverB.stats());
    // One upstream connection per host for all 1,000 calls (the other new one is stats()' own).
    assert.equal(a.connections, 1, 'upstream connections to A');
    assert.equal(b.connections, 1, 'upstream connections to B');
    assert.equal(a.ids.length + b.ids.length, 1000);
    await Promise.all(clients.map((c) => c.close()));
  });

  it('ids are rewritten: 10 clients using the same ids 1..100 at once all get their own answers', async () => {
    const beforeA = await serverA.stats();
    const beforeB = await serverB.stats();
    const peers = await Promise.all(Array.from({ length: 10 }, () => BoltPeer.connect(port)));
    const calls: Promise<void>[] = [];
    for (let p = 0; p < peers.length; p++) {
      for (let id = 1; id <= 100; id++) {
        calls.push(
          peers[p].call(id, ECHO, 'echo', [jstr(`peer${p}-id${id}`)], 10_000).then((res) => {
            assert.equal(res.packetId, id);
            assert.match(String(res.data?.appResponse), new RegExp(`^[AB]:peer${p}-id${id}$`));
          }),
        );
      }
    }
    await Promise.all(calls);
    const ids = [...since(beforeA, await serverA.stats()).ids, ...since(beforeB, await serverB.stats()).ids];
    assert.equal(ids.length, 1000);
    // Per upstream connection the ids are unique, though downstream only ids 1..100 were used.
    const a = since(beforeA, await serverA.stats()).ids;
    assert.equal(new Set(a).size, a.length, 'duplicate request id on the upstream connection to A');
    assert.ok(a.some((id) => id > 100), 'upstream ids are the proxy\'s own sequence, not the clients\'');
    for (const p of peers) p.close();
  });
});
