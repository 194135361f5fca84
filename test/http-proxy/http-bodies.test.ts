import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import * as http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { cluster, startMosn, type RunningMosn } from '../support/mosn-harness';
import { startHttpUpstream, type HttpUpstream } from '../support/http-upstreams';

const MiB = 1024 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Upstream: /echo streams the request body back (chunked); /big answers 10 MiB with content-length. */
const bodies = (big: Buffer) => (req: http.IncomingMessage, res: http.ServerResponse) => {
  if (req.url === '/big') {
    res.setHeader('content-length', big.length);
    res.end(big);
    return;
  }
  if (req.url === '/chunked-reply') {
    res.write('part1-');
    setImmediate(() => {
      res.write('part2-');
      res.end('part3');
    });
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    res.setHeader('x-request-sha', sha(body));
    res.setHeader('x-request-te', String(req.headers['transfer-encoding'] ?? ''));
    res.write(body.subarray(0, Math.floor(body.length / 2)));
    res.end(body.subarray(Math.floor(body.length / 2)));
  });
};

function send(port: number, opts: http.RequestOptions, body?: Buffer | Buffer[]): Promise<{ res: http.IncomingMessage; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, ...opts }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ res, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    if (Array.isArray(body)) {
      for (const b of body) req.write(b);
      req.end();
    } else req.end(body);
  });
}

describe('HTTP/1.1 proxy: bodies, 100-continue, WebSocket', () => {
  const big = randomBytes(10 * MiB);
  let upstream: HttpUpstream;
  let wsUpstream: http.Server;
  let mosn: RunningMosn;
  let port: number;

  before(async () => {
    upstream = await startHttpUpstream('bodies', bodies(big));
    wsUpstream = http.createServer();
    const wss = new WebSocketServer({ server: wsUpstream });
    wss.on('connection', (ws) => ws.on('message', (m, isBinary) => ws.send(isBinary ? m : `echo: ${m.toString()}`)));
    await new Promise<void>((r) => wsUpstream.listen(0, '127.0.0.1', r));
    const wsPort = (wsUpstream.address() as { port: number }).port;
    mosn = await startMosn({
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
                    { match: { prefix: '/ws' }, route: { cluster_name: 'ws' } },
                    { match: { prefix: '/' }, route: { cluster_name: 'bodies' } },
                  ],
                },
              ],
            },
          ],
          listeners: [
            {
              name: 'http',
              address: '127.0.0.1:0',
              filter_chains: [{ filters: [{ type: 'proxy', config: { downstream_protocol: 'Http1', upstream_protocol: 'Http1', router_config_name: 'r' } }] }],
            },
          ],
        },
      ],
      cluster_manager: { clusters: [cluster('bodies', [upstream.address]), cluster('ws', [`127.0.0.1:${wsPort}`])] },
    });
    port = mosn.address('http').port;
  });

  after(async () => {
    await mosn.stop();
    await upstream.close();
    wsUpstream.closeAllConnections();
    await new Promise<void>((r) => wsUpstream.close(() => r()));
  });

  it('carries a chunked request body upstream and a chunked response back', async () => {
    const parts = [Buffer.from('alpha-'), Buffer.from('beta-'), Buffer.from('gamma')];
    const r = await send(port, { method: 'POST', path: '/echo', headers: { host: 'x', 'transfer-encoding': 'chunked' } }, parts);
    assert.equal(r.res.statusCode, 200);
    assert.equal(r.body.toString(), 'alpha-beta-gamma');
    assert.equal(r.res.headers['x-request-sha'], sha(Buffer.concat(parts)));
    const c = await send(port, { path: '/chunked-reply', headers: { host: 'x' } });
    assert.equal(c.res.headers['transfer-encoding'], 'chunked');
    assert.equal(c.body.toString(), 'part1-part2-part3');
  });

  it('carries a 10 MiB request body up and a 10 MiB response body down intact', async () => {
    const up = await send(port, { method: 'PUT', path: '/echo', headers: { host: 'x', 'content-length': String(big.length) } }, big);
    assert.equal(up.res.headers['x-request-sha'], sha(big));
    assert.equal(sha(up.body), sha(big));
    const down = await send(port, { path: '/big', headers: { host: 'x' } });
    assert.equal(down.body.length, big.length);
    assert.equal(sha(down.body), sha(big));
  });

  it('relays 100-continue: the client sends its body only after the upstream says continue', async () => {
    const body = Buffer.from('the body after continue');
    const result = await new Promise<{ status: number; body: string; sawContinue: boolean }>((resolve, reject) => {
      let sawContinue = false;
      const req = http.request(
        { host: '127.0.0.1', port, method: 'POST', path: '/echo', headers: { host: 'x', expect: '100-continue', 'content-length': String(body.length) } },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, body: text, sawContinue }));
        },
      );
      req.on('continue', () => {
        sawContinue = true;
        req.end(body);
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    assert.equal(result.sawContinue, true);
    assert.equal(result.status, 200);
    assert.equal(result.body, body.toString());
  });

  it('passes a WebSocket upgrade through and echoes messages both ways', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const got: string[] = [];
    const done = new Promise<void>((resolve) =>
      ws.on('message', (m) => {
        got.push(m.toString());
        if (got.length === 3) resolve();
      }),
    );
    ws.send('one');
    ws.send('two');
    ws.send('three');
    await done;
    assert.deepEqual(got, ['echo: one', 'echo: two', 'echo: three']);
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.close(1000);
    assert.equal(await closed, 1000);
  });
});
