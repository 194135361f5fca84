import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { startAdmin, type AdminFixture } from './admin-fixture';

const PEM = '-----BEGIN PRIVATE KEY-----\nsecret\n-----END PRIVATE KEY-----';

/** A config in MOSN's file shape, with private keys at several depths. */
function mosnConfig(): Record<string, unknown> {
  return {
    servers: [
      {
        default_log_path: 'stdout',
        default_log_level: 'INFO',
        routers: [{ router_config_name: 'server_router', virtual_hosts: [{ name: 'vh', domains: ['*'] }] }],
        listeners: [
          {
            name: 'serverListener',
            address: '127.0.0.1:2046',
            filter_chains: [{ tls_context: { status: true, cert_chain: 'CERT', private_key: PEM }, filters: [] }],
          },
          { name: 'egress', address: '127.0.0.1:2047' },
        ],
      },
    ],
    cluster_manager: {
      tls_context: { private_key: PEM },
      clusters: [
        { name: 'serverCluster', type: 'SIMPLE', hosts: [{ address: '127.0.0.1:8080', tls: { private_key: PEM } }] },
        { name: 'empty_key', tls_context: { private_key: '' } },
      ],
    },
    admin: { address: { socket_address: { address: '127.0.0.1', port_value: 34901 } } },
    extends: [{ type: 'dubbo_registry', config: { private_key: PEM } }],
  };
}

describe('GET /api/v1/config_dump', () => {
  let admin: AdminFixture;
  const config = mosnConfig();
  const original = JSON.stringify(config);

  before(async () => {
    admin = await startAdmin({ configDump: () => config });
  });
  after(() => admin.close());

  async function get(query: string): Promise<{ status: number; text: string }> {
    const res = await fetch(`${admin.base}/api/v1/config_dump${query}`);
    return { status: res.status, text: await res.text() };
  }

  it('dumps MOSN effective config (compact) with secrets redacted and the source untouched', async () => {
    const { status, text } = await get('');
    assert.equal(status, 200);
    assert.ok(!text.includes('\n'), 'compact JSON');
    assert.ok(!text.includes('secret'), 'no key material');
    const dump = JSON.parse(text);
    assert.deepEqual(Object.keys(dump).sort(), ['cluster', 'extends', 'listener', 'mosn_config', 'routers']);
    assert.deepEqual(Object.keys(dump.listener).sort(), ['egress', 'serverListener']);
    assert.equal(dump.listener.serverListener.filter_chains[0].tls_context.private_key, '[redacted]');
    assert.equal(dump.listener.serverListener.filter_chains[0].tls_context.cert_chain, 'CERT');
    assert.equal(dump.cluster.serverCluster.hosts[0].tls.private_key, '[redacted]');
    assert.equal(dump.cluster.empty_key.tls_context.private_key, '', 'an empty key stays empty');
    assert.equal(dump.extends[0].config.private_key, '[redacted]');
    assert.equal(dump.mosn_config.cluster_manager.tls_context.private_key, '[redacted]');
    assert.deepEqual(dump.mosn_config.servers[0], { default_log_path: 'stdout', default_log_level: 'INFO' });
    assert.deepEqual(dump.mosn_config.admin, config.admin);
    assert.equal(JSON.stringify(config), original, 'configDump() result not modified');
  });

  it('?mosnconfig shows the config without listeners, routers, clusters, extends (one-space indent)', async () => {
    const { status, text } = await get('?mosnconfig');
    assert.equal(status, 200);
    assert.match(text, /^\{\n "/);
    const view = JSON.parse(text);
    assert.equal(view.extends, undefined);
    assert.equal(view.servers[0].listeners, undefined);
    assert.equal(view.servers[0].routers, undefined);
    assert.deepEqual(view.cluster_manager, { tls_context: { private_key: '[redacted]' } });
  });

  it('?alllisteners / ?allclusters / ?allrouters map names to configs', async () => {
    const listeners = JSON.parse((await get('?alllisteners')).text);
    assert.deepEqual(Object.keys(listeners).sort(), ['egress', 'serverListener']);
    assert.equal(listeners.egress.address, '127.0.0.1:2047');
    const clusters = JSON.parse((await get('?allclusters')).text);
    assert.deepEqual(Object.keys(clusters).sort(), ['empty_key', 'serverCluster']);
    const routers = JSON.parse((await get('?allrouters')).text);
    assert.deepEqual(Object.keys(routers), ['server_router']);
    assert.equal(routers.server_router.virtual_hosts[0].name, 'vh');
  });

  it('?listener= / ?cluster= / ?router= show one entry', async () => {
    const listener = JSON.parse((await get('?listener=serverListener')).text);
    assert.equal(listener.name, 'serverListener');
    assert.equal(listener.filter_chains[0].tls_context.private_key, '[redacted]');
    assert.equal(JSON.parse((await get('?cluster=serverCluster')).text).type, 'SIMPLE');
    assert.equal(JSON.parse((await get('?router=server_router')).text).router_config_name, 'server_router');
  });

  it('answers 404 for an unknown name', async () => {
    const res = await get('?cluster=nope');
    assert.equal(res.status, 404);
    assert.match(JSON.parse(res.text).error, /cluster "nope" not found/);
    assert.equal((await get('?listener=__proto__')).status, 404);
  });

  it('answers 400 for two parameters and 500 for an unknown one, as MOSN does', async () => {
    const two = await get('?allclusters&alllisteners');
    assert.equal(two.status, 400);
    assert.equal(two.text, 'only support one parameter');
    const unknown = await get('?bogus=1');
    assert.equal(unknown.status, 500);
    assert.deepEqual(JSON.parse(unknown.text), { error: 'internal error' });
  });
});
