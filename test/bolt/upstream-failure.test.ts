import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningMosn } from '../support/mosn-harness';
import { proxyListener, serviceRoute, startBoltMosn } from './bolt-fixture';
import { RawBoltClient } from './bolt-wire';
import { jint, jstr, SofaClient, sofaRequestFrame, startSofaServer, type SofaServer } from './sofa-peers';

const ECHO = 'com.example.EchoService';
const OTHER = 'com.example.OtherService';

describe('bolt: upstream server killed', () => {
  let victim: SofaServer;
  let survivor: SofaServer;
  let mosn: RunningMosn;
  let port: number;

  before(async () => {
    [victim, survivor] = await Promise.all([startSofaServer('victim'), startSofaServer('survivor')]);
    mosn = await startBoltMosn({
      listeners: [proxyListener('bolt', 'bolt', 'bolt')],
      routes: [serviceRoute(`${ECHO}:1.0`, 'victim_cluster'), serviceRoute(`${OTHER}:1.0`, 'survivor_cluster')],
      clusters: { victim_cluster: [victim.address], survivor_cluster: [survivor.address] },
      clusterExtra: { connect_timeout: '500ms' },
    });
    port = mosn.address('bolt').port;
  });

  after(async () => {
    await mosn?.stop();
    await Promise.all([victim?.kill(), survivor?.kill()]);
  });

  it('in-flight and later calls get bolt error responses with their own ids and a mapped status', async () => {
    const c1 = await RawBoltClient.connect(port);
    const c2 = await RawBoltClient.connect(port);
    // Warm the upstream connection, then park slow calls on it. Both clients use id 7.
    c1.write(sofaRequestFrame(1, ECHO, 'echo', [jstr('warm')]));
    assert.equal((await c1.response(1)).status, 0);
    c1.write(sofaRequestFrame(7, ECHO, 'slow', [jint(5000)], { timeout: 10_000 }));
    c1.write(sofaRequestFrame(8, ECHO, 'slow', [jint(5000)], { timeout: 10_000, version: 2 }));
    c2.write(sofaRequestFrame(7, ECHO, 'slow', [jint(5000)], { timeout: 10_000 }));
    await new Promise((r) => setTimeout(r, 300));

    await victim.kill();
    const [r1, r2, r3] = await Promise.all([c1.response(7), c1.response(8), c2.response(7)]);
    for (const r of [r1, r2, r3]) {
      assert.equal(r.cmdCode, 2, 'an RPC response');
      // The proxy answers an upstream it cannot reach with 503, which MOSN's mapping makes
      // status 4 (server thread pool busy); never success.
      assert.equal(r.status, 4);
    }
    assert.equal(r2.version, 2, 'a boltv2 request gets a boltv2 error response');

    // Calls made after the kill are answered the same way, promptly.
    const started = Date.now();
    c2.write(sofaRequestFrame(9, ECHO, 'echo', [jstr('later')]));
    const later = await c2.response(9);
    assert.equal(later.status, 4);
    assert.ok(Date.now() - started < 2000);

    // A sofa-rpc-node client sees an error, not a hang until its own timeout.
    const client = new SofaClient(`127.0.0.1:${port}`);
    const echo = await client.consumer(ECHO);
    const t0 = Date.now();
    await assert.rejects(echo.invoke('echo', [jstr('x')], { responseTimeout: 5000 }));
    assert.ok(Date.now() - t0 < 2500, 'the error came from the proxy, not from the client timeout');

    // The same downstream connections still serve other clusters.
    c1.write(sofaRequestFrame(10, OTHER, 'whoami', []));
    assert.equal((await c1.response(10)).status, 0);
    const other = await client.consumer(OTHER);
    assert.equal(await other.invoke('whoami', []), 'survivor:other');
    await client.close();
    c1.close();
    c2.close();
  });
});
