import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as http2 from 'node:http2';
import * as net from 'node:net';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { request as undiciRequest } from 'undici';
import { cluster, startMosn, type RunningMosn } from '../support/mosn-harness';
import { h2Close, h2Connect, h2Request, proxyServer, startH2Upstream, type H2Upstream } from '../support/h2-peers';
import { startHttpUpstream, type HttpUpstream } from '../support/http-upstreams';

describe('HTTP/1.1 ↔ HTTP/2 translation', () => {
  let h2Up: H2Upstream;
  let h1Up: HttpUpstream;
  let h1ToH2: RunningMosn;
  let h2ToH1: RunningMosn;
  let auto: RunningMosn;
  let seenH2: http2.IncomingHttpHeaders | undefined;
  let seenH1: http.IncomingHttpHeaders | undefined;
  let seenH1Trailers: Record<string, string> = {};

  before(async () => {
    h2Up = await startH2Upstream((stream, headers) => {
      seenH2 = headers;
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        stream.respond({ ':status': 200, 'x-proto': 'h2' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'x-h2-trailer': 'yes' }));
        stream.write(Buffer.concat(chunks));
        stream.end('|end');
      });
    });
    h1Up = await startHttpUpstream('h1', (req, res) => {
      seenH1 = req.headers;
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seenH1Trailers = req.trailers as Record<string, string>;
        res.setHeader('x-proto', 'h1');
        res.setHeader('connection', 'keep-alive');
        res.setHeader('keep-alive', 'timeout=5');
        res.setHeader('trailer', 'x-h1-trailer');
        res.write(Buffer.concat(chunks)); // no content-length: chunked
        res.addTrailers({ 'x-h1-trailer': 'yes' });
        res.end('|end');
      });
    });
    h1ToH2 = await startMosn({ servers: [proxyServer('Http1', 'Http2', 'h2')], cluster_manager: { clusters: [cluster('h2', [h2Up.address])] } });
    h2ToH1 = await startMosn({ servers: [proxyServer('Http2', 'Http1', 'h1')], cluster_manager: { clusters: [cluster('h1', [h1Up.address])] } });
    auto = await startMosn({ servers: [proxyServer('Auto', 'Http1', 'h1')], cluster_manager: { clusters: [cluster('h1', [h1Up.address])] } });
  });

  after(async () => {
    await Promise.all([h1ToH2.stop(), h2ToH1.stop(), auto.stop()]);
    await h2Up.close();
    await h1Up.close();
  });

  it('HTTP/1.1 client (node http) → HTTP/2 upstream: host → :authority, hop-by-hop dropped, chunked → DATA', async () => {
    const port = h1ToH2.address('proxy').port;
    const { res, body } = await new Promise<{ res: http.IncomingMessage; body: string }>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/up?q=1',
          headers: { host: 'svc.local:81', connection: 'keep-alive, x-hop', 'x-hop': 'gone', 'keep-alive': 'timeout=5', te: 'trailers', 'x-keep': 'kept', 'proxy-connection': 'x' },
        },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ res, body }));
        },
      );
      req.on('error', reject);
      req.write('chunk1-'); // no content-length: chunked
      req.end('chunk2');
    });
    assert.equal(res.statusCode, 200);
    assert.equal(body, 'chunk1-chunk2|end');
    assert.equal(res.headers['x-proto'], 'h2');
    assert.equal(res.headers['transfer-encoding'], 'chunked');
    assert.equal(res.trailers['x-h2-trailer'], 'yes', 'HTTP/2 trailers reach the HTTP/1.1 client in the chunked trailer');
    assert.equal(seenH2?.[':authority'], 'svc.local:81');
    assert.equal(seenH2?.[':path'], '/up?q=1');
    assert.equal(seenH2?.[':scheme'], 'http');
    assert.equal(seenH2?.host, undefined);
    assert.equal(seenH2?.te, 'trailers');
    assert.equal(seenH2?.['x-keep'], 'kept');
    for (const hop of ['connection', 'keep-alive', 'transfer-encoding', 'x-hop', 'proxy-connection']) assert.equal(seenH2?.[hop], undefined, hop);
  });

  it('HTTP/2 client → HTTP/1.1 upstream: :authority → Host, DATA → chunked, trailers both ways', async () => {
    const session = await h2Connect(h2ToH1.address('proxy').port);
    const r = await h2Request(session, { ':method': 'POST', ':path': '/down', ':authority': 'svc.local:82', cookie: ['a=1', 'b=2'] }, ['p1-', 'p2'], { 'x-client-trailer': 't1' });
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), 'p1-p2|end');
    assert.equal(r.headers['x-proto'], 'h1');
    for (const hop of ['connection', 'keep-alive', 'transfer-encoding']) assert.equal(r.headers[hop], undefined, hop);
    assert.equal(r.trailers?.['x-h1-trailer'], 'yes');
    assert.equal(seenH1?.host, 'svc.local:82');
    assert.equal(seenH1?.['transfer-encoding'], 'chunked');
    assert.equal(seenH1?.cookie, 'a=1; b=2');
    assert.equal(seenH1Trailers['x-client-trailer'], 't1');
    await h2Close(session);
  });

  it('Auto: one listener serves an HTTP/1.1 client and an HTTP/2 client on the same port', async () => {
    const port = auto.address('proxy').port;
    const h1 = await undiciRequest(`http://127.0.0.1:${port}/auto1`);
    assert.equal(h1.statusCode, 200);
    assert.equal(await h1.body.text(), '|end');
    const session = await h2Connect(port);
    const h2 = await h2Request(session, { ':method': 'GET', ':path': '/auto2' });
    assert.equal(h2.status, 200);
    assert.equal(h2.body.toString(), '|end');
    assert.equal(seenH1?.host, `127.0.0.1:${port}`);
    await h2Close(session);
  });

  it('Auto: unknown first bytes close the connection with a log line saying why', async () => {
    const port = auto.address('proxy').port;
    const sock = net.connect(port, '127.0.0.1');
    sock.write('\x16\x03\x01garbage that is no protocol at all, not even close....');
    await new Promise<void>((resolve) => sock.on('close', () => resolve()));
    const line = auto.logLines().find((l) => l.msg === 'Auto: unknown protocol; closing the connection');
    assert.ok(line, 'log line present');
    assert.match(String(line.reason), /no registered protocol recognises the first bytes/);
    assert.match(String(line.reason), /Http2/);
  });
});
