import assert from 'node:assert/strict';
import * as http2 from 'node:http2';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { cluster, startMosn, type RunningMosn } from '../support/mosn-harness';
import { h2Request } from '../support/h2-peers';
import { startHttpUpstream, type HttpUpstream } from '../support/http-upstreams';
import { pem, serverContext } from './tls-fixture';

/** A listener terminating TLS with ALPN h2 + http/1.1 in front of `Auto`, and a TLS h2 route. */
function tlsListenerConfig(h1Address: string, h2Address: string) {
  const route = (prefix: string, clusterName: string) => ({ match: { prefix }, route: { cluster_name: clusterName } });
  return {
    servers: [
      {
        routers: [
          { router_config_name: 'to-h1', virtual_hosts: [{ name: 'all', domains: ['*'], routers: [route('/', 'h1')] }] },
          { router_config_name: 'to-h2', virtual_hosts: [{ name: 'all', domains: ['*'], routers: [route('/', 'h2tls')] }] },
        ],
        listeners: [
          {
            name: 'auto-tls',
            address: '127.0.0.1:0',
            filter_chains: [
              {
                tls_context: serverContext('server-local', { alpn: ['h2', 'http/1.1'] }),
                filters: [{ type: 'proxy', config: { downstream_protocol: 'Auto', upstream_protocol: 'Http1', router_config_name: 'to-h1' } }],
              },
            ],
          },
          {
            name: 'h2-tls-upstream',
            address: '127.0.0.1:0',
            filter_chains: [{ filters: [{ type: 'proxy', config: { downstream_protocol: 'Http1', upstream_protocol: 'Http2', router_config_name: 'to-h2' } }] }],
          },
        ],
      },
    ],
    cluster_manager: {
      clusters: [
        cluster('h1', [h1Address]),
        cluster('h2tls', [h2Address], { tls_context: { status: true, ca_cert: pem('ca.pem'), server_name: 'localhost', alpn: ['h2'] } }),
      ],
    },
  };
}

describe('HTTP/2 over TLS with ALPN, downstream and upstream', () => {
  let h1: HttpUpstream;
  let h2Upstream: http2.Http2SecureServer;
  let h2Port = 0;
  const alpnSeenUpstream: string[] = [];
  let mosn: RunningMosn;

  before(async () => {
    h1 = await startHttpUpstream('h1');
    // allowHTTP1 false: this upstream only answers a client that negotiated h2 by ALPN.
    h2Upstream = http2.createSecureServer({ key: pem('server-local-key.pem'), cert: pem('server-local.pem'), allowHTTP1: false }, (req, res) => {
      alpnSeenUpstream.push(String(req.socket && (req.socket as unknown as { alpnProtocol?: string }).alpnProtocol));
      res.setHeader('x-upstream-version', req.httpVersion);
      res.end(`h2 upstream saw ${req.method} ${req.url}`);
    });
    await new Promise<void>((resolve) => h2Upstream.listen(0, '127.0.0.1', resolve));
    h2Port = (h2Upstream.address() as AddressInfo).port;
    mosn = await startMosn(tlsListenerConfig(h1.address, `127.0.0.1:${h2Port}`));
  });

  after(async () => {
    await mosn.stop();
    await h1.close();
    await new Promise<void>((resolve) => h2Upstream.close(() => resolve()));
  });

  it("Node's http2 client negotiates h2 by ALPN and is served as HTTP/2 through to an HTTP/1.1 upstream", async () => {
    const session = http2.connect(`https://localhost:${mosn.address('auto-tls').port}`, { ca: pem('ca.pem') });
    session.on('error', () => undefined);
    try {
      const res = await h2Request(session, { ':method': 'GET', ':path': '/over-h2', 'x-probe': 'h2' });
      assert.equal(res.status, 200);
      assert.equal((session.socket as unknown as { alpnProtocol: string }).alpnProtocol, 'h2');
      const echoed = JSON.parse(res.body.toString());
      assert.equal(echoed.url, '/over-h2');
      assert.equal(echoed.headers['x-probe'], 'h2');
    } finally {
      session.destroy();
    }
  });

  it('an HTTPS/1.1 client on the same port negotiates http/1.1 and is served as HTTP/1.1', async () => {
    const { status, alpn, body } = await new Promise<{ status: number; alpn: string; body: string }>((resolve, reject) => {
      const options: https.RequestOptions & { ALPNProtocols: string[] } = {
        host: '127.0.0.1',
        servername: 'localhost',
        port: mosn.address('auto-tls').port,
        path: '/over-h1',
        ca: pem('ca.pem'),
        ALPNProtocols: ['http/1.1'],
        agent: false,
      };
      const req = https.get(options, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, alpn: String((res.socket as unknown as { alpnProtocol: string }).alpnProtocol), body: text }));
      });
      req.on('error', reject);
    });
    assert.equal(status, 200);
    assert.equal(alpn, 'http/1.1');
    assert.equal(JSON.parse(body).url, '/over-h1');
  });

  it('an HTTP/1.1 request goes upstream as HTTP/2 over TLS, the cluster offering h2 by ALPN and verifying the certificate', async () => {
    const res = await fetch(`http://127.0.0.1:${mosn.address('h2-tls-upstream').port}/to-h2-tls`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-upstream-version'), '2.0');
    assert.equal(await res.text(), 'h2 upstream saw GET /to-h2-tls');
    assert.equal(alpnSeenUpstream.at(-1), 'h2');
  });
});
