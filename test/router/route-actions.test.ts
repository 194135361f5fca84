import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { onlyRoute, req, routerOf } from './router-fixtures';

describe('route actions', () => {
  it('cluster_name', () => {
    assert.equal(onlyRoute({ route: { cluster_name: 'c1' } }).clusterName(req('/')), 'c1');
  });

  it("weighted_clusters (MOSN's shape) spread within ±5% over 10k picks", () => {
    const route = onlyRoute({
      route: { weighted_clusters: [{ cluster: { name: 'a', weight: 70 } }, { cluster: { name: 'b', weight: 20 } }, { cluster: { name: 'c', weight: 10 } }] },
    });
    const counts = new Map<string, number>();
    for (let i = 0; i < 10_000; i++) {
      const c = route.clusterName(req('/'))!;
      counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    for (const [name, share] of [['a', 0.7], ['b', 0.2], ['c', 0.1]] as const) {
      const got = (counts.get(name) ?? 0) / 10_000;
      assert.ok(Math.abs(got - share) <= 0.05, `${name}: ${got}`);
    }
  });

  it("weighted_clusters in Envoy's shapes, and a zero weight is never picked", () => {
    const items = onlyRoute({ route: { weighted_clusters: [{ name: 'a', weight: 1 }, { name: 'z', weight: 0 }] } });
    const object = onlyRoute({ route: { weighted_clusters: { clusters: [{ name: 'b', weight: 5 }] } } });
    for (let i = 0; i < 100; i++) {
      assert.equal(items.clusterName(req('/')), 'a');
      assert.equal(object.clusterName(req('/')), 'b');
    }
  });

  it('cluster_header names the cluster from a request header', () => {
    const route = onlyRoute({ route: { cluster_header: 'x-cluster' } });
    assert.equal(route.clusterName(req('/', { 'X-Cluster': 'picked' })), 'picked');
    assert.equal(route.clusterName(req('/')), undefined);
  });

  it('timeout defaults to 60 s; 0 means the default; an explicit duration is kept', () => {
    assert.equal(onlyRoute({ route: { cluster_name: 'c' } }).timeoutMs, 60_000);
    assert.equal(onlyRoute({ route: { cluster_name: 'c', timeout: '0s' } }).timeoutMs, 60_000);
    assert.equal(onlyRoute({ route: { cluster_name: 'c', timeout: '5s' } }).timeoutMs, 5_000);
    assert.equal(onlyRoute({ route: { cluster_name: 'c', timeout: '1m30s' } }).timeoutMs, 90_000);
    assert.equal(onlyRoute({ route: { cluster_name: 'c', timeout: '250ms' } }).timeoutMs, 250);
  });

  it('retry_policy as MOSN writes it; num_retries exactly as configured', () => {
    const route = onlyRoute({ route: { cluster_name: 'c', retry_policy: { retry_on: true, retry_timeout: '3s', num_retries: 1, status_codes: [503, 504] } } });
    const policy = route.retryPolicy!;
    assert.equal(policy.retryOn, true);
    assert.equal(policy.numRetries, 1);
    assert.equal(policy.retryTimeoutMs, 3_000);
    assert.deepEqual([...policy.statusCodes], [503, 504]);
    assert.equal(onlyRoute({ route: { cluster_name: 'c' } }).retryPolicy, undefined);
  });

  it("retry_on as Envoy's condition list; defaults for the rest", () => {
    const policy = onlyRoute({ route: { cluster_name: 'c', retry_policy: { retry_on: '5xx, connect-failure' } } }).retryPolicy!;
    assert.deepEqual([...(policy.retryOn as ReadonlySet<string>)], ['5xx', 'connect-failure']);
    assert.equal(policy.numRetries, 1);
    assert.equal(policy.retryTimeoutMs, 0);
    assert.equal(policy.statusCodes.size, 0);
    const zero = onlyRoute({ route: { cluster_name: 'c', retry_policy: { retry_on: false, num_retries: 0 } } }).retryPolicy!;
    assert.equal(zero.retryOn, false);
    assert.equal(zero.numRetries, 0);
  });

  it('hash_policy, metadata, metadata_match and per_filter_config are kept', () => {
    const router = routerOf([
      {
        name: 'vh',
        domains: ['*'],
        per_filter_config: { fault: { vh: true }, gzip: { level: 1 } },
        routers: [
          {
            metadata: { filter_metadata: { 'mosn.lb': { label: 'gray' } } },
            per_filter_config: { fault: { route: true } },
            route: {
              weighted_clusters: [{ cluster: { name: 'a', weight: 1, metadata_match: { filter_metadata: { 'mosn.lb': { version: 'v2' } } } } }],
              metadata_match: { filter_metadata: { 'mosn.lb': { version: 'v1', zone: 1 } } },
              hash_policy: [{ header: { key: 'x-user' } }, { cookie: { name: 'sid', path: '/', ttl: '10s' } }, { source_ip: {} }],
            },
          },
        ],
      },
    ]);
    const route = router.match(req('/'))!;
    assert.deepEqual(route.hashPolicy, [
      { kind: 'header', key: 'x-user' },
      { kind: 'cookie', name: 'sid', path: '/', ttlMs: 10_000 },
      { kind: 'source_ip' },
    ]);
    assert.deepEqual(route.metadata, { filter_metadata: { 'mosn.lb': { label: 'gray' } } });
    assert.deepEqual(route.metadataMatch('a'), { version: 'v2' });
    assert.deepEqual(route.metadataMatch(), { version: 'v1' });
    assert.deepEqual(route.perFilterConfig, { fault: { route: true }, gzip: { level: 1 } });
  });

  it('a matched route is one immutable object per configured route', () => {
    const router = routerOf([{ name: 'vh', domains: ['*'], routers: [{ route: { cluster_name: 'c' } }, { name: 'named', route: { cluster_name: 'd' } }] }]);
    const first = router.match(req('/a'))!;
    assert.equal(router.match(req('/b')), first);
    assert.ok(Object.isFrozen(first));
    assert.equal(first.name, 'vh/0');
    assert.equal(router.virtualHosts[0].routes[1].name, 'vh/named');
    assert.equal(first.virtualHostName, 'vh');
  });

  it("building leaves the caller's config objects as they were", () => {
    const config = { router_config_name: 'r', virtual_hosts: [{ domains: ['*'], per_filter_config: { f: {} }, routers: [{ metadata: { m: 1 }, route: { cluster_name: 'c' } }] }] };
    const before = JSON.stringify(config);
    routerOf(config.virtual_hosts);
    assert.equal(JSON.stringify(config), before);
    assert.ok(!Object.isFrozen(config.virtual_hosts[0].per_filter_config));
    assert.ok(!Object.isFrozen(config.virtual_hosts[0].routers[0].metadata));
  });

  it('a virtual host without a name is named by its index', () => {
    const router = routerOf([{ domains: ['*'], routers: [{ route: { cluster_name: 'c' } }] }]);
    assert.equal(router.match(req('/'))!.name, 'virtual_hosts[0]/0');
  });
});
