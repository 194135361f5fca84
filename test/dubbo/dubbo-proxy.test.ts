import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunningMosn } from '../support/mosn-harness';
import { REPO_ROOT } from '../support/paths';
import { proxyListener, serviceRoute, startDubboMosn } from './dubbo-fixture';
import { DubboConsumer, DubboProvider, jint, jstr } from './dubbo-peers';
import { heartbeatFrame, RawDubboClient, requestFrame, responseValue } from './dubbo-wire';

const ECHO = 'com.example.EchoService';
const OTHER = 'com.example.OtherService';
const NOTIFY = 'com.raycloud.notify.api.service.NotifyJobRequest';
const COMPLEX = 'com.dmall.dsf.zone.proxy.service.ProxyInterface';
const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'dubbo');

describe('dubbo through mosn-ts: consumer → proxy → provider', () => {
  let echo: DubboProvider;
  let other: DubboProvider;
  let methods: DubboProvider;
  let mosn: RunningMosn;
  let port: number;

  before(async () => {
    [echo, other, methods] = await Promise.all([DubboProvider.start('echo'), DubboProvider.start('other'), DubboProvider.start('methods')]);
    mosn = await startDubboMosn({
      listeners: [proxyListener('dubbo', 'dubbo', 'dubbo')],
      routes: [
        // By method first: ECHO's whoami goes to its own cluster.
        serviceRoute(ECHO, 'methods_cluster', [{ name: 'method', value: 'whoami' }]),
        serviceRoute(ECHO, 'echo_cluster'),
        serviceRoute(OTHER, 'other_cluster'),
        serviceRoute(NOTIFY, 'echo_cluster'),
        serviceRoute(COMPLEX, 'other_cluster'),
        // By an attachment: group "blue" of any service.
        { match: { headers: [{ name: 'group', value: 'blue' }] }, route: { cluster_name: 'methods_cluster' } },
      ],
      clusters: { echo_cluster: [echo.address], other_cluster: [other.address], methods_cluster: [methods.address] },
    });
    port = mosn.address('dubbo').port;
  });

  after(async () => {
    await mosn?.stop();
    await Promise.all([echo?.close(), other?.close(), methods?.close()]);
  });

  it('request-2.6.2.bin reaches the provider byte for byte apart from the request id, and its answer comes back', async () => {
    const bytes = fs.readFileSync(`${FIXTURES}/request-2.6.2.bin`);
    const seen = echo.requests.length;
    const c = await RawDubboClient.connect(port);
    c.write(bytes);
    const res = await c.response(76);
    assert.equal(res.status, 20);
    assert.deepEqual(responseValue(res), { value: 'echo:stopNotifyJob' });
    const got = echo.requests[seen];
    assert.equal(got.service, NOTIFY);
    assert.equal(got.version, '2.0.1-vpc-test');
    assert.equal(got.raw.length, bytes.length);
    assert.ok(got.raw.subarray(0, 4).equals(bytes.subarray(0, 4)), 'magic, flag, status');
    assert.ok(got.raw.subarray(12).equals(bytes.subarray(12)), 'length and body');
    c.close();
  });

  it('request-complex.bin (MOSN panicked on it) is routed on its attachments; the next request on the connection works', async () => {
    const bytes = fs.readFileSync(`${FIXTURES}/request-complex.bin`);
    const c = await RawDubboClient.connect(port);
    c.write(bytes);
    const res = await c.response(10);
    assert.equal(res.status, 20);
    assert.deepEqual(responseValue(res), { value: 'other:unitTestByUnit' });
    assert.equal(other.requests.at(-1)?.args.length, 4, 'the provider got all four arguments');
    c.write(requestFrame(11, { service: ECHO, method: 'echo', types: 'Ljava/lang/String;', args: [jstr('after')] }));
    assert.deepEqual(responseValue(await c.response(11)), { value: 'echo:after' });
    c.close();
  });

  it('routes by service (two services, two clusters), by method, and by the group attachment', async () => {
    const consumer = await DubboConsumer.connect(port);
    const [a, b, m, g] = await Promise.all([
      consumer.invoke({ service: ECHO, method: 'echo', types: 'Ljava/lang/String;', args: [jstr('hi')] }),
      consumer.invoke({ service: OTHER, method: 'echo', types: 'Ljava/lang/String;', args: [jstr('hi')] }),
      consumer.invoke({ service: ECHO, method: 'whoami' }),
      consumer.invoke({ service: 'com.example.Grouped', method: 'whoami', attachments: { group: 'blue' } }),
    ]);
    assert.deepEqual([a.status, a.value], [20, 'echo:hi']);
    assert.deepEqual([b.status, b.value], [20, 'other:hi']);
    assert.deepEqual([m.status, m.value], [20, 'methods']);
    assert.deepEqual([g.status, g.value], [20, 'methods']);
    consumer.close();
  });

  it('heartbeat events are answered by the proxy (flag 0x22, status 20, "NN"); the provider never sees them', async () => {
    const before = echo.heartbeats + other.heartbeats + methods.heartbeats;
    const consumer = await DubboConsumer.connect(port);
    const hb = await consumer.heartbeat();
    assert.deepEqual([hb.flag, hb.status, hb.body.toString('hex')], [0x22, 20, '4e4e']);
    // A oneway event gets no answer (Dubbo answers only two-way ones); a call after it still works.
    consumer.socket.write(heartbeatFrame(1000, false));
    const after = await consumer.invoke({ service: ECHO, method: 'echo', types: 'Ljava/lang/String;', args: [jstr('x')] });
    assert.equal(after.value, 'echo:x');
    assert.equal(echo.heartbeats + other.heartbeats + methods.heartbeats, before);
    consumer.close();
  });

  it('an unknown service is answered with status 60 (SERVICE_NOT_FOUND) and MOSN\'s message', async () => {
    const consumer = await DubboConsumer.connect(port);
    const r = await consumer.invoke({ service: 'com.example.Nobody', method: 'echo' });
    assert.equal(r.status, 60);
    assert.equal(r.error, '404|router unavailable');
    assert.equal(r.id, 0n, 'the first id of a consumer is 0 and comes back as such');
    consumer.close();
  });

  it('a oneway request reaches the provider and gets no answer', async () => {
    const c = await RawDubboClient.connect(port);
    const seen = echo.requests.length;
    c.write(requestFrame(5, { service: ECHO, method: 'fire', types: 'I', args: [jint(1)] }, { oneway: true }));
    c.write(requestFrame(6, { service: ECHO, method: 'echo', types: 'Ljava/lang/String;', args: [jstr('after oneway')] }));
    await c.response(6);
    assert.equal(echo.requests.slice(seen).map((r) => r.method).join(','), 'fire,echo');
    assert.equal(c.frames.filter((f) => f.id === 5n).length, 0);
    c.close();
  });

  it('multiplexing: 8 consumers × 100 concurrent calls over one upstream connection, each answer to its caller', async () => {
    const connectionsBefore = echo.connections;
    const consumers = await Promise.all(Array.from({ length: 8 }, () => DubboConsumer.connect(port)));
    const calls = [];
    for (let i = 0; i < 800; i++) {
      const c = consumers[i % consumers.length];
      // Slow and fast calls interleaved, so responses come back out of order.
      calls.push(
        i % 5 === 0
          ? c.invoke({ service: ECHO, method: 'slow', types: 'I', args: [jint(20 + (i % 30))] }).then((r) => assert.equal(r.value, 'echo:slow'))
          : c.invoke({ service: ECHO, method: 'echo', types: 'Ljava/lang/String;', args: [jstr(`call-${i}`)] }).then((r) => assert.equal(r.value, `echo:call-${i}`)),
      );
    }
    await Promise.all(calls);
    assert.equal(echo.connections - connectionsBefore, 0, 'the upstream connection made by earlier tests carries them all');
    // Every consumer used ids 0..99: the provider saw proxy-allocated ids, all distinct.
    const ids = echo.requests.slice(-800).map((r) => r.id);
    assert.equal(new Set(ids).size, 800);
    for (const c of consumers) c.close();
  });
});
