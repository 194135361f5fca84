import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cluster, startMosn, type RunningMosn } from '../support/mosn-harness';
import { request, startHttpUpstream, type Echoed, type HttpUpstream } from '../support/http-upstreams';
import { freePort } from '../support/tcp-peers';

const MiB = 1024 * 1024;

describe('HTTP/1.1 proxy: timeouts, retries, circuit breakers, slow readers', () => {
  let fast: HttpUpstream;
  let slow: HttpUpstream;
  let firehose: HttpUpstream;
  let firehoseSent = 0;
  const held: http.ServerResponse[] = [];
  const heldWaiters: (() => void)[] = [];
  /** Resolves once the hold upstream has `n` requests waiting. */
  const holding = (n: number) => new Promise<void>((resolve) => (held.length >= n ? resolve() : heldWaiters.push(() => held.length >= n && resolve())));
  let hold: HttpUpstream;
  let mosn: RunningMosn;
  let port: number;
  let accessLogPath: string;

  before(async () => {
    fast = await startHttpUpstream('fast');
    slow = await startHttpUpstream('slow', (_req, res) => {
      setTimeout(() => res.end('late'), 2_000).unref();
    });
    hold = await startHttpUpstream('hold', (_req, res) => {
      held.push(res);
      for (const w of heldWaiters.splice(0)) w();
    });
    firehose = await startHttpUpstream('firehose', (_req, res) => {
      const chunk = Buffer.alloc(64 * 1024, 0x62);
      res.setHeader('content-length', String(200 * MiB));
      let left = 200 * MiB;
      const pump = (): void => {
        while (left > 0 && !res.destroyed) {
          left -= chunk.length;
          firehoseSent += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
        if (left <= 0) res.end();
      };
      pump();
    });
    const refused = await freePort();
    accessLogPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mosn-al-')), 'access.log');
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
                    { match: { prefix: '/slow' }, route: { cluster_name: 'slow', timeout: '300ms' } },
                    { match: { prefix: '/retry' }, route: { cluster_name: 'half_dead', retry_policy: { retry_on: true, num_retries: 1 } } },
                    { match: { prefix: '/noretry' }, route: { cluster_name: 'dead' } },
                    { match: { prefix: '/hold' }, route: { cluster_name: 'hold' } },
                    { match: { prefix: '/firehose' }, route: { cluster_name: 'firehose' } },
                    { match: { prefix: '/' }, route: { cluster_name: 'fast' } },
                  ],
                },
              ],
            },
          ],
          listeners: [
            {
              name: 'http',
              address: '127.0.0.1:0',
              per_connection_buffer_limit_bytes: 256 * 1024,
              access_logs: [{ log_path: accessLogPath, log_format: '%response_code% %response_flag_codes% %upstream_cluster%' }],
              filter_chains: [{ filters: [{ type: 'proxy', config: { downstream_protocol: 'Http1', upstream_protocol: 'Http1', router_config_name: 'r' } }] }],
            },
          ],
        },
      ],
      cluster_manager: {
        clusters: [
          cluster('fast', [fast.address]),
          cluster('slow', [slow.address]),
          // Round robin over a refusing host and a live one: the retry lands on the live one.
          cluster('half_dead', [`127.0.0.1:${refused}`, fast.address]),
          cluster('dead', [`127.0.0.1:${refused}`]),
          cluster('hold', [hold.address], { circuit_breakers: [{ max_connections: 1, max_pending_requests: 1, max_requests: 10 }] }),
          cluster('firehose', [firehose.address], { conn_buffer_limit_bytes: 256 * 1024 }),
        ],
      },
    });
    port = mosn.address('http').port;
  });

  after(async () => {
    for (const r of held) r.end();
    await mosn.stop();
    for (const u of [fast, slow, hold, firehose]) await u.close();
  });

  const accessLines = async (): Promise<string[]> => {
    // The access log buffers; stopping is not an option mid-suite, so poll the file for the line.
    return fs.existsSync(accessLogPath) ? fs.readFileSync(accessLogPath, 'utf8').split('\n').filter(Boolean) : [];
  };

  it('answers 504 when the route timeout elapses', async () => {
    const t0 = Date.now();
    const r = await request(port, { path: '/slow' });
    assert.equal(r.status, 504);
    const waited = Date.now() - t0;
    assert.ok(waited >= 250 && waited < 1500, `answered after ${waited} ms`);
  });

  it('answers 503 when the upstream refuses and there is no retry policy', async () => {
    const r = await request(port, { path: '/noretry' });
    assert.equal(r.status, 503);
  });

  it('retries a refused connection on another host when the retry policy says so', async () => {
    for (let i = 0; i < 6; i++) {
      const r = await request(port, { path: `/retry/${i}` });
      assert.equal(r.status, 200, `request ${i}`);
      assert.equal((JSON.parse(r.body.toString()) as Echoed).server, 'fast');
    }
    const metrics = await (await fetch(`${mosn.adminBase}/metrics`)).text();
    assert.match(metrics, /^upstream_request_retry\{cluster="half_dead"\} [1-9]/m);
  });

  it('overflows the circuit breaker: 503 with the overflow flag in the access log', async () => {
    const agent = new http.Agent({ keepAlive: false });
    // One connection allowed and busy, one request pending: the third concurrent request overflows.
    const first = request(port, { path: '/hold/1', agent });
    await holding(1);
    const second = request(port, { path: '/hold/2', agent });
    // The second waits in the pool's queue; wait until the proxy has counted it as pending.
    while (!/^upstream_request_active\{cluster="hold"\} 2/m.test(await (await fetch(`${mosn.adminBase}/metrics`)).text())) await new Promise((r) => setImmediate(r));
    const third = await request(port, { path: '/hold/3', agent });
    assert.equal(third.status, 503);
    held.splice(0)[0].end('released');
    await holding(1);
    held.splice(0)[0].end('released');
    assert.equal((await first).status, 200);
    assert.equal((await second).status, 200);
    const metrics = await (await fetch(`${mosn.adminBase}/metrics`)).text();
    assert.match(metrics, /^upstream_request_pending_overflow\{cluster="hold"\} [1-9]/m);
    let lines: string[] = [];
    for (let i = 0; i < 100 && !lines.some((l) => /^503 .*UO.* hold$/.test(l)); i++) {
      await new Promise((r) => setTimeout(r, 50));
      lines = await accessLines();
    }
    assert.ok(lines.some((l) => /^503 .*UO.* hold$/.test(l)), lines.join('\n'));
    agent.destroy();
  });

  it('keeps memory bounded for a client that stops reading a large response; others are served', async () => {
    const sock = net.connect({ host: '127.0.0.1', port });
    await new Promise<void>((r) => sock.once('connect', () => r()));
    sock.write('GET /firehose HTTP/1.1\r\nhost: x\r\n\r\n');
    sock.pause();
    let last = -1;
    while (firehoseSent !== last) {
      last = firehoseSent;
      await new Promise((r) => setTimeout(r, 300));
    }
    assert.ok(firehoseSent < 48 * MiB, `upstream pushed ${(firehoseSent / MiB).toFixed(1)} MiB before stalling`);
    const conns = [...mosn.server.listeners[0].connections];
    const held = conns.reduce((n, c) => n + c.writeBuffered + c.readBuffered, 0);
    assert.ok(held <= 4 * 256 * 1024, `proxy holds ${held} bytes for downstream connections`);
    const other = await request(port, { path: '/other' });
    assert.equal(other.status, 200);
    sock.destroy();
  });
});
