import assert from 'node:assert/strict';
import { randomBytes, createHash } from 'node:crypto';
import * as http2 from 'node:http2';
import { after, before, describe, it } from 'node:test';
import { cluster, startMosn, type RunningMosn } from '../support/mosn-harness';
import { h2Close, h2Connect, h2Request, proxyServer, startH2Upstream, type H2Upstream } from '../support/h2-peers';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** /trailers: echoes the request trailers back as response trailers; /slow/*: never answers; else echo. */
function handler(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
  const path = String(headers[':path']);
  if (path.startsWith('/hang')) return;
  if (path === '/reset') {
    stream.respond({ ':status': 200 });
    stream.write('partial');
    // destroy() resets at once (INTERNAL_ERROR); Node's close(code) would end the DATA first.
    stream.on('error', () => undefined);
    setTimeout(() => stream.destroy(new Error('upstream gives up')), 20);
    return;
  }
  const chunks: Buffer[] = [];
  let reqTrailers: http2.IncomingHttpHeaders | undefined;
  stream.on('trailers', (t) => (reqTrailers = t));
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => {
    if (stream.closed) return;
    const body = Buffer.concat(chunks);
    stream.respond(
      { ':status': 200, 'x-request-sha': sha(body), 'x-request-path': path, 'x-saw-te': String(headers.te ?? ''), 'x-saw-authority': String(headers[':authority']) },
      { waitForTrailers: true },
    );
    stream.on('wantTrailers', () => stream.sendTrailers({ 'x-trailer': 'done', 'x-request-trailer': String(reqTrailers?.['x-client-trailer'] ?? '') }));
    stream.end(body);
  });
}

describe('HTTP/2 proxy: h2c downstream → h2c upstream', () => {
  let upstream: H2Upstream;
  let mosn: RunningMosn;
  let port: number;
  const hung = new Set<http2.ServerHttp2Stream>();

  before(async () => {
    upstream = await startH2Upstream((stream, headers) => {
      if (String(headers[':path']).startsWith('/hang')) hung.add(stream);
      handler(stream, headers);
    });
    mosn = await startMosn({
      servers: [proxyServer('Http2', 'Http2', 'h2')],
      cluster_manager: { clusters: [cluster('h2', [upstream.address])] },
    });
    port = mosn.address('proxy').port;
  });

  after(async () => {
    await mosn.stop();
    await upstream.close();
  });

  it('proxies a GET and many concurrent POSTs over one multiplexed upstream connection', async () => {
    const session = await h2Connect(port);
    const before = upstream.sessions;
    const get = await h2Request(session, { ':method': 'GET', ':path': '/hello' });
    assert.equal(get.status, 200);
    assert.equal(get.headers['x-request-path'], '/hello');
    assert.equal(get.trailers?.['x-trailer'], 'done');
    const bodies = Array.from({ length: 20 }, (_, i) => randomBytes(1000 + i * 5000));
    const results = await Promise.all(bodies.map((b, i) => h2Request(session, { ':method': 'POST', ':path': `/p${i}` }, [b.subarray(0, 100), b.subarray(100)])));
    results.forEach((r, i) => {
      assert.equal(r.status, 200);
      assert.equal(r.headers['x-request-sha'], sha(bodies[i]));
      assert.equal(sha(r.body), sha(bodies[i]));
    });
    assert.ok(upstream.sessions - before <= 1, `one upstream connection, saw ${upstream.sessions - before} new`);
    await h2Close(session);
  });

  it('carries trailers both ways and keeps :authority', async () => {
    const session = await h2Connect(port);
    const r = await h2Request(session, { ':method': 'POST', ':path': '/t', ':authority': 'svc.example:8080', te: 'trailers' }, 'body', { 'x-client-trailer': 'from-client' });
    assert.equal(r.status, 200);
    assert.equal(r.headers['x-saw-authority'], 'svc.example:8080');
    assert.equal(r.headers['x-saw-te'], 'trailers');
    assert.equal(r.trailers?.['x-trailer'], 'done');
    assert.equal(r.trailers?.['x-request-trailer'], 'from-client');
    await h2Close(session);
  });

  it('a downstream RST_STREAM resets the upstream stream', async () => {
    const session = await h2Connect(port);
    const req = session.request({ ':method': 'GET', ':path': '/hang/1' });
    req.on('error', () => undefined);
    await waitFor(() => hung.size > 0);
    const upstreamStream = [...hung][0];
    const closed = new Promise<number>((resolve) => upstreamStream.on('close', () => resolve(upstreamStream.rstCode!)));
    req.close(http2.constants.NGHTTP2_CANCEL);
    assert.equal(await closed, http2.constants.NGHTTP2_CANCEL);
    await h2Close(session);
  });

  it('an upstream RST_STREAM after the response started resets the downstream stream', async () => {
    const session = await h2Connect(port);
    // The request stays open (Node's server sends a clean END_STREAM instead of RST once the request ended).
    const req = session.request({ ':method': 'POST', ':path': '/reset' });
    req.write('not done');
    const got: string[] = [];
    req.on('response', (h) => got.push(`status ${h[':status']}`));
    req.on('data', (d: Buffer) => got.push(d.toString()));
    req.on('error', () => undefined);
    const code = await new Promise<number>((resolve) => req.on('close', () => resolve(req.rstCode!)));
    assert.deepEqual(got, ['status 200', 'partial']);
    assert.equal(code, http2.constants.NGHTTP2_INTERNAL_ERROR);
    // The connection goes on.
    const r = await h2Request(session, { ':method': 'GET', ':path': '/after' });
    assert.equal(r.status, 200);
    await h2Close(session);
  });
});

async function waitFor(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
