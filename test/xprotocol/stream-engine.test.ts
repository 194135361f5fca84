import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeaderMap } from '../../plugin-sdk';
import type { ClientStreamConnection, ServerStreamConnection } from '../../plugin-sdk';
import { createXProtocolFactory } from '../../core/stream/xprotocol/xprotocol-factory';
import {
  codecOptions,
  FakeClientConnection,
  FakeConnection,
  Feeder,
  RecordingCallbacks,
  RecordingReceiver,
  recordingLogger,
} from './fake-connections';
import { tx, TxCodec, txParse } from './test-codec';

/** A downstream connection, its server codec and what the proxy would see. */
function downstream(codec: TxCodec, maxFrameBytes?: number) {
  const logger = recordingLogger();
  const conn = new FakeConnection();
  const callbacks = new RecordingCallbacks();
  const factory = createXProtocolFactory('tx', codec);
  const server: ServerStreamConnection = factory.createServerConnection(conn, callbacks, codecOptions(logger, maxFrameBytes));
  conn.addEventListener({ onEvent: () => server.onConnectionClose() });
  return { conn, callbacks, server, logger, feeder: new Feeder(server) };
}

/** An upstream connection (connected) and its client codec. */
function upstream(codec: TxCodec) {
  const logger = recordingLogger();
  const conn = new FakeClientConnection();
  const client: ClientStreamConnection = createXProtocolFactory('tx', codec).createClientConnection(conn, codecOptions(logger));
  conn.addEventListener({ onEvent: (e) => e !== 'Connected' && client.onConnectionClose() });
  conn.connect();
  return { conn, client, logger, feeder: new Feeder(client) };
}

/** What the proxy does for one request: forward it upstream, and the response back. */
function forward(d: ReturnType<typeof downstream>, u: ReturnType<typeof upstream>, index: number) {
  const { responder, receiver } = d.callbacks.streams[index];
  const up = new RecordingReceiver();
  const sender = u.client.newStream(up);
  sender.sendHeaders(receiver.headers!, receiver.data.length === 0);
  for (let i = 0; i < receiver.data.length; i++) sender.sendData(receiver.data[i], i === receiver.data.length - 1);
  return {
    up,
    sender,
    /** Relays the upstream response (after it arrived) to the downstream client. */
    relay() {
      assert.ok(up.headers, 'no upstream response yet');
      responder.sendHeaders(up.headers, up.data.length === 0);
      for (let i = 0; i < up.data.length; i++) responder.sendData(up.data[i], i === up.data.length - 1);
    },
  };
}

describe('xprotocol stream engine', () => {
  it('decodes a request into headers + one body part, with the frame timeout as x-mosn-global-timeout', () => {
    const d = downstream(new TxCodec());
    d.feeder.feed(tx({ id: 7, timeout: 250, headers: [['service', 'svc']], body: Buffer.from('payload') }));
    assert.equal(d.callbacks.streams.length, 1);
    const r = d.callbacks.streams[0].receiver;
    assert.equal(r.headers!.get('service'), 'svc');
    assert.equal(r.headers!.get('x-mosn-global-timeout'), '250');
    assert.equal(r.headersEnd, false);
    assert.deepEqual(r.data.map(String), ['payload']);
    assert.equal(r.ended, true);
    assert.equal(d.server.activeStreams, 1);
  });

  it('waits for a whole frame across reads, and decodes several frames from one read', () => {
    const d = downstream(new TxCodec());
    const a = tx({ id: 1, body: Buffer.alloc(100, 1) });
    const b = tx({ id: 2 });
    d.feeder.feed(a.subarray(0, 10));
    d.feeder.feed(a.subarray(10, 60));
    assert.equal(d.callbacks.streams.length, 0);
    d.feeder.feed(Buffer.concat([a.subarray(60), b]));
    assert.equal(d.callbacks.streams.length, 2);
  });

  it('rewrites ids upstream: two clients using id 7 on one shared connection each get their own answer', () => {
    const codec = new TxCodec();
    const d1 = downstream(codec);
    const d2 = downstream(codec);
    const u = upstream(codec);
    d1.feeder.feed(tx({ id: 7, headers: [['who', 'one']], body: Buffer.from('one') }));
    d2.feeder.feed(tx({ id: 7, headers: [['who', 'two']], body: Buffer.from('two') }));
    const f1 = forward(d1, u, 0);
    const f2 = forward(d2, u, 0);
    const sent = txParse(u.conn.takeWritten());
    assert.deepEqual(sent.map((f) => f.id), [1, 2], 'upstream ids are the connection\'s own sequence');
    assert.deepEqual(sent.map((f) => String(f.body)), ['one', 'two']);
    // The upstream answers out of order.
    u.feeder.feed(Buffer.concat([tx({ type: 0, id: 2, body: Buffer.from('for two') }), tx({ type: 0, id: 1, body: Buffer.from('for one') })]));
    assert.equal(f1.up.headers!.get(':status'), '200');
    f1.relay();
    f2.relay();
    const back1 = txParse(d1.conn.takeWritten());
    const back2 = txParse(d2.conn.takeWritten());
    assert.deepEqual([back1[0].id, String(back1[0].body)], [7, 'for one']);
    assert.deepEqual([back2[0].id, String(back2[0].body)], [7, 'for two']);
    assert.equal(d1.server.activeStreams, 0);
    assert.equal(u.client.activeStreams, 0);
  });

  it('fast path: an unchanged frame is forwarded as its own bytes, only the id rewritten in place', () => {
    const codec = new TxCodec();
    const d = downstream(codec);
    const u = upstream(codec);
    const original = tx({ id: 9, timeout: 100, headers: [['service', 's']], body: Buffer.from('body') });
    const chunk = Buffer.from(original);
    d.feeder.feed(chunk);
    const f = forward(d, u, 0);
    const written = u.conn.written[0];
    const expected = Buffer.from(original);
    expected.writeUInt32BE(1, 3);
    assert.deepEqual(written, expected, 'same bytes but the id (the engine-made timeout header is not added)');
    assert.equal(written.buffer, chunk.buffer, 'a view on the bytes read, not a copy');
    const upstreamChunk = tx({ type: 0, id: 1, body: Buffer.from('r') });
    u.feeder.feed(upstreamChunk);
    f.relay();
    assert.equal(d.conn.written.length, 1);
    assert.equal(d.conn.written[0].buffer, upstreamChunk.buffer, 'the response went back as a view on the bytes read, not a copy');
    assert.equal(txParse(d.conn.written[0])[0].id, 9);
  });

  it('slow path: a changed header rebuilds the frame (no pseudo-headers, no engine-made timeout header)', () => {
    const codec = new TxCodec();
    const d = downstream(codec);
    const u = upstream(codec);
    d.feeder.feed(tx({ id: 3, timeout: 100, headers: [['service', 's']], body: Buffer.from('b') }));
    d.callbacks.streams[0].receiver.headers!.set('x-added', 'yes');
    const f = forward(d, u, 0);
    const [sent] = txParse(u.conn.takeWritten());
    assert.deepEqual(sent.headers, [
      ['service', 's'],
      ['x-added', 'yes'],
    ]);
    assert.equal(sent.timeout, 100, 'the frame keeps its own timeout field');
    assert.equal(String(sent.body), 'b');
    u.feeder.feed(tx({ type: 0, id: sent.id, headers: [['h', '1']], body: Buffer.from('r') }));
    f.up.headers!.remove('h');
    f.relay();
    const [back] = txParse(d.conn.takeWritten());
    assert.deepEqual(back.headers, []);
    assert.equal(back.id, 3);
  });

  it('answers heartbeats itself; they never become streams', () => {
    const d = downstream(new TxCodec());
    d.feeder.feed(tx({ id: 55, flags: 1 }));
    assert.equal(d.callbacks.streams.length, 0);
    const [reply] = txParse(d.conn.takeWritten());
    assert.deepEqual([reply.type, reply.flags, reply.id], [0, 1, 55]);
  });

  it('oneway: forwarded, the upstream stream ends by itself, nothing goes back downstream', async () => {
    const codec = new TxCodec();
    const d = downstream(codec);
    const u = upstream(codec);
    d.feeder.feed(tx({ id: 4, type: 2, body: Buffer.from('fire') }));
    const f = forward(d, u, 0);
    assert.equal(txParse(u.conn.takeWritten())[0].type, 2);
    assert.equal(u.client.activeStreams, 0, 'no id awaits an answer');
    await new Promise((r) => process.nextTick(r));
    assert.equal(f.up.ended, true);
    f.relay();
    assert.equal(d.conn.written.length, 0);
    assert.equal(d.server.activeStreams, 0);
    // A late answer to a oneway id is dropped.
    u.feeder.feed(tx({ type: 0, id: 1 }));
  });

  it('a local reply (:status without a frame) becomes the codec\'s hijack with the request id', () => {
    const codec = new TxCodec();
    const d = downstream(codec);
    d.feeder.feed(tx({ id: 12, headers: [['service', 'nowhere']] }));
    const { responder } = d.callbacks.streams[0];
    responder.sendHeaders(HeaderMap.fromFlat([':status', '404', 'content-type', 'text/plain']), false);
    responder.sendData(Buffer.from('no route\n'), true);
    const [reply] = txParse(d.conn.takeWritten());
    assert.deepEqual([reply.type, reply.id, reply.status], [0, 12, 404]);
    assert.deepEqual(codec.hijacks, [[12, 404]]);
  });

  it('a request id reused while in flight closes the connection with a log line', () => {
    const d = downstream(new TxCodec());
    d.feeder.feed(tx({ id: 5 }));
    d.feeder.feed(tx({ id: 5 }));
    assert.equal(d.conn.state, 'closed');
    assert.equal(d.conn.closedWith, 'NoFlush');
    assert.ok(d.logger.lines.some((l) => l.level === 'error' && /request id reused/.test(l.msg) && l.fields.requestId === 5));
    assert.equal(d.callbacks.streams[0].receiver.reset, 'ConnectionTermination');
  });

  it('bytes that are no frame (bad magic, over the size limit) close the connection with a log line', () => {
    const bad = downstream(new TxCodec());
    bad.feeder.feed(Buffer.from([0x01, 0x02, 0x03]));
    assert.equal(bad.conn.state, 'closed');
    assert.ok(bad.logger.lines.some((l) => l.level === 'error' && /undecodable bytes/.test(l.msg) && /bad magic/.test(String(l.fields.reason))));

    // The smaller of the codec's and the listener's limit applies.
    const big = downstream(new TxCodec(undefined, undefined, 64), 1 << 20);
    big.feeder.feed(tx({ id: 1, body: Buffer.alloc(100) }).subarray(0, 19));
    assert.equal(big.conn.state, 'closed');
    assert.ok(big.logger.lines.some((l) => /over 64/.test(String(l.fields.reason))));
  });

  it('a request with intact bounds but a broken part gets a codec-exception hijack; the connection stays', () => {
    const codec = new TxCodec();
    const d = downstream(codec);
    d.feeder.feed(Buffer.concat([tx({ id: 8, headers: [['a%', 'b']] }), tx({ id: 9 })]));
    assert.deepEqual(codec.hijacks, [[8, 0]]);
    assert.equal(d.conn.state, 'open');
    assert.equal(d.callbacks.streams.length, 1, 'the next frame is served');
    assert.ok(d.logger.lines.some((l) => l.level === 'warn' && /codec exception/.test(l.msg)));
  });

  it('a truncated frame followed by the client\'s FIN closes with a log line; a clean FIN waits for answers', () => {
    const cut = downstream(new TxCodec());
    cut.feeder.feed(tx({ id: 1, body: Buffer.alloc(10) }).subarray(0, 20), true);
    assert.equal(cut.conn.state, 'closed');
    assert.ok(cut.logger.lines.some((l) => /in the middle of a frame/.test(l.msg) && l.fields.bufferedBytes === 20));

    const clean = downstream(new TxCodec());
    clean.feeder.feed(tx({ id: 1 }), true);
    assert.equal(clean.conn.state, 'open', 'the answer is still owed');
    const { responder } = clean.callbacks.streams[0];
    responder.sendHeaders(HeaderMap.fromFlat([':status', '503']), true);
    assert.equal(txParse(clean.conn.takeWritten())[0].status, 503);
    assert.equal(clean.conn.state, 'closed');
  });

  it('upstream connection close resets every stream on it', () => {
    const codec = new TxCodec();
    const u = upstream(codec);
    const receivers = [new RecordingReceiver(), new RecordingReceiver()];
    for (const r of receivers) u.client.newStream(r);
    u.conn.emitClose('RemoteClose');
    assert.deepEqual(receivers.map((r) => r.reset), ['ConnectionTermination', 'ConnectionTermination']);
    assert.equal(u.client.activeStreams, 0);
    assert.equal(u.client.reusable, false);
  });

  it('upstream ids wrap after maxRequestId and skip ids still in flight', () => {
    const codec = new TxCodec(3);
    const d = downstream(codec);
    const u = upstream(codec);
    for (let i = 1; i <= 3; i++) d.feeder.feed(tx({ id: 100 + i }));
    const f = [0, 1, 2].map((i) => forward(d, u, i));
    u.feeder.feed(tx({ type: 0, id: 2 })); // only id 2 answered
    f[1].relay();
    d.feeder.feed(tx({ id: 200 }));
    forward(d, u, 3);
    const ids = txParse(u.conn.takeWritten()).map((x) => x.id);
    assert.deepEqual(ids, [1, 2, 3, 2]);
  });

  it('an upstream that sends garbage is closed with a log line, resetting its streams', () => {
    const u = upstream(new TxCodec());
    const r = new RecordingReceiver();
    u.client.newStream(r);
    u.feeder.feed(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'));
    assert.equal(u.conn.state, 'closed');
    assert.equal(r.reset, 'ConnectionTermination');
    assert.ok(u.logger.lines.some((l) => l.level === 'error' && /undecodable bytes from the upstream/.test(l.msg)));
  });

  it('goaway from the upstream: the connection takes no new streams', () => {
    const u = upstream(new TxCodec());
    assert.equal(u.client.reusable, true);
    u.feeder.feed(tx({ id: 0, flags: 2 }));
    assert.equal(u.client.reusable, false);
  });

  it('keepalive: heartbeats on an idle upstream; answered ones keep it, 3 misses close it', async () => {
    const codec = new TxCodec(undefined, { idleMs: 40, timeoutMs: 30, failuresToClose: 3 });
    const u = upstream(codec);
    // First heartbeat after ~40 ms idle; answer it.
    await new Promise((r) => setTimeout(r, 60));
    let beats = txParse(u.conn.takeWritten());
    assert.equal(beats.length, 1);
    assert.equal(beats[0].flags, 1);
    u.feeder.feed(tx({ type: 0, flags: 1, id: beats[0].id }));
    // Now stay silent: 3 heartbeats go unanswered, then the connection is closed.
    const deadline = Date.now() + 2000;
    while (u.conn.state !== 'closed' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(u.conn.state, 'closed');
    beats = txParse(u.conn.takeWritten());
    assert.equal(beats.length, 3, 'three unanswered heartbeats before the close');
    assert.ok(u.logger.lines.some((l) => l.level === 'error' && /keepalive/.test(l.msg) && l.fields.failures === 3));
    assert.equal(u.logger.lines.filter((l) => l.level === 'warn' && /not answered/.test(l.msg)).length, 2);
  });

  it('refuses to wrap a codec that lacks part of the contract, naming what is missing', () => {
    const partial = { ...Object.fromEntries(Object.getOwnPropertyNames(TxCodec.prototype).map((m) => [m, () => undefined])), poolMode: 'multiplex', maxRequestId: 10 };
    delete (partial as Record<string, unknown>).hijack;
    delete (partial as Record<string, unknown>).rebuild;
    assert.throws(() => createXProtocolFactory('half', partial as never), /xprotocol "half": the codec has no hijack, rebuild methods/);
    assert.throws(() => createXProtocolFactory('pool', { ...partial, hijack() {}, rebuild() {}, poolMode: 'shared' } as never), /poolMode must be/);
    assert.equal(typeof createXProtocolFactory('tx', new TxCodec()).match, 'function', 'Auto can ask it');
  });

  it('keepalive: a busy connection sends no heartbeats', async () => {
    const u = upstream(new TxCodec(undefined, { idleMs: 60, timeoutMs: 30, failuresToClose: 2 }));
    for (let i = 0; i < 6; i++) {
      await new Promise((res) => setTimeout(res, 20));
      u.feeder.feed(tx({ type: 0, id: 999 })); // reads keep it busy (an unknown id is dropped)
    }
    assert.equal(u.conn.written.length, 0);
  });
});
