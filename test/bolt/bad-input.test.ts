import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { RunningMosn } from '../support/mosn-harness';
import { proxyListener, serviceRoute, startBoltMosn } from './bolt-fixture';
import { RawBoltClient, requestFrame } from './bolt-wire';
import { jint, jstr, sofaRequestFrame, startSofaServer, type SofaServer } from './sofa-peers';

const ECHO = 'com.example.EchoService';

describe('bolt bad input: the offending connection is answered or closed with a log line; others carry on', () => {
  let server: SofaServer;
  let mosn: RunningMosn;
  let port: number;
  /** A well-behaved client connected all along. */
  let bystander: RawBoltClient;
  let bystanderId = 1000;

  before(async () => {
    server = await startSofaServer('A');
    mosn = await startBoltMosn({
      listeners: [proxyListener('bolt', 'bolt', 'bolt')],
      routes: [serviceRoute(`${ECHO}:1.0`, 'echo_cluster')],
      clusters: { echo_cluster: [server.address] },
    });
    port = mosn.address('bolt').port;
    bystander = await RawBoltClient.connect(port);
  });

  after(async () => {
    bystander?.close();
    await mosn?.stop();
    await server?.kill();
  });

  /** The bystander's connection still works. */
  async function bystanderCarriesOn(): Promise<void> {
    const id = ++bystanderId;
    bystander.write(sofaRequestFrame(id, ECHO, 'echo', [jstr(`ok-${id}`)]));
    const res = await bystander.response(id);
    assert.equal(res.status, 0);
    assert.equal(bystander.closed, false);
  }

  let logsBefore = 0;
  beforeEach(() => {
    logsBefore = mosn.logLines().length;
  });
  /** Log lines written since the test began whose message contains `text`. */
  const newLogs = (text: string) => mosn.logLines().slice(logsBefore).filter((l) => String(l.msg).includes(text));

  it('wrong magic: closed, logged', async () => {
    const c = await RawBoltClient.connect(port);
    c.write(Buffer.from('0701000100000001010000', 'hex'));
    await c.whenClosed();
    const lines = newLogs('undecodable bytes from the downstream');
    assert.equal(lines.length, 1);
    assert.match(String(lines[0].reason), /unknown bolt protocol code 0x07/);
    assert.equal(lines[0].firstBytes, '0701000100000001010000');
    await bystanderCarriesOn();
  });

  it('truncated frame followed by close: closed, logged, nothing reaches the server', async () => {
    const before = (await server.stats()).requests;
    const c = await RawBoltClient.connect(port);
    const frame = sofaRequestFrame(5, ECHO, 'echo', [jstr('cut short')]);
    c.write(frame.subarray(0, 30));
    await new Promise((r) => setTimeout(r, 50));
    c.socket.end();
    await c.whenClosed();
    const lines = newLogs('in the middle of a frame');
    assert.equal(lines.length, 1);
    assert.equal(lines[0].bufferedBytes, 30);
    assert.equal((await server.stats()).requests, before + 1, 'only the stats() call itself');
    await bystanderCarriesOn();
  });

  it('length field beyond the max frame size: closed at once, before the bytes arrive', async () => {
    const c = await RawBoltClient.connect(port);
    const head = requestFrame({ id: 9, headers: { service: `${ECHO}:1.0` } }).subarray(0, 22);
    head.writeUInt32BE(0x7fffffff, 18); // contentLen: 2 GiB
    c.write(head);
    await c.whenClosed(2000);
    const lines = newLogs('undecodable bytes from the downstream');
    assert.equal(lines.length, 1);
    assert.match(String(lines[0].reason), /exceeds the maximum frame size/);
    await bystanderCarriesOn();
  });

  it('garbage header block: answered with status 9 (codec exception) and its id; the connection stays', async () => {
    const c = await RawBoltClient.connect(port);
    const broken = Buffer.from('0000ffff' + '41', 'hex'); // key length 65535 in a 5-byte block
    c.write(requestFrame({ id: 21, headerBlock: broken }));
    const res = await c.response(21);
    assert.equal(res.status, 9);
    assert.equal(res.cmdCode, 2);
    const lines = newLogs('could not be decoded; answering with a codec exception');
    assert.equal(lines.length, 1);
    assert.match(String(lines[0].reason), /key length 65535/);
    c.write(sofaRequestFrame(22, ECHO, 'echo', [jstr('next')]));
    assert.equal((await c.response(22)).status, 0, 'the same connection goes on');
    c.close();
    await bystanderCarriesOn();
  });

  it('garbage hessian body: forwarded as MOSN does (bolt content is opaque); the caller gets an error with its id', async () => {
    const c = await RawBoltClient.connect(port);
    const garbage = Buffer.from('ffeeddccbbaa99887766554433221100', 'hex');
    const frame = requestFrame({ id: 31, headers: { service: `${ECHO}:1.0` }, content: garbage, timeout: 2000 });
    c.write(frame);
    const res = await c.response(31);
    assert.notEqual(res.status, 0, 'an error, not a success');
    // sofa-rpc-node's server cannot decode it and drops its connection; the proxy's pool
    // reconnects for the next call, on this connection and on others.
    c.write(sofaRequestFrame(32, ECHO, 'echo', [jstr('after garbage')]));
    assert.equal((await c.response(32)).status, 0);
    c.close();
    await bystanderCarriesOn();
  });

  it('a request id reused while in flight: the connection is closed, logged', async () => {
    const c = await RawBoltClient.connect(port);
    c.write(sofaRequestFrame(41, ECHO, 'slow', [jint(500)]));
    c.write(sofaRequestFrame(41, ECHO, 'echo', [jstr('same id')]));
    await c.whenClosed();
    const lines = newLogs('request id reused while a request with that id is in flight');
    assert.equal(lines.length, 1);
    assert.equal(lines[0].requestId, 41);
    assert.equal(lines[0].level, 'error');
    // Ids may be reused once answered.
    const d = await RawBoltClient.connect(port);
    d.write(sofaRequestFrame(42, ECHO, 'echo', [jstr('one')]));
    assert.equal((await d.response(42)).status, 0);
    d.write(sofaRequestFrame(42, ECHO, 'echo', [jstr('two')]));
    d.frames.length = 0;
    assert.equal((await d.response(42)).status, 0);
    d.close();
    await bystanderCarriesOn();
  });
});
