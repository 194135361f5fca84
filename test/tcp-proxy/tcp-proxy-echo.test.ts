import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cluster, startMosn, tcpProxyListener, type RunningMosn } from '../support/mosn-harness';
import { closed, connect, readAll, readBytes, startEchoServer, startTcpServer, type TestServer } from '../support/tcp-peers';

describe('tcp_proxy: bytes both ways through a real upstream', () => {
  let echo: TestServer;
  let counter: TestServer;
  let mosn: RunningMosn;

  before(async () => {
    echo = await startEchoServer();
    // Replies with the number of bytes it received, only after the client's FIN: proves the
    // half-close reached the upstream while the downstream could still read.
    counter = await startTcpServer((socket) => {
      let n = 0;
      socket.on('data', (d: Buffer) => (n += d.length));
      socket.on('end', () => socket.end(`received ${n}`));
    });
    mosn = await startMosn({
      servers: [
        {
          listeners: [
            tcpProxyListener('echo', { cluster: 'echo' }),
            tcpProxyListener('counter', { cluster: 'counter' }),
          ],
        },
      ],
      cluster_manager: { clusters: [cluster('echo', [echo.address]), cluster('counter', [counter.address])] },
    });
  });

  after(async () => {
    await mosn.stop();
    await echo.close();
    await counter.close();
  });

  it('echoes 1 byte', async () => {
    const s = await connect(mosn.address('echo').port);
    s.write(Buffer.from([0x2a]));
    const got = await readBytes(s, 1);
    assert.deepEqual([...got], [0x2a]);
    s.destroy();
  });

  it('echoes 10 MiB intact', async () => {
    const payload = randomBytes(10 * 1024 * 1024);
    const s = await connect(mosn.address('echo').port);
    const received = readAll(s);
    s.end(payload);
    const got = await received;
    assert.equal(got.length, payload.length);
    assert.equal(createHash('sha256').update(got).digest('hex'), createHash('sha256').update(payload).digest('hex'));
  });

  it('carries a half-close: the upstream sees FIN and can still answer', async () => {
    const s = await connect(mosn.address('counter').port);
    const received = readAll(s);
    s.write('abc');
    s.end('defg');
    assert.equal((await received).toString(), 'received 7');
    await closed(s);
  });

  it('counts downstream and upstream connections and bytes in /metrics', async () => {
    const s = await connect(mosn.address('echo').port);
    s.write('metrics!');
    await readBytes(s, 8);
    s.destroy();
    const text = await (await fetch(`${mosn.adminBase}/metrics`)).text();
    assert.match(text, /^downstream_connection_total\{listener="echo"\} [1-9]/m);
    assert.match(text, /^downstream_bytes_read_total\{listener="echo"\} [1-9]/m);
    assert.match(text, /^upstream_connection_total\{cluster="echo"\} [1-9]/m);
    assert.match(text, /^upstream_connection_bytes_write\{cluster="echo"\} [1-9]/m);
  });
});

describe('tcp_proxy: unix sockets', () => {
  it('serves a unix-socket listener and proxies to a unix-socket host', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mosn-uds-'));
    const upstreamPath = path.join(dir, 'upstream.sock');
    const listenPath = path.join(dir, 'listen.sock');
    const upstream = net.createServer((s) => s.pipe(s));
    await new Promise<void>((r) => upstream.listen(upstreamPath, r));
    const mosn = await startMosn({
      servers: [{ listeners: [{ ...tcpProxyListener('uds', { cluster: 'uds' }), address: `unix:${listenPath}` }] }],
      cluster_manager: { clusters: [cluster('uds', [`unix:${upstreamPath}`])] },
    });
    try {
      const s = net.connect({ path: listenPath });
      s.write('over unix');
      assert.equal((await readBytes(s, 9)).toString(), 'over unix');
      s.destroy();
    } finally {
      await mosn.stop();
      await new Promise<void>((r) => upstream.close(() => r()));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
