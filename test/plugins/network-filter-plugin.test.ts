import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PLUGIN_API_VERSION } from '../../plugin-sdk';
import { cluster, startMosn, type RunningMosn } from '../support/mosn-harness';
import { buildFixturePlugin, copyRepoPlugin, editManifest, tempPluginsDir } from '../support/plugin-dirs';
import { closed, connect, readBytes, startEchoServer, startTcpServer, type TestServer } from '../support/tcp-peers';

/** An authorization server whose answers the test releases by hand. */
async function startAuthz() {
  const pending: { line: string; answer(word: string): void }[] = [];
  const waiters: ((p: { line: string; answer(word: string): void }) => void)[] = [];
  const server = await startTcpServer((socket) => {
    let line = '';
    socket.on('data', (d: Buffer) => (line += d.toString()));
    socket.on('end', () => {
      const request = { line, answer: (word: string) => socket.end(word) };
      const waiter = waiters.shift();
      if (waiter) waiter(request);
      else pending.push(request);
    });
  });
  return {
    server,
    /** Resolves with the next request the gate sends. */
    next: () => new Promise<{ line: string; answer(word: string): void }>((resolve) => {
      const p = pending.shift();
      if (p) resolve(p);
      else waiters.push(resolve);
    }),
  };
}

describe('a network filter from a plugin bundle built by mosn-plugin build', () => {
  let pluginsDir: string;
  let echo: TestServer;
  let authz: Awaited<ReturnType<typeof startAuthz>>;
  let mosn: RunningMosn;

  before(async () => {
    pluginsDir = tempPluginsDir();
    const gate = buildFixturePlugin('authz_gate', pluginsDir);
    const manifest = JSON.parse(fs.readFileSync(path.join(gate, 'plugin.json'), 'utf8')) as { sha256?: string };
    assert.match(manifest.sha256 ?? '', /^[0-9a-f]{64}$/, 'mosn-plugin build wrote the bundle sha256');
    copyRepoPlugin('tcp_proxy', pluginsDir);
    echo = await startEchoServer();
    authz = await startAuthz();
    mosn = await startMosn({
      plugins: { dir: pluginsDir },
      servers: [
        {
          listeners: [
            {
              name: 'gated',
              address: '127.0.0.1:0',
              filter_chains: [
                {
                  filters: [
                    { type: 'authz_gate', config: { authz_port: authz.server.port } },
                    { type: 'tcp_proxy', config: { cluster: 'echo' } },
                  ],
                },
              ],
            },
          ],
        },
      ],
      cluster_manager: { clusters: [cluster('echo', [echo.address])] },
    });
  });

  after(async () => {
    await mosn.stop();
    await echo.close();
    await authz.server.close();
    fs.rmSync(pluginsDir, { recursive: true, force: true });
  });

  it('sees the bytes, stops the chain, and resumes it later with every held byte', async () => {
    const s = await connect(mosn.address('gated').port);
    s.write('user=alice\npayload-1');
    const request = await authz.next();
    assert.equal(request.line, 'user=alice\n', 'the filter saw the first line');
    assert.equal(echo.bytesIn, 0, 'nothing reached the upstream while the chain was stopped');
    request.answer('ok');
    assert.equal((await readBytes(s, 20)).toString(), 'user=alice\npayload-1');
    s.write('+more');
    assert.equal((await readBytes(s, 5)).toString(), '+more');
    s.destroy();
  });

  it('closes the connection when the filter refuses it, and nothing reaches the upstream', async () => {
    const before = echo.bytesIn;
    const s = await connect(mosn.address('gated').port);
    s.on('error', () => undefined);
    s.write('user=mallory\nsecret');
    const request = await authz.next();
    assert.equal(request.line, 'user=mallory\n');
    request.answer('no');
    await closed(s);
    assert.equal(echo.bytesIn, before);
  });
});

describe('plugin bundles refused at start', () => {
  it('refuses an engines mismatch and a sha256 mismatch by name, and loads the others', async () => {
    const pluginsDir = tempPluginsDir();
    copyRepoPlugin('tcp_proxy', pluginsDir);
    const future = buildFixturePlugin('authz_gate', pluginsDir, 'future_gate');
    editManifest(future, (m) => {
      m.name = 'future_gate';
      m.engines = { mosn: '>=2.0.0' };
    });
    const tampered = copyRepoPlugin('direct_response', pluginsDir, 'tampered');
    editManifest(tampered, (m) => (m.name = 'tampered'));
    fs.appendFileSync(path.join(tampered, 'dist', 'index.js'), '\n// changed after build\n');
    const echo = await startEchoServer();
    const mosn = await startMosn({
      plugins: { dir: pluginsDir },
      servers: [{ listeners: [{ name: 'l', address: '127.0.0.1:0', filter_chains: [{ filters: [{ type: 'tcp_proxy', config: { cluster: 'echo' } }] }] }] }],
      cluster_manager: { clusters: [cluster('echo', [echo.address])] },
    });
    try {
      const byName = new Map(mosn.server.plugins.list().map((r) => [r.name, r]));
      assert.equal(byName.get('tcp_proxy')?.state, 'loaded');
      const f = byName.get('future_gate');
      assert.equal(f?.state, 'refused');
      assert.match(f!.error!, /future_gate/);
      assert.match(f!.error!, />=2\.0\.0/);
      assert.ok(f!.error!.includes(`kernel provides ${PLUGIN_API_VERSION}`), f!.error);
      const t = byName.get('tampered');
      assert.equal(t?.state, 'refused');
      assert.match(t!.error!, /tampered/);
      assert.match(t!.error!, /sha256/);
      const logged = mosn.logLines().filter((l) => l.level === 'error').map((l) => String(l.msg));
      assert.ok(logged.some((m) => m.includes('future_gate') && m.includes('>=2.0.0')), logged.join('\n'));
      assert.ok(logged.some((m) => m.includes('tampered') && m.includes('sha256')), logged.join('\n'));
      // The loaded plugin works.
      const s = await connect(mosn.address('l').port);
      s.write('ping');
      assert.equal((await readBytes(s, 4)).toString(), 'ping');
      s.destroy();
    } finally {
      await mosn.stop();
      await echo.close();
      fs.rmSync(pluginsDir, { recursive: true, force: true });
    }
  });
});

