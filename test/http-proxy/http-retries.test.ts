import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cluster, startMosn, type RunningMosn } from '../support/mosn-harness';
import { request, startHttpUpstream, type HttpUpstream } from '../support/http-upstreams';

describe('HTTP/1.1 proxy: retry policy and timeout headers, request metrics', () => {
  let failing: HttpUpstream;
  let slowFirst: HttpUpstream;
  let slowAll: HttpUpstream;
  let mosn: RunningMosn;
  let port: number;
  let slowFirstCalls = 0;

  before(async () => {
    failing = await startHttpUpstream('failing', (_req, res) => {
      res.statusCode = 503;
      res.end('unavailable');
    });
    // The first try of each request hangs; later tries answer at once.
    slowFirst = await startHttpUpstream('slow-first', (req, res) => {
      slowFirstCalls++;
      if (slowFirstCalls % 2 === 1) setTimeout(() => res.end('too late'), 3000).unref();
      else res.end(`answered ${req.url}`);
    });
    slowAll = await startHttpUpstream('slow-all', (_req, res) => {
      setTimeout(() => res.end('late'), 3000).unref();
    });
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
                    { match: { prefix: '/status' }, route: { cluster_name: 'failing', retry_policy: { retry_on: true, num_retries: 2, status_codes: [503] } } },
                    { match: { prefix: '/no-status-retry' }, route: { cluster_name: 'failing', retry_policy: { retry_on: true, num_retries: 2 } } },
                    { match: { prefix: '/per-try' }, route: { cluster_name: 'slow_first', retry_policy: { retry_on: true, num_retries: 1, retry_timeout: '200ms' } } },
                    { match: { prefix: '/slow' }, route: { cluster_name: 'slow_all' } },
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
      cluster_manager: {
        clusters: [cluster('failing', [failing.address]), cluster('slow_first', [slowFirst.address]), cluster('slow_all', [slowAll.address])],
      },
    });
    port = mosn.address('http').port;
  });

  after(async () => {
    await mosn.stop();
    for (const u of [failing, slowFirst, slowAll]) await u.close();
  });

  it('retries a listed status code exactly num_retries times, then relays the last answer', async () => {
    const before = failing.requests;
    const r = await request(port, { path: '/status' });
    assert.equal(r.status, 503);
    assert.equal(r.body.toString(), 'unavailable');
    assert.equal(failing.requests - before, 3, '1 try + num_retries (2)');
  });

  it('does not retry a status code that status_codes does not list', async () => {
    const before = failing.requests;
    assert.equal((await request(port, { path: '/no-status-retry' })).status, 503);
    assert.equal(failing.requests - before, 1);
  });

  it('retries after retry_timeout (per try) and answers from the next try', async () => {
    const t0 = Date.now();
    const r = await request(port, { path: '/per-try/x' });
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), 'answered /per-try/x');
    assert.ok(Date.now() - t0 >= 180);
  });

  it('honours x-mosn-global-timeout (ms) and x-mosn-try-timeout', async () => {
    let t0 = Date.now();
    assert.equal((await request(port, { path: '/slow', headers: { 'x-mosn-global-timeout': '250' } })).status, 504);
    let waited = Date.now() - t0;
    assert.ok(waited >= 200 && waited < 2000, `global: ${waited} ms`);
    t0 = Date.now();
    assert.equal((await request(port, { path: '/slow', headers: { 'x-mosn-try-timeout': '250' } })).status, 504);
    waited = Date.now() - t0;
    assert.ok(waited >= 200 && waited < 2000, `try: ${waited} ms`);
  });

  it('counts downstream requests by code in /metrics and /api/v1/stats', async () => {
    const metrics = await (await fetch(`${mosn.adminBase}/metrics`)).text();
    assert.match(metrics, /^downstream_request_total\{listener="http"\} [1-9]/m);
    assert.match(metrics, /^downstream_request_503_total\{listener="http"\} [1-9]/m);
    assert.match(metrics, /^downstream_request_504_total\{listener="http"\} [1-9]/m);
    assert.match(metrics, /^downstream_request_time_count\{listener="http"\} [1-9]/m);
    assert.match(metrics, /^upstream_request_retry\{cluster="failing"\} [1-9]/m);
    const stats = await (await fetch(`${mosn.adminBase}/api/v1/stats`)).text();
    assert.match(stats, /request_200_total/);
  });
});
