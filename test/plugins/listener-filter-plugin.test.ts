import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { cluster, startMosn, tcpProxyListener, type RunningMosn } from '../support/mosn-harness';
import { buildFixturePlugin, copyRepoPlugin, tempPluginsDir } from '../support/plugin-dirs';
import { closed, connect, readBytes, startEchoServer, type TestServer } from '../support/tcp-peers';

describe('a listener filter from a plugin bundle', () => {
  let pluginsDir: string;
  let echo: TestServer;
  let mosn: RunningMosn;

  before(async () => {
    pluginsDir = tempPluginsDir();
    copyRepoPlugin('tcp_proxy', pluginsDir);
    buildFixturePlugin('test_listener_filter', pluginsDir);
    echo = await startEchoServer();
    mosn = await startMosn({
      plugins: { dir: pluginsDir },
      servers: [
        {
          listeners: [
            tcpProxyListener('allowed', { cluster: 'echo' }, { listener_filters: [{ type: 'accept_gate', config: { allow: true, original_dst: '10.1.2.3:80' } }] }),
            tcpProxyListener('denied', { cluster: 'echo' }, { listener_filters: [{ type: 'accept_gate', config: { allow: false } }] }),
          ],
        },
      ],
      cluster_manager: { clusters: [cluster('echo', [echo.address])] },
    });
  });

  after(async () => {
    await mosn.stop();
    await echo.close();
    fs.rmSync(pluginsDir, { recursive: true, force: true });
  });

  it('stops on accept and continues later: the connection then runs its network filters', async () => {
    const s = await connect(mosn.address('allowed').port);
    s.write('through the gate');
    assert.equal((await readBytes(s, 16)).toString(), 'through the gate');
    const conn = [...mosn.server.listeners.find((l) => l.name === 'allowed')!.connections][0];
    assert.equal(conn.originalDestination, '10.1.2.3:80');
    s.destroy();
  });

  it('closes the socket when the filter refuses it; no connection is created', async () => {
    const before = echo.accepted;
    const s = await connect(mosn.address('denied').port);
    s.on('error', () => undefined);
    s.write('let me in');
    await closed(s);
    assert.equal(echo.accepted, before);
    assert.equal(mosn.server.listeners.find((l) => l.name === 'denied')!.connections.size, 0);
  });
});
