import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningMosn } from '../support/mosn-harness';
import { proxyListener, serviceRoute, startBoltMosn } from './bolt-fixture';
import { RawBoltClient, requestFrame } from './bolt-wire';
import { BoltPeer, jint, jstr, SofaClient, sofaRequestFrame, startSofaServer, type SofaServer } from './sofa-peers';

const ECHO = 'com.example.EchoService';
const OTHER = 'com.example.OtherService';

describe('bolt proxy with real SOFARPC peers (sofa-rpc-node client → mosn-ts → sofa-rpc-node server)', () => {
  let serverA: SofaServer;
  let serverB: SofaServer;
  let mosn: RunningMosn;
  let port: number;
  let client: SofaClient;

  before(async () => {
    [serverA, serverB] = await Promise.all([startSofaServer('A'), startSofaServer('B')]);
    mosn = await startBoltMosn({
      listeners: [proxyListener('bolt', 'bolt', 'bolt')],
      routes: [serviceRoute(`${ECHO}:1.0`, 'echo_cluster'), serviceRoute(`${OTHER}:1.0`, 'other_cluster')],
      clusters: { echo_cluster: [serverA.address], other_cluster: [serverB.address] },
    });
    port = mosn.address('bolt').port;
    client = new SofaClient(`127.0.0.1:${port}`);
  });

  after(async () => {
    await client?.close();
    await mosn?.stop();
    await Promise.all([serverA?.kill(), serverB?.kill()]);
  });

  it('proxies unary calls with hessian2 arguments and returns the results', async () => {
    const echo = await client.consumer(ECHO);
    assert.equal(await echo.invoke('echo', [jstr('hello bolt')]), 'A:hello bolt');
    assert.equal(await echo.invoke('add', [jint(40), jint(2)]), 42);
    assert.equal(await echo.invoke('echo', [jstr('ünïcödé ✓')]), 'A:ünïcödé ✓');
  });

  it('routes two services to two clusters by the `service` header', async () => {
    const echo = await client.consumer(ECHO);
    const other = await client.consumer(OTHER);
    const [a, b] = await Promise.all([echo.invoke('echo', [jstr('x')]), other.invoke('whoami', [])]);
    assert.equal(a, 'A:x');
    assert.equal(b, 'B:other');
  });

  it('answers an unknown service with a bolt error (no route → status 6, no processor) carrying the request id', async () => {
    const raw = await RawBoltClient.connect(port);
    raw.write(requestFrame({ id: 77, headers: { service: 'com.example.Nope:1.0' } }));
    const res = await raw.response(77);
    assert.equal(res.status, 6);
    assert.equal(res.cmdCode, 2);
    raw.close();
    // A real client gets an error, not a hang.
    const nope = await client.consumer('com.example.Nope');
    await assert.rejects(nope.invoke('x', [], { responseTimeout: 2000 }), (err: Error) => !/no response in/.test(err.message));
  });

  it('forwards oneway requests: the server gets them, the client gets nothing back', async () => {
    const peer = await BoltPeer.connect(port);
    peer.oneway(11, ECHO, 'record', [jstr('oneway-1')]);
    peer.oneway(12, ECHO, 'record', [jstr('oneway-2')]);
    // A normal call after them on the same connection is answered; the oneway ids never are.
    const after = await peer.call(13, ECHO, 'echo', [jstr('after')]);
    assert.equal(after.data?.appResponse, 'A:after');
    const deadline = Date.now() + 3000;
    let recorded: string[] = [];
    while (Date.now() < deadline) {
      recorded = (await serverA.stats()).recorded;
      if (recorded.includes('oneway-2')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(recorded.includes('oneway-1') && recorded.includes('oneway-2'), `recorded: ${recorded}`);
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(!peer.responses.has(11) && !peer.responses.has(12), 'a oneway request got an answer');
    peer.close();
  });

  it('answers heartbeats from the client itself; the server never sees them', async () => {
    const before = (await serverA.stats()).heartbeats;
    const peer = await BoltPeer.connect(port);
    const ack = await peer.heartbeat(901);
    assert.equal(ack.packetType, 'heartbeat_ack');
    assert.equal(ack.packetId, 901);
    const ack2 = await peer.heartbeat(902);
    assert.equal(ack2.packetId, 902);
    assert.equal((await serverA.stats()).heartbeats, before);
    peer.close();
  });

  it('accepts boltv2 frames on the bolt listener and answers them in v2', async () => {
    const peer = await BoltPeer.connect(port, 2);
    const res = await peer.call(5, ECHO, 'echo', [jstr('v2')]);
    assert.equal(res.data?.appResponse, 'A:v2');
    const ack = await peer.heartbeat(6);
    assert.equal(ack.packetType, 'heartbeat_ack');
    peer.close();
  });

  it('boltv2 with CRC32: ids are rewritten both ways and the CRC still checks at both peers', async () => {
    const peer = await BoltPeer.connect(port, 2, true);
    let decodeErrors = 0;
    peer.on('decode-error', () => decodeErrors++);
    const results = await Promise.all([1, 2, 3].map((id) => peer.call(id, ECHO, 'echo', [jstr(`crc-${id}`)])));
    assert.deepEqual(
      results.map((r) => r.data?.appResponse),
      ['A:crc-1', 'A:crc-2', 'A:crc-3'],
    );
    assert.equal(decodeErrors, 0);
    peer.close();
  });

  it("honours the request's own timeout field: a slow call gets status 7 (timeout) from the proxy", async () => {
    const raw = await RawBoltClient.connect(port);
    const started = Date.now();
    raw.write(sofaRequestFrame(31, ECHO, 'slow', [jint(1500)], { timeout: 300 }));
    const res = await raw.response(31);
    const elapsed = Date.now() - started;
    assert.equal(res.status, 7);
    assert.ok(elapsed >= 250 && elapsed < 1200, `answered after ${elapsed} ms, not at the 300 ms timeout`);
    // The connection is still good.
    raw.write(sofaRequestFrame(32, ECHO, 'echo', [jstr('still')]));
    assert.equal((await raw.response(32)).status, 0);
    raw.close();
  });
});
