import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request, startHttpUpstream, type Echoed, type HttpUpstream } from '../support/http-upstreams';
import type { RunningMosn } from '../support/mosn-harness';
import { proxyListener, serviceRoute, startBoltMosn } from './bolt-fixture';
import { RawBoltClient } from './bolt-wire';
import { BoltPeer, jstr, SofaClient, sofaRequestFrame, startSofaServer, type SofaServer } from './sofa-peers';

const ECHO = 'com.example.EchoService';

describe('Auto listener: HTTP/1.1 and bolt clients on one port at once', () => {
  let sofa: SofaServer;
  let web: HttpUpstream;
  let mosn: RunningMosn;
  let autoPort: number;

  before(async () => {
    [sofa, web] = await Promise.all([startSofaServer('rpc'), startHttpUpstream('web')]);
    mosn = await startBoltMosn({
      listeners: [
        // Auto on both sides: each connection is proxied in the protocol it speaks.
        proxyListener('auto', 'Auto'),
        // Auto downstream with a fixed upstream protocol.
        proxyListener('auto_to_bolt', 'Auto', 'bolt'),
        // A fixed downstream with upstream Auto: the same as downstream.
        proxyListener('bolt_auto_up', 'bolt', 'Auto'),
        // MOSN's legacy spelling: protocol "X" with extend_config.sub_protocol.
        {
          name: 'legacy_x',
          address: '127.0.0.1:0',
          filter_chains: [
            {
              filters: [
                {
                  type: 'proxy',
                  config: { downstream_protocol: 'X', upstream_protocol: 'X', extend_config: { sub_protocol: 'bolt' }, router_config_name: 'bolt_router' },
                },
              ],
            },
          ],
        },
      ],
      routes: [serviceRoute(`${ECHO}:1.0`, 'rpc_cluster'), { match: { prefix: '/' }, route: { cluster_name: 'web_cluster' } }],
      clusters: { rpc_cluster: [sofa.address], web_cluster: [web.address] },
    });
    autoPort = mosn.address('auto').port;
  });

  after(async () => {
    await mosn?.stop();
    await Promise.all([sofa?.kill(), web?.close()]);
  });

  it('serves HTTP/1.1 (keep-alive) and bolt (sofa-rpc-node, bolt v1 and v2) concurrently', async () => {
    const client = new SofaClient(`127.0.0.1:${autoPort}`);
    const echo = await client.consumer(ECHO);
    const v2 = await BoltPeer.connect(autoPort, 2);
    const work: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) {
      work.push(
        echo.invoke('echo', [jstr(`rpc-${i}`)]).then((r) => assert.equal(r, `rpc:rpc-${i}`)),
        request(autoPort, { path: `/page/${i}`, headers: { 'x-n': String(i) } }).then((res) => {
          assert.equal(res.status, 200);
          const body = JSON.parse(String(res.body)) as Echoed;
          assert.equal(body.server, 'web');
          assert.equal(body.url, `/page/${i}`);
          assert.equal(body.headers['x-n'], String(i));
          assert.equal(body.headers['x-forwarded-for'], '127.0.0.1', 'HTTP connections get the HTTP proxy');
        }),
        v2.call(100 + i, ECHO, 'echo', [jstr(`v2-${i}`)]).then((p) => assert.equal(p.data?.appResponse, `rpc:v2-${i}`)),
      );
    }
    await Promise.all(work);
    v2.close();
    await client.close();
  });

  it('a connection in no known protocol is closed with a log line saying why', async () => {
    const before = mosn.logLines().length;
    const c = await RawBoltClient.connect(autoPort);
    c.write(Buffer.from('\x16\x03\x01 not a protocol mosn-ts knows', 'latin1'));
    await c.whenClosed();
    const lines = mosn.logLines().slice(before).filter((l) => String(l.msg).includes('Auto: unknown protocol'));
    assert.equal(lines.length, 1);
    assert.match(String(lines[0].reason), /no registered protocol recognises the first bytes \(known: .*Http1.*bolt/);
    assert.equal(String(lines[0].firstBytes).slice(0, 6), '160301');
    // The listener goes on serving.
    const res = await request(autoPort, { path: '/after' });
    assert.equal(res.status, 200);
  });

  it('Auto downstream with upstream bolt, bolt downstream with upstream Auto (= bolt), and legacy X/sub_protocol', async () => {
    for (const name of ['auto_to_bolt', 'bolt_auto_up', 'legacy_x']) {
      const c = await RawBoltClient.connect(mosn.address(name).port);
      c.write(sofaRequestFrame(3, ECHO, 'echo', [jstr(name)]));
      const res = await c.response(3);
      assert.equal(res.status, 0, name);
      c.close();
    }
  });
});
