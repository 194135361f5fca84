import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { cluster, startMosn, type RunningMosn } from '../support/mosn-harness';
import { request, startHttpUpstream, type Echoed, type HttpUpstream } from '../support/http-upstreams';
import { buildFixturePlugin, copyRepoPlugin, tempPluginsDir } from '../support/plugin-dirs';

describe('stream filters from a plugin bundle', () => {
  let pluginsDir: string;
  let upstream: HttpUpstream;
  let mosn: RunningMosn;
  let port: number;
  const agent = new http.Agent({ keepAlive: true });

  before(async () => {
    pluginsDir = tempPluginsDir();
    copyRepoPlugin('http1', pluginsDir);
    buildFixturePlugin('test_stream_filters', pluginsDir);
    upstream = await startHttpUpstream('u');
    mosn = await startMosn({
      plugins: { dir: pluginsDir },
      servers: [
        {
          routers: [
            {
              router_config_name: 'r',
              virtual_hosts: [
                {
                  name: 'all',
                  domains: ['*'],
                  routers: [
                    // Routing sees the header the BeforeRoute filter added.
                    { match: { prefix: '/', headers: [{ name: 'x-stamp', value: 'from-filter' }] }, route: { cluster_name: 'u' } },
                  ],
                },
              ],
            },
          ],
          listeners: [
            {
              name: 'http',
              address: '127.0.0.1:0',
              stream_filters: [
                { type: 'stamp', config: { value: 'from-filter' } },
                { type: 'gatekeeper' },
                { type: 'pause' },
                { type: 'thrower' },
              ],
              filter_chains: [{ filters: [{ type: 'proxy', config: { downstream_protocol: 'Http1', router_config_name: 'r' } }] }],
            },
          ],
        },
      ],
      cluster_manager: { clusters: [cluster('u', [upstream.address])] },
    });
    port = mosn.address('http').port;
  });

  after(async () => {
    agent.destroy();
    await mosn.stop();
    await upstream.close();
    fs.rmSync(pluginsDir, { recursive: true, force: true });
  });

  it('modifies request and response headers (and routing sees the change)', async () => {
    const r = await request(port, { path: '/x', agent });
    assert.equal(r.status, 200);
    assert.equal((JSON.parse(r.body.toString()) as Echoed).headers['x-stamp'], 'from-filter');
    assert.equal(r.headers['x-stamp'], 'from-filter');
  });

  it('answers a request locally', async () => {
    const before = upstream.requests;
    const r = await request(port, { path: '/x', headers: { 'x-deny': '1' }, agent });
    assert.equal(r.status, 403);
    assert.equal(r.body.toString(), 'denied by gatekeeper\n');
    assert.equal(r.headers['x-denied-by'], 'gatekeeper');
    assert.equal(upstream.requests, before);
  });

  it('stops a request and resumes it later', async () => {
    const t0 = Date.now();
    const r = await request(port, { path: '/x', headers: { 'x-pause-ms': '150' }, agent });
    assert.equal(r.status, 200);
    assert.ok(Date.now() - t0 >= 140);
    assert.equal((JSON.parse(r.body.toString()) as Echoed).headers['x-paused'], '150');
  });

  it('a filter that throws gives 500 to that request only', async () => {
    const [bad, good] = await Promise.all([
      request(port, { path: '/x', headers: { 'x-throw': '1' } }),
      request(port, { path: '/y', agent }),
    ]);
    assert.equal(bad.status, 500);
    assert.equal(good.status, 200);
    const again = await request(port, { path: '/z', agent });
    assert.equal(again.status, 200);
    assert.ok(mosn.logLines().some((l) => l.level === 'error' && String(l.msg).includes('stream filter threw')));
  });
});
