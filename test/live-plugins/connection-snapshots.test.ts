import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { PluginLoadReport } from '../../core/host/plugin-host';
import { networkFilters, writeBuiltPlugin } from '../host/plugin-fixture';
import { replyPluginSource } from '../host/reload-fixture';
import { startHttpUpstream, type HttpUpstream } from '../support/http-upstreams';
import { cluster, startMosn, type RunningMosn } from '../support/mosn-harness';
import { copyRepoPlugin, tempPluginsDir } from '../support/plugin-dirs';
import { connect, readBytes } from '../support/tcp-peers';
import { get, httpListener, waitUntil } from './live-fixture';

describe('connections keep the listener build they were accepted with', { timeout: 60_000 }, () => {
  let pluginsDir: string;
  let upstream: HttpUpstream;
  let mosn: RunningMosn;

  const plugin = async (name: string): Promise<PluginLoadReport> =>
    ((await (await fetch(`${mosn.adminBase}/api/v1/plugins`)).json()) as { plugins: PluginLoadReport[] }).plugins.find((p) => p.name === name)!;
  const reload = async (names?: string[]) => {
    const res = await fetch(`${mosn.adminBase}/api/v1/plugins/reload`, { method: 'POST', body: names ? JSON.stringify({ names }) : '' });
    assert.equal(res.status, 200, await res.text());
  };

  before(async () => {
    pluginsDir = tempPluginsDir();
    copyRepoPlugin('http1', pluginsDir);
    await writeBuiltPlugin(pluginsDir, { name: 'replier', provides: networkFilters('reply'), source: replyPluginSource('reply', 'v1') });
    upstream = await startHttpUpstream('u');
    mosn = await startMosn({
      plugins: { dir: pluginsDir, watch: false },
      servers: [
        {
          routers: [{ router_config_name: 'r', virtual_hosts: [{ name: 'all', domains: ['*'], routers: [{ match: { prefix: '/' }, route: { cluster_name: 'u' } }] }] }],
          listeners: [
            // The reply filter ignores the client's FIN, so the idle timeout is what closes a connection.
            { name: 'reply', address: '127.0.0.1:0', connection_idle_timeout: '1s', filter_chains: [{ filters: [{ type: 'reply' }] }] },
            httpListener('http'),
          ],
        },
      ],
      cluster_manager: { clusters: [cluster('u', [upstream.address])] },
    });
  });

  after(async () => {
    await mosn.stop();
    await upstream.close();
    fs.rmSync(pluginsDir, { recursive: true, force: true });
  });

  it('a network filter plugin swap: the open connection stays on v1, a new one gets v2; v1 goes with its last connection', async () => {
    const a = await connect(mosn.address('reply').port);
    a.write('x');
    assert.equal((await readBytes(a, 2)).toString(), 'v1');

    await writeBuiltPlugin(pluginsDir, { name: 'replier', version: '2.0.0', provides: networkFilters('reply'), source: replyPluginSource('reply', 'v2') });
    await reload();
    a.write('x');
    assert.equal((await readBytes(a, 2)).toString(), 'v1');
    const b = await connect(mosn.address('reply').port);
    b.write('x');
    assert.equal((await readBytes(b, 2)).toString(), 'v2');
    assert.deepEqual((await plugin('replier')).draining, [{ generation: 1, version: '1.0.0', refCount: 1 }]);

    a.destroy();
    await waitUntil(async () => (await plugin('replier')).draining.length === 0, 5000, 'generation 1 to be disposed');
    assert.ok(mosn.logLines().some((l) => l.msg === 'plugin "replier" generation 1 (1.0.0) disposed'));
    b.destroy();
  });

  it('a protocol plugin reload (http1): a kept-alive connection finishes on its codec, new connections get the new one', async () => {
    const old = new http.Agent({ keepAlive: true, maxSockets: 1 });
    assert.equal((await get(mosn.address('http').port, old)).status, 200);
    await reload(['http1']);
    assert.equal((await plugin('http1')).generation, 2);
    // The old connection still works on generation 1, which it keeps alive.
    assert.equal((await get(mosn.address('http').port, old)).status, 200);
    assert.deepEqual((await plugin('http1')).draining, [{ generation: 1, version: '1.0.0', refCount: 1 }]);
    const fresh = new http.Agent({ keepAlive: true, maxSockets: 1 });
    assert.equal((await get(mosn.address('http').port, fresh)).status, 200);
    old.destroy();
    await waitUntil(async () => (await plugin('http1')).draining.length === 0, 5000, 'http1 generation 1 to be disposed');
    fresh.destroy();
  });
});
