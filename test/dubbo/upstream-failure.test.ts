import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningMosn } from '../support/mosn-harness';
import { proxyListener, serviceRoute, startDubboMosn } from './dubbo-fixture';
import { DubboConsumer, DubboProvider, jint, jstr } from './dubbo-peers';

const ECHO = 'com.example.EchoService';
const OTHER = 'com.example.OtherService';

describe('dubbo: provider down', () => {
  let victim: DubboProvider;
  let survivor: DubboProvider;
  let mosn: RunningMosn;
  let port: number;

  before(async () => {
    [victim, survivor] = await Promise.all([DubboProvider.start('victim'), DubboProvider.start('survivor')]);
    mosn = await startDubboMosn({
      listeners: [proxyListener('dubbo', 'dubbo', 'dubbo')],
      routes: [serviceRoute(ECHO, 'victim_cluster'), serviceRoute(OTHER, 'survivor_cluster')],
      clusters: { victim_cluster: [victim.address], survivor_cluster: [survivor.address] },
      clusterExtra: { connect_timeout: '500ms' },
    });
    port = mosn.address('dubbo').port;
  });

  after(async () => {
    await mosn?.stop();
    await Promise.all([victim?.close(), survivor?.close()]);
  });

  it('in-flight and later calls get dubbo error responses with their own ids; other services carry on', async () => {
    const c1 = await DubboConsumer.connect(port);
    const c2 = await DubboConsumer.connect(port);
    assert.equal((await c1.invoke({ service: ECHO, method: 'echo', types: 'Ljava/lang/String;', args: [jstr('warm')] })).status, 20);
    // Both consumers use id 1 for a slow call parked on the victim.
    const slow1 = c1.invoke({ service: ECHO, method: 'slow', types: 'I', args: [jint(5000)] }, 10_000);
    const slow2 = c2.invoke({ service: ECHO, method: 'slow', types: 'I', args: [jint(5000)] }, 10_000);
    await victim.whenRequests(() => victim.requests.filter((r) => r.method === 'slow').length === 2);
    await victim.close();
    const [r1, r2] = await Promise.all([slow1, slow2]);
    for (const r of [r1, r2]) {
      assert.notEqual(r.status, 20, 'never success');
      assert.ok(r.status >= 40 && r.status <= 80, `an error status, got ${r.status}`);
      assert.match(String(r.error), /^\d+\|/, "MOSN's message");
    }
    assert.equal(r1.id, 1n);
    assert.equal(r2.id, 0n);

    // Later calls are answered promptly with the mapped status (connect refused → 503 → 40).
    const started = Date.now();
    const later = await c2.invoke({ service: ECHO, method: 'echo', types: 'Ljava/lang/String;', args: [jstr('later')] });
    assert.equal(later.status, 40);
    assert.equal(later.error, '503|upstream overflow');
    assert.ok(Date.now() - started < 2000);
    const ok = await c2.invoke({ service: OTHER, method: 'echo', types: 'Ljava/lang/String;', args: [jstr('fine')] });
    assert.deepEqual([ok.status, ok.value], [20, 'survivor:fine']);
    c1.close();
    c2.close();
  });

  it('a call past its route timeout is answered with status 31 (SERVER_TIMEOUT)', async () => {
    const c = await DubboConsumer.connect(port);
    // The consumer's timeout attachment (300 ms) bounds the proxy's wait.
    const r = await c.invoke({ service: OTHER, method: 'slow', types: 'I', args: [jint(2000)] }, 300);
    assert.equal(r.status, 31);
    assert.equal(r.error, '504|timeout');
    c.close();
  });
});
