import assert from 'node:assert/strict';
import * as net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { cluster, startMosn, tcpProxyListener, type RunningMosn } from '../support/mosn-harness';
import { closed, connect, freePort, readBytes, startEchoServer, startTcpServer, type TestServer } from '../support/tcp-peers';

const MiB = 1024 * 1024;

async function metricValue(mosn: RunningMosn, pattern: RegExp): Promise<number> {
  const text = await (await fetch(`${mosn.adminBase}/metrics`)).text();
  const m = pattern.exec(text);
  assert.ok(m, `no metric matching ${pattern} in:\n${text}`);
  return Number(m[1]);
}

describe('tcp_proxy: failures, timeouts and backpressure', () => {
  let echo: TestServer;
  let firehose: TestServer;
  /** Bytes the firehose upstream managed to hand to its socket. */
  let firehoseSent = 0;
  let mosn: RunningMosn;
  const BUFFER_LIMIT = 256 * 1024;

  before(async () => {
    echo = await startEchoServer();
    // Writes as fast as the connection takes it, honouring its own backpressure.
    firehose = await startTcpServer((socket) => {
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const pump = (): void => {
        while (!socket.destroyed) {
          firehoseSent += chunk.length;
          if (!socket.write(chunk)) {
            socket.once('drain', pump);
            return;
          }
        }
      };
      pump();
    });
    const refused = await freePort();
    mosn = await startMosn({
      servers: [
        {
          listeners: [
            tcpProxyListener('refused', { cluster: 'refused' }),
            tcpProxyListener('idle', { cluster: 'echo' }, { connection_idle_timeout: '300ms' }),
            tcpProxyListener('proxy_idle', { cluster: 'echo', idle_timeout: '300ms' }),
            tcpProxyListener('echo', { cluster: 'echo' }),
            tcpProxyListener('firehose', { cluster: 'firehose' }, { per_connection_buffer_limit_bytes: BUFFER_LIMIT }),
          ],
        },
      ],
      cluster_manager: {
        clusters: [
          cluster('refused', [`127.0.0.1:${refused}`]),
          cluster('echo', [echo.address]),
          cluster('firehose', [firehose.address], { conn_buffer_limit_bytes: BUFFER_LIMIT }),
        ],
      },
    });
  });

  after(async () => {
    await mosn.stop();
    await echo.close();
    await firehose.close();
  });

  it('closes the downstream when the upstream refuses, and counts it in /metrics', async () => {
    const before = await metricValue(mosn, /^upstream_connection_con_fail\{cluster="refused"\} (\d+)/m);
    const s = await connect(mosn.address('refused').port);
    s.on('error', () => undefined); // a reset is an acceptable way to be closed here
    s.write('hello?');
    const got: Buffer[] = [];
    s.on('data', (d: Buffer) => got.push(d));
    await closed(s);
    assert.equal(Buffer.concat(got).length, 0);
    assert.equal(await metricValue(mosn, /^upstream_connection_con_fail\{cluster="refused"\} (\d+)/m), before + 1);
    assert.ok((await metricValue(mosn, /^downstream_connection_destroy\{listener="refused"\} (\d+)/m)) >= 1);
  });

  it('closes a connection idle longer than the listener connection_idle_timeout', async () => {
    const s = await connect(mosn.address('idle').port);
    const t0 = Date.now();
    await closed(s);
    const waited = Date.now() - t0;
    assert.ok(waited >= 250 && waited < 5000, `closed after ${waited} ms`);
  });

  it('closes a connection idle longer than tcp_proxy idle_timeout, not one in use', async () => {
    const s = await connect(mosn.address('proxy_idle').port);
    // Activity every 100 ms for 600 ms keeps it open past the 300 ms idle timeout.
    let lastActivity = 0;
    for (let i = 0; i < 6; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 100));
      s.write('x');
      await readBytes(s, 1);
      lastActivity = Date.now();
    }
    assert.equal(s.readableEnded, false);
    await closed(s);
    const idle = Date.now() - lastActivity;
    assert.ok(idle >= 250 && idle < 5000, `closed ${idle} ms after the last byte`);
  });

  it('keeps memory bounded for a client that stops reading, and serves others meanwhile', async () => {
    const slow = net.connect({ port: mosn.address('firehose').port, host: '127.0.0.1' });
    slow.pause(); // never reads
    await new Promise<void>((r) => slow.once('connect', () => r()));
    // Wait until the upstream has stalled: its sent count stops growing.
    let last = -1;
    while (firehoseSent !== last) {
      last = firehoseSent;
      await new Promise((r) => setTimeout(r, 300));
    }
    const conns = [...mosn.server.listeners.find((l) => l.name === 'firehose')!.connections];
    assert.equal(conns.length, 1);
    const proxyHeld = conns[0].writeBuffered + conns[0].readBuffered;
    assert.ok(proxyHeld <= BUFFER_LIMIT + 256 * 1024, `proxy holds ${proxyHeld} bytes for the slow reader`);
    // Kernel socket buffers on two loopback hops hold some MiB; the rest never left the upstream.
    assert.ok(firehoseSent < 40 * MiB, `upstream pushed ${(firehoseSent / MiB).toFixed(1)} MiB before stalling`);

    const other = await connect(mosn.address('echo').port);
    other.write('still served');
    assert.equal((await readBytes(other, 12)).toString(), 'still served');
    other.destroy();

    // Once the slow client reads again, data flows again.
    const before = firehoseSent;
    slow.resume();
    await readBytes(slow, 8 * MiB);
    assert.ok(firehoseSent > before);
    slow.destroy();
  });
});
