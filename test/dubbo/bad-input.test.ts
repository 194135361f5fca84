import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { RunningMosn } from '../support/mosn-harness';
import { REPO_ROOT } from '../support/paths';
import { proxyListener, serviceRoute, startDubboMosn } from './dubbo-fixture';
import { DubboProvider, jint, jstr } from './dubbo-peers';
import { frame, RawDubboClient, requestFrame, responseValue } from './dubbo-wire';

const ECHO = 'com.example.EchoService';
const echoCall = (id: number | bigint, text: string) => requestFrame(id, { service: ECHO, method: 'echo', types: 'Ljava/lang/String;', args: [jstr(text)] });

describe('dubbo bad input: the offending request or connection gets an error or is closed with a log line; others carry on', () => {
  let provider: DubboProvider;
  let mosn: RunningMosn;
  let port: number;
  /** A well-behaved client connected all along. */
  let bystander: RawDubboClient;
  let bystanderId = 1000;

  before(async () => {
    provider = await DubboProvider.start('A');
    mosn = await startDubboMosn({
      listeners: [proxyListener('dubbo', 'dubbo', 'dubbo')],
      routes: [serviceRoute(ECHO, 'echo_cluster'), serviceRoute('com.dmall.dsf.zone.proxy.service.ProxyInterface', 'echo_cluster')],
      clusters: { echo_cluster: [provider.address] },
    });
    port = mosn.address('dubbo').port;
    bystander = await RawDubboClient.connect(port);
  });

  after(async () => {
    bystander?.close();
    await mosn?.stop();
    await provider?.close();
  });

  async function bystanderCarriesOn(): Promise<void> {
    const id = ++bystanderId;
    bystander.write(echoCall(id, `ok-${id}`));
    const res = await bystander.response(id);
    assert.deepEqual(responseValue(res), { value: `A:ok-${id}` });
    assert.equal(bystander.closed, false);
  }

  let logsBefore = 0;
  beforeEach(() => {
    logsBefore = mosn.logLines().length;
  });
  /** Log lines written since the test began whose message contains `text`. */
  const newLogs = (text: string) => mosn.logLines().slice(logsBefore).filter((l) => String(l.msg).includes(text));

  it('wrong magic: closed, logged with the reason and the first bytes', async () => {
    const c = await RawDubboClient.connect(port);
    const bad = echoCall(1, 'x');
    bad[1] = 0xbc;
    c.write(bad);
    await c.whenClosed();
    const lines = newLogs('undecodable bytes from the downstream');
    assert.equal(lines.length, 1);
    assert.match(String(lines[0].reason), /wrong dubbo magic 0xdabc/);
    assert.match(String(lines[0].firstBytes), /^dabc/);
    await bystanderCarriesOn();
  });

  it('truncated frame followed by close: closed, logged, nothing reaches the provider', async () => {
    const seen = provider.requests.length;
    const c = await RawDubboClient.connect(port);
    c.socket.end(echoCall(5, 'cut short').subarray(0, 30));
    await c.whenClosed();
    const lines = newLogs('in the middle of a frame');
    assert.equal(lines.length, 1);
    assert.equal(lines[0].bufferedBytes, 30);
    assert.equal(provider.requests.length, seen);
    await bystanderCarriesOn();
  });

  it('body length beyond the max frame size: closed at once, before the bytes arrive', async () => {
    const c = await RawDubboClient.connect(port);
    const head = echoCall(9, 'x').subarray(0, 16);
    head.writeUInt32BE(0x7fffffff, 12); // 2 GiB
    c.write(head);
    await c.whenClosed(2000);
    const lines = newLogs('undecodable bytes from the downstream');
    assert.equal(lines.length, 1);
    assert.match(String(lines[0].reason), /dubbo frame of 2147483663 bytes exceeds the maximum frame size \(8388624 bytes\)/);
    await bystanderCarriesOn();
  });

  it('garbage hessian body: answered with status 40 and the reason, with its id; the connection stays', async () => {
    const seen = provider.requests.length;
    const c = await RawDubboClient.connect(port);
    c.write(frame({ flag: 0xc2, id: 21, body: Buffer.from('ffeeddccbbaa99887766554433221100', 'hex') }));
    const res = await c.response(21);
    assert.equal(res.status, 40);
    assert.equal(res.flag, 0x02);
    assert.match(String(responseValue(res).error), /^mosn-ts dubbo: hessian2 request body could not be read/);
    const lines = newLogs('could not be decoded; answering with a codec exception');
    assert.equal(lines.length, 1);
    assert.equal(lines[0].requestId, 21);
    assert.match(String(lines[0].reason), /hessian2 request body could not be read/);
    c.write(echoCall(22, 'next'));
    assert.deepEqual(responseValue(await c.response(22)), { value: 'A:next' }, 'the same connection goes on');
    assert.equal(provider.requests.length, seen + 1, 'the garbage never reached the provider');
    c.close();
    await bystanderCarriesOn();
  });

  it('a serialization other than hessian2: answered 40 "serialization id N not supported", the connection stays', async () => {
    const c = await RawDubboClient.connect(port);
    c.write(requestFrame(31, { service: ECHO, method: 'echo' }, { serialization: 6 }));
    const res = await c.response(31);
    assert.equal(res.status, 40);
    assert.match(String(responseValue(res).error), /serialization id 6 not supported/);
    assert.equal(newLogs('could not be decoded').length, 1);
    c.write(echoCall(32, 'next'));
    assert.deepEqual(responseValue(await c.response(32)), { value: 'A:next' });
    c.close();
  });

  it('request-complex.bin between two calls on one connection: all three answered in order of their ids', async () => {
    const c = await RawDubboClient.connect(port);
    c.write(Buffer.concat([echoCall(1, 'before'), fs.readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'dubbo', 'request-complex.bin')), echoCall(2, 'after')]));
    const [a, complex, b] = await Promise.all([c.response(1), c.response(10), c.response(2)]);
    assert.deepEqual(responseValue(a), { value: 'A:before' });
    assert.deepEqual(responseValue(complex), { value: 'A:unitTestByUnit' });
    assert.deepEqual(responseValue(b), { value: 'A:after' });
    c.close();
  });

  it('a request id reused while in flight: the connection is closed, logged; ids may be reused once answered', async () => {
    const c = await RawDubboClient.connect(port);
    c.write(requestFrame(41, { service: ECHO, method: 'slow', types: 'I', args: [jint(500)] }));
    c.write(echoCall(41, 'same id'));
    await c.whenClosed();
    const lines = newLogs('request id reused while a request with that id is in flight');
    assert.equal(lines.length, 1);
    assert.equal(lines[0].requestId, 41);
    assert.equal(lines[0].level, 'error');
    const d = await RawDubboClient.connect(port);
    d.write(echoCall(42, 'one'));
    assert.deepEqual(responseValue(await d.response(42)), { value: 'A:one' });
    d.frames.length = 0;
    d.write(echoCall(42, 'two'));
    assert.deepEqual(responseValue(await d.response(42)), { value: 'A:two' });
    d.close();
    await bystanderCarriesOn();
  });

  it('a request id beyond 2^53 - 1: closed with a log line saying so; large ids below it round-trip exactly', async () => {
    const c = await RawDubboClient.connect(port);
    const big = 2n ** 53n - 1n;
    c.write(echoCall(big, 'big id'));
    assert.deepEqual(responseValue(await c.response(big)), { value: 'A:big id' });
    c.write(echoCall(2n ** 63n + 7n, 'too big'));
    await c.whenClosed();
    const lines = newLogs('undecodable bytes from the downstream');
    assert.equal(lines.length, 1);
    assert.match(String(lines[0].reason), /request id 9223372036854775815 is beyond 2\^53 - 1/);
    await bystanderCarriesOn();
  });
});
