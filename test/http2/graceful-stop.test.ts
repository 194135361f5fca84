import assert from 'node:assert/strict';
import * as http from 'node:http';
import type * as http2 from 'node:http2';
import { describe, it } from 'node:test';
import { cluster, startMosn } from '../support/mosn-harness';
import { h2Connect, h2Request, proxyServer, startH2Upstream } from '../support/h2-peers';
import { startHttpUpstream } from '../support/http-upstreams';

describe('graceful stop: the listener drains its connections politely', { timeout: 20_000 }, () => {
  it('HTTP/2: the client gets GOAWAY at once, its request in flight still completes, new streams are refused', async () => {
    const held: http2.ServerHttp2Stream[] = [];
    let heldArrived!: () => void;
    const arrived = new Promise<void>((resolve) => (heldArrived = resolve));
    const upstream = await startH2Upstream((stream, headers) => {
      if (headers[':path'] === '/held') {
        held.push(stream);
        heldArrived();
        return;
      }
      stream.respond({ ':status': 200 });
      stream.end('ok');
    });
    const mosn = await startMosn({ servers: [proxyServer('Http2', 'Http2', 'h2')], cluster_manager: { clusters: [cluster('h2', [upstream.address])] } });
    const session = await h2Connect(mosn.address('proxy').port);
    try {
      const inFlight = h2Request(session, { ':method': 'GET', ':path': '/held' });
      await arrived;
      const goaway = new Promise<number>((resolve) => session.once('goaway', (code: number) => resolve(code)));
      const stopping = mosn.stop(10_000);
      assert.equal(await goaway, 0, 'GOAWAY with NO_ERROR');
      // The stream accepted before GOAWAY is served to the end.
      held[0].respond({ ':status': 200 });
      held[0].end('late but whole');
      const res = await inFlight;
      assert.equal(res.status, 200);
      assert.equal(res.body.toString(), 'late but whole');
      await stopping;
      assert.ok(session.closed || session.destroyed, 'the proxy closed the session once its streams were done');
    } finally {
      session.destroy();
      await upstream.close();
    }
  });

  it('HTTP/1.1: an idle keep-alive connection is closed at once instead of waiting for the graceful timeout', async () => {
    const upstream = await startHttpUpstream('u');
    const mosn = await startMosn({ servers: [proxyServer('Http1', 'Http1', 'h1')], cluster_manager: { clusters: [cluster('h1', [upstream.address])] } });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const port = mosn.address('proxy').port;
      // Wrapped in an object: resolving with a bare promise would wait for the close itself.
      const { socketClosed } = await new Promise<{ socketClosed: Promise<void> }>((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
          res.resume();
          res.on('end', () => resolve({ socketClosed: new Promise<void>((done) => req.socket!.once('close', () => done())) }));
        });
        req.on('error', reject);
      });
      const started = Date.now();
      // A 10 s graceful timeout: only the drain notice can close the idle connection quickly.
      await Promise.all([mosn.stop(10_000), socketClosed]);
      assert.ok(Date.now() - started < 5_000, `drained in ${Date.now() - started} ms`);
    } finally {
      agent.destroy();
      await upstream.close();
    }
  });
});
