import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { loadPluginForTest } from '../../plugin-sdk/testing/test-plugin';
import type { LoadBalancerFactory } from '../../plugin-sdk';
import { ConfigLoadError } from '../../core/config/config-error';
import { FactoryConflictError, FactoryRegistry } from '../../core/host/factory-registry';
import { registerBuiltinBalancers } from '../../core/upstream/lb/builtin-registration';
import { PluginBalancer } from '../../core/upstream/lb/plugin-balancer';
import { cluster, startMosn, type RunningMosn } from '../support/mosn-harness';
import { startHttpUpstream, type HttpUpstream } from '../support/http-upstreams';
import { hostSetOf } from '../support/lb-hosts';
import { httpProxyConfig, servedBy } from '../support/lb-proxy';
import { buildFixturePlugin, copyRepoPlugin, tempPluginsDir } from '../support/plugin-dirs';
import { createTestLogger } from '../../plugin-sdk/testing/test-logger';

const ROUTES = [{ match: { prefix: '/' }, route: { cluster_name: 'pinned' } }];

async function refusal(config: Parameters<typeof startMosn>[0]): Promise<string[]> {
  try {
    const m = await startMosn(config);
    await m.stop();
  } catch (err) {
    if (err instanceof ConfigLoadError) return err.problems;
    throw err;
  }
  assert.fail('the config was accepted');
}

describe('an lb_type registered by a plugin', () => {
  let pluginsDir: string;
  const upstreams: HttpUpstream[] = [];
  let mosn: RunningMosn;
  let pinnedCluster: (extra?: Record<string, unknown>) => unknown;

  before(async () => {
    pluginsDir = tempPluginsDir();
    copyRepoPlugin('http1', pluginsDir);
    buildFixturePlugin('lb_header_pin', pluginsDir);
    for (const name of ['a', 'b', 'c']) upstreams.push(await startHttpUpstream(name));
    pinnedCluster = (extra = {}) =>
      cluster(
        'pinned',
        upstreams.map((u) => u.address),
        { lb_type: 'LB_HEADER_PIN', lbconfig: { header: 'X-Pin' }, hosts: upstreams.map((u) => ({ address: u.address, hostname: u.name })), ...extra },
      );
    mosn = await startMosn(httpProxyConfig(ROUTES, [pinnedCluster()], { dir: pluginsDir }));
  });

  after(async () => {
    await mosn.stop();
    await Promise.all(upstreams.map((u) => u.close()));
    fs.rmSync(pluginsDir, { recursive: true, force: true });
  });

  it('serves a cluster through the proxy: the balancer sees the request headers and the live host set', async () => {
    const port = mosn.address('in').port;
    assert.equal(await servedBy(port, { headers: { 'x-pin': 'b' } }), 'b');
    assert.equal(await servedBy(port, { headers: { 'x-pin': 'c' } }), 'c');
    assert.equal(await servedBy(port), 'a', 'no header: first healthy host');
    // health flips reach the plugin's balancer through the host set's version
    const hostSet = mosn.server['clusterManager']!.getCluster('pinned')!.hostSet;
    hostSet.hosts[0].healthy = false;
    hostSet.healthChanged();
    assert.equal(await servedBy(port), 'b');
    assert.equal(await servedBy(port, { headers: { 'x-pin': 'a' } }), 'b', 'the unhealthy host is not pinned to');
    hostSet.hosts[0].healthy = true;
    hostSet.healthChanged();
    assert.equal(await servedBy(port), 'a');
  });

  it("is refused when its lbconfig fails the plugin's configSchema, naming the path", async () => {
    const problems = await refusal(httpProxyConfig(ROUTES, [pinnedCluster({ lbconfig: { header: '' } })], { dir: pluginsDir }));
    assert.equal(problems.length, 1);
    assert.match(problems[0], /^cluster_manager\.clusters\[0\]\.lbconfig\.header: /);
  });

  it('is refused when the factory throws a ConfigError, with the path under lbconfig', async () => {
    const problems = await refusal(httpProxyConfig(ROUTES, [pinnedCluster({ lbconfig: { header: 'Host' } })], { dir: pluginsDir }));
    assert.deepEqual(problems, ['cluster_manager.clusters[0].lbconfig.header: cannot pin on the host header']);
  });

  it('an unknown lb_type is refused with its path, listing the built-in and plugin lb_types', async () => {
    const problems = await refusal(httpProxyConfig(ROUTES, [pinnedCluster({ lb_type: 'LB_FASTEST' })], { dir: pluginsDir }));
    assert.equal(problems.length, 1);
    assert.match(problems[0], /^cluster_manager\.clusters\[0\]\.lb_type: unknown lb_type "LB_FASTEST" \(built in: LB_RANDOM, LB_ROUNDROBIN, .*LB_MAGLEV.*; from plugins: LB_HEADER_PIN\)$/);
  });

  it('the SDK test harness loads it and builds its balancer', async () => {
    const plugin = await loadPluginForTest(`${pluginsDir}/lb_header_pin`);
    const factory = plugin.factory<LoadBalancerFactory<{ header: string }>>('load_balancer', 'LB_HEADER_PIN');
    const set = hostSetOf([1, 1]);
    const lb = factory.createLoadBalancer(set, { clusterName: 'c', lbType: 'LB_HEADER_PIN', config: { header: 'x-pin' }, cluster: {} });
    assert.equal(lb.chooseHost(), set.hosts[0]);
    assert.equal(plugin.validateConfig('load_balancer', 'LB_HEADER_PIN', {}).length, 1);
    await plugin.dispose();
  });
});

describe('lb_type checks without plugins', () => {
  it('LB_ORIGINAL_DST is refused with the reason; a bad choice_count is refused by the schema', async () => {
    const problems = await refusal(
      httpProxyConfig(ROUTES, [
        cluster('a', ['127.0.0.1:1'], { lb_type: 'LB_ORIGINAL_DST' }),
        cluster('b', ['127.0.0.1:1'], { lb_type: 'LB_FASTEST' }),
      ]),
    );
    assert.equal(problems[0], 'cluster_manager.clusters[0].lb_type: "LB_ORIGINAL_DST" is not supported: needs ORIGINAL_DST clusters, which mosn-ts does not support yet');
    assert.match(problems[1], /^cluster_manager\.clusters\[1\]\.lb_type: unknown lb_type "LB_FASTEST" \(built in: .*; from plugins: none\)$/);
    await assert.rejects(
      startMosn(httpProxyConfig(ROUTES, [cluster('a', ['127.0.0.1:1'], { lb_type: 'LB_LEAST_REQUEST', lbconfig: { choice_count: 0 } })])),
      (err: Error) => /cluster_manager\.clusters\[0\]\.lbconfig\.choice_count/.test(err.message),
    );
  });

  it('a plugin cannot take a built-in lb_type name: the registry refuses it, naming the kernel', () => {
    const registry = new FactoryRegistry();
    registerBuiltinBalancers(registry, 'kernel', 'test');
    const factory: LoadBalancerFactory = { createLoadBalancer: () => ({ chooseHost: () => undefined }) };
    assert.throws(
      () => registry.registerAll([{ kind: 'load_balancer', name: 'LB_RANDOM', factory, pluginName: 'evil', pluginVersion: '1.0.0', validateConfig: () => [] }]),
      (err: unknown) => err instanceof FactoryConflictError && err.message === 'load_balancer "LB_RANDOM" is already registered by plugin "kernel"',
    );
    assert.ok(registry.names('load_balancer').includes('LB_ORIGINAL_DST'), 'refused built-ins are reserved too');
  });

  it("a plugin balancer that throws or answers a foreign host: logged once, the request goes to a random healthy host", () => {
    const set = hostSetOf([1, 1, 1]);
    const logger = createTestLogger();
    let mode: 'throw' | 'foreign' | 'ok' = 'throw';
    const foreign = hostSetOf([1]).hosts[0];
    const lb = new PluginBalancer(
      {
        chooseHost: () => {
          if (mode === 'throw') throw new Error('boom');
          return mode === 'foreign' ? foreign : set.hosts[2];
        },
      },
      set,
      'p',
      'LB_X',
      logger,
    );
    for (let i = 0; i < 50; i++) assert.ok(set.hosts.includes(lb.chooseHost()!));
    mode = 'foreign';
    for (let i = 0; i < 50; i++) assert.notEqual(lb.chooseHost(), foreign);
    mode = 'ok';
    assert.equal(lb.chooseHost(), set.hosts[2]);
    assert.equal(lb.failures, 100);
    const warnings = logger.records.filter((l) => l.level === 'warn');
    assert.equal(warnings.length, 1, 'rate-limited');
    assert.match(String(warnings[0].msg), /load balancer threw; a random healthy host serves instead/);
  });
});
