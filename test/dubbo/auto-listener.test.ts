import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request, startHttpUpstream, type Echoed, type HttpUpstream } from '../support/http-upstreams';
import type { RunningMosn } from '../support/mosn-harness';
import { jstr as sofaString, SofaClient, startSofaServer, type SofaServer } from '../bolt/sofa-peers';
import { proxyListener, serviceRoute, startDubboMosn } from './dubbo-fixture';
import { DubboConsumer, DubboProvider, jstr } from './dubbo-peers';
import { RawDubboClient, requestFrame, responseValue } from './dubbo-wire';

const DUBBO_SERVICE = 'com.example.DubboEcho';
const SOFA_SERVICE = 'com.example.EchoService';

describe('Auto listener: HTTP/1.1, bolt and dubbo clients on one port at once', () => {
  let provider: DubboProvider;
  let sofa: SofaServer;
  let web: HttpUpstream;
  let mosn: RunningMosn;
  let autoPort: number;

  before(async () => {
    [provider, sofa, web] = await Promise.all([DubboProvider.start('dubbo'), startSofaServer('rpc'), startHttpUpstream('web')]);
    mosn = await startDubboMosn({
      listeners: [
        // Auto on both sides: each connection is proxied in the protocol it speaks.
        proxyListener('auto', 'Auto'),
        proxyListener('auto_to_dubbo', 'Auto', 'dubbo'),
        // MOSN's legacy spelling: protocol "X" with extend_config.sub_protocol.
        proxyListener('legacy_x', 'X', 'X', { extend_config: { sub_protocol: 'dubbo' } }),
      ],
      routes: [
        serviceRoute(DUBBO_SERVICE, 'dubbo_cluster'),
        { match: { headers: [{ name: 'service', value: `${SOFA_SERVICE}:1.0` }] }, route: { cluster_name: 'bolt_cluster' } },
        { match: { prefix: '/' }, route: { cluster_name: 'web_cluster' } },
      ],
      clusters: { dubbo_cluster: [provider.address], bolt_cluster: [sofa.address], web_cluster: [web.address] },
    });
    autoPort = mosn.address('auto').port;
  });

  after(async () => {
    await mosn?.stop();
    await Promise.all([provider?.close(), sofa?.kill(), web?.close()]);
  });

  it('serves HTTP/1.1 (keep-alive), bolt (sofa-rpc-node) and dubbo concurrently', async () => {
    const sofaClient = new SofaClient(`127.0.0.1:${autoPort}`);
    const bolt = await sofaClient.consumer(SOFA_SERVICE);
    const dubbo = await DubboConsumer.connect(autoPort);
    const work: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) {
      work.push(
        bolt.invoke('echo', [sofaString(`rpc-${i}`)]).then((r) => assert.equal(r, `rpc:rpc-${i}`)),
        request(autoPort, { path: `/page/${i}` }).then((res) => {
          assert.equal(res.status, 200);
          const body = JSON.parse(String(res.body)) as Echoed;
          assert.equal(body.server, 'web');
          assert.equal(body.url, `/page/${i}`);
        }),
        dubbo.invoke({ service: DUBBO_SERVICE, method: 'echo', types: 'Ljava/lang/String;', args: [jstr(`d-${i}`)] }).then((r) => {
          assert.equal(r.status, 20);
          assert.equal(r.value, `dubbo:d-${i}`);
        }),
      );
    }
    await Promise.all(work);
    assert.equal(provider.requests.length >= 20, true);
    dubbo.close();
    await sofaClient.close();
  });

  it('Auto downstream with upstream dubbo, and legacy X with sub_protocol dubbo', async () => {
    for (const name of ['auto_to_dubbo', 'legacy_x']) {
      const c = await RawDubboClient.connect(mosn.address(name).port);
      c.write(requestFrame(3, { service: DUBBO_SERVICE, method: 'echo', types: 'Ljava/lang/String;', args: [jstr(name)] }));
      assert.deepEqual(responseValue(await c.response(3)), { value: `dubbo:${name}` }, name);
      c.close();
    }
  });
});
