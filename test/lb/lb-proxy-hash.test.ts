import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MaglevTable } from '../../core/upstream/lb/maglev-table';
import { hash64 } from '../../core/upstream/lb/stable-hash';
import { cluster, startMosn, type RunningMosn } from '../support/mosn-harness';
import { startHttpUpstream, type HttpUpstream } from '../support/http-upstreams';
import { httpProxyConfig, servedBy } from '../support/lb-proxy';

describe('LB_MAGLEV through the proxy with route hash_policy', () => {
  const upstreams: HttpUpstream[] = [];
  let mosn: RunningMosn;
  let port: number;
  /** Which upstream maglev assigns `key` over the cluster's hosts (as the balancer computes it). */
  let expected: (key: string) => string;

  before(async () => {
    for (let i = 0; i < 5; i++) upstreams.push(await startHttpUpstream(`u${i}`));
    const hosts = upstreams.map((u) => u.address);
    mosn = await startMosn(
      httpProxyConfig(
        [
          { match: { prefix: '/header' }, route: { cluster_name: 'maglev', hash_policy: [{ header: { key: 'x-user' } }] } },
          { match: { prefix: '/cookie' }, route: { cluster_name: 'maglev', hash_policy: [{ cookie: { name: 'sid', path: '/', ttl: '10s' } }] } },
          { match: { prefix: '/ip' }, route: { cluster_name: 'maglev', hash_policy: [{ source_ip: {} }] } },
          { match: { prefix: '/ring' }, route: { cluster_name: 'ring', hash_policy: [{ header: { key: 'x-user' } }] } },
          { match: { prefix: '/' }, route: { cluster_name: 'maglev' } },
        ],
        [cluster('maglev', hosts, { lb_type: 'LB_MAGLEV' }), cluster('ring', hosts, { lb_type: 'RING_HASH' })],
      ),
    );
    port = mosn.address('in').port;
    const table = new MaglevTable(hosts.map((address) => ({ address, weight: 1 })));
    expected = (key) => upstreams[table.lookup(hash64(key))].name;
  });

  after(async () => {
    await mosn.stop();
    await Promise.all(upstreams.map((u) => u.close()));
  });

  it('header: the same x-user always lands on the same host (the maglev owner of the value); users spread', async () => {
    const users = Array.from({ length: 40 }, (_, i) => `user-${i}`);
    const seen = new Map<string, Set<string>>();
    for (let round = 0; round < 3; round++) {
      for (const user of users) {
        const by = await servedBy(port, { path: '/header', headers: { 'x-user': user } });
        if (!seen.has(user)) seen.set(user, new Set());
        seen.get(user)!.add(by);
      }
    }
    for (const [user, by] of seen) assert.deepEqual([...by], [expected(user)], `user ${user} served by ${[...by]}`);
    assert.ok(new Set([...seen.values()].map((s) => [...s][0])).size >= 4, '40 users reach at least 4 of 5 hosts');
  });

  it('RING_HASH is maglev: the same user lands where LB_MAGLEV sends it', async () => {
    for (let i = 0; i < 20; i++) {
      const user = `ring-user-${i}`;
      assert.equal(await servedBy(port, { path: '/ring', headers: { 'x-user': user } }), expected(user));
    }
  });

  it('cookie: the sid cookie value is the key, among other cookies and in any cookie header', async () => {
    for (let i = 0; i < 20; i++) {
      const sid = `session-${i}`;
      const a = await servedBy(port, { path: '/cookie', headers: { cookie: `theme=dark; sid=${sid}; lang=en` } });
      const b = await servedBy(port, { path: '/cookie', headers: { cookie: `sid=${sid}` } });
      assert.equal(a, expected(sid));
      assert.equal(b, a);
    }
  });

  it('source_ip: each client IP (127.0.0.x, new connection each time) sticks to its host; IPs spread', async () => {
    const owners = new Set<string>();
    for (let x = 2; x < 32; x++) {
      const ip = `127.0.0.${x}`;
      const first = await servedBy(port, { path: '/ip', localAddress: ip, agent: false });
      for (let round = 0; round < 2; round++) assert.equal(await servedBy(port, { path: '/ip', localAddress: ip, agent: false }), first);
      assert.equal(first, expected(ip));
      owners.add(first);
    }
    assert.ok(owners.size >= 3, `30 client IPs reached ${owners.size} hosts`);
  });

  it('no hash_policy on the route, or its header absent: MOSN hashes the source IP', async () => {
    for (const x of [2, 7, 11, 19]) {
      const ip = `127.0.0.${x}`;
      assert.equal(await servedBy(port, { path: '/plain', localAddress: ip }), expected(ip));
      assert.equal(await servedBy(port, { path: '/header', localAddress: ip }), expected(ip));
    }
  });
});
