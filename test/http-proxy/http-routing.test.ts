import assert from 'node:assert/strict';
import * as http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { request as undiciRequest } from 'undici';
import { cluster, startMosn, type RunningMosn } from '../support/mosn-harness';
import { request, startHttpUpstream, type Echoed, type HttpUpstream } from '../support/http-upstreams';

function proxyListener(name: string, router: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    address: '127.0.0.1:0',
    filter_chains: [{ filters: [{ type: 'proxy', config: { downstream_protocol: 'Http1', upstream_protocol: 'Http1', router_config_name: router } }] }],
    ...extra,
  };
}

describe('HTTP/1.1 proxy: routing, rewriting, local replies', () => {
  let a: HttpUpstream;
  let b: HttpUpstream;
  let mosn: RunningMosn;
  let port: number;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

  before(async () => {
    a = await startHttpUpstream('a');
    b = await startHttpUpstream('b');
    mosn = await startMosn({
      servers: [
        {
          routers: [
            {
              router_config_name: 'main',
              virtual_hosts: [
                {
                  name: 'b-host',
                  domains: ['b.example.com'],
                  routers: [{ match: { prefix: '/' }, route: { cluster_name: 'b' } }],
                },
                {
                  name: 'default',
                  domains: ['*'],
                  request_headers_to_add: [{ header: { key: 'x-vhost', value: 'default' }, append: false }],
                  routers: [
                    { match: { path: '/direct' }, direct_response: { status: 200, body: 'direct answer' } },
                    { match: { prefix: '/old/' }, redirect: { path_redirect: '/new/place', response_code: 302 } },
                    { match: { prefix: '/by-header', headers: [{ name: 'x-route-to', value: 'b' }] }, route: { cluster_name: 'b' } },
                    { match: { regex: '/item/[0-9]+' }, route: { cluster_name: 'b' } },
                    {
                      match: { prefix: '/split' },
                      route: { weighted_clusters: [{ cluster: { name: 'a', weight: 70 } }, { cluster: { name: 'b', weight: 30 } }] },
                    },
                    {
                      match: { prefix: '/rewrite/' },
                      route: { cluster_name: 'a', prefix_rewrite: '/rewritten/', host_rewrite: 'upstream.internal' },
                      request_headers_to_add: [{ header: { key: 'x-added', value: 'yes' }, append: false }],
                      request_headers_to_remove: ['x-secret'],
                      response_headers_to_add: [{ header: { key: 'x-resp-added', value: 'r' }, append: false }],
                      response_headers_to_remove: ['x-upstream'],
                    },
                    { match: { prefix: '/nowhere' }, route: { cluster_name: 'no_such_cluster' } },
                    { match: { prefix: '/a' }, route: { cluster_name: 'a' } },
                  ],
                },
              ],
            },
            {
              router_config_name: 'strict',
              virtual_hosts: [{ name: 'only', domains: ['only.example.com'], routers: [{ match: { prefix: '/' }, route: { cluster_name: 'a' } }] }],
            },
          ],
          listeners: [proxyListener('http', 'main'), proxyListener('strict', 'strict')],
        },
      ],
      cluster_manager: { clusters: [cluster('a', [a.address]), cluster('b', [b.address])] },
    });
    port = mosn.address('http').port;
  });

  after(async () => {
    agent.destroy();
    await mosn.stop();
    await a.close();
    await b.close();
  });

  const json = (body: Buffer) => JSON.parse(body.toString()) as Echoed;

  it('routes by domain', async () => {
    const r = await request(port, { host: 'b.example.com', path: '/x', agent });
    assert.equal(r.status, 200);
    assert.equal(json(r.body).server, 'b');
    const d = await request(port, { host: 'other.example.com', path: '/a/1', agent });
    assert.equal(json(d.body).server, 'a');
  });

  it('routes by path: exact, prefix and regex', async () => {
    assert.equal(json((await request(port, { path: '/item/42', agent })).body).server, 'b');
    assert.equal(json((await request(port, { path: '/a/item/42', agent })).body).server, 'a');
    const direct = await request(port, { path: '/direct', agent });
    assert.equal(direct.status, 200);
    assert.equal(direct.body.toString(), 'direct answer');
  });

  it('routes by header value', async () => {
    assert.equal(json((await request(port, { path: '/by-header', headers: { 'x-route-to': 'b' }, agent })).body).server, 'b');
    // Without the header the route does not match and nothing else does: 404.
    assert.equal((await request(port, { path: '/by-header', agent })).status, 404);
  });

  it('answers 404 when no route matches (and with undici as the client)', async () => {
    const r = await undiciRequest(`http://127.0.0.1:${mosn.address('strict').port}/`, { headers: { host: 'unknown.example.com' } });
    assert.equal(r.statusCode, 404);
    await r.body.text();
    assert.equal((await request(port, { path: '/zzz', agent })).status, 404);
  });

  it('answers 503 for a route whose cluster does not exist', async () => {
    assert.equal((await request(port, { path: '/nowhere', agent })).status, 503);
  });

  it('redirects', async () => {
    const r = await request(port, { path: '/old/thing', host: 'www.example.com', agent });
    assert.equal(r.status, 302);
    assert.match(String(r.headers.location), /\/new\/place$/);
  });

  it('rewrites the prefix and host, adds and removes headers both ways', async () => {
    const r = await request(port, { path: '/rewrite/x?q=1', headers: { 'x-secret': 's3cret' }, agent });
    assert.equal(r.status, 200);
    const seen = json(r.body);
    assert.equal(seen.url, '/rewritten/x?q=1');
    assert.equal(seen.headers.host, 'upstream.internal');
    assert.equal(seen.headers['x-added'], 'yes');
    assert.equal(seen.headers['x-vhost'], 'default');
    assert.equal(seen.headers['x-secret'], undefined);
    assert.equal(seen.headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(seen.headers['x-forwarded-proto'], 'http');
    assert.equal(r.headers['x-resp-added'], 'r');
    assert.equal(r.headers['x-upstream'], undefined);
  });

  it('splits by weight within ±5% over 10k requests', async () => {
    const counts = { a: 0, b: 0 };
    let next = 0;
    const worker = async () => {
      while (next < 10_000) {
        next++;
        const r = await request(port, { path: '/split', agent });
        counts[json(r.body).server as 'a' | 'b']++;
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    const shareA = counts.a / (counts.a + counts.b);
    assert.ok(Math.abs(shareA - 0.7) <= 0.7 * 0.05, `a got ${(shareA * 100).toFixed(1)}%`);
  });

  it('reuses upstream keep-alive connections: a handful, not one per request', async () => {
    const before = a.connections;
    const requestsBefore = a.requests;
    let next = 0;
    const worker = async () => {
      while (next < 500) {
        next++;
        await request(port, { path: '/a/keepalive', agent });
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    assert.equal(a.requests - requestsBefore, 500);
    const opened = a.connections - before;
    assert.ok(opened <= 16, `${opened} upstream connections for 500 requests`);
  });
});
