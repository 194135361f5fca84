import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { fakeServer, recordingLogger, response, settle, type ServedStream } from './http1-fixture';

const EMPTY = Buffer.alloc(0);

function entries(s: ServedStream, i = 0) {
  return s.receiver.headers[i].entries();
}

describe('http1 server codec (fake connection): requests', () => {
  it('decodes a simple GET: pseudo-headers first, then the headers as received (case, order, repeats)', async () => {
    const srv = await fakeServer();
    srv.feed('GET /a/b?c=1&d HTTP/1.1\r\nHost: example.com:8080\r\nUser-Agent: t/1\r\nX-Dup: 1\r\nx-dup: 2\r\nConnection: keep-alive\r\n\r\n');
    assert.equal(srv.undrained, 0, 'every byte drained');
    assert.equal(srv.streams.length, 1);
    const s = srv.streams[0];
    assert.deepEqual(entries(s), [
      [':method', 'GET'],
      [':path', '/a/b?c=1&d'],
      [':authority', 'example.com:8080'],
      [':scheme', 'http'],
      ['Host', 'example.com:8080'],
      ['User-Agent', 't/1'],
      ['X-Dup', '1'],
      ['x-dup', '2'],
      ['Connection', 'keep-alive'],
    ]);
    assert.equal(s.receiver.events.length, 1);
    assert.equal(s.receiver.events[0].kind === 'headers' && s.receiver.events[0].end, true, 'a GET ends with its head');
    assert.equal(srv.codec.activeStreams, 1);

    s.responder.sendHeaders(response(200, [['Content-Type', 'text/plain'], ['content-length', '5']]), false);
    s.responder.sendData(Buffer.from('hello'), true);
    assert.equal(srv.conn.text(), 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\ncontent-length: 5\r\n\r\nhello');
    assert.equal(srv.conn.writes.length, 1, 'head and body go out as one write');
    assert.equal(srv.codec.activeStreams, 0);
    assert.equal(srv.conn.state, 'open', 'keep-alive');
  });

  it('decodes a POST with Content-Length split over many reads; the last body chunk carries endStream', async () => {
    const srv = await fakeServer();
    const wire = 'POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello world';
    for (const ch of wire) srv.feed(ch);
    const s = srv.streams[0];
    assert.equal(s.receiver.events[0].kind, 'headers');
    assert.equal((s.receiver.events[0] as { end: boolean }).end, false);
    assert.equal(s.receiver.body().toString(), 'hello world');
    const last = s.receiver.events[s.receiver.events.length - 1];
    assert.equal(last.kind === 'data' && last.end, true);
    assert.equal(s.receiver.endCount, 1, 'endStream exactly once');
  });

  it('de-chunks a chunked request body (extensions ignored) and delivers trailers as onTrailers', async () => {
    const srv = await fakeServer();
    srv.feed('POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n');
    srv.feed('6\r\n world\r\n0\r\nX-Checksum: abc\r\nX-More: 1\r\n\r\n');
    const s = srv.streams[0];
    assert.equal(s.receiver.body().toString(), 'hello world');
    const last = s.receiver.events[s.receiver.events.length - 1];
    assert.equal(last.kind, 'trailers');
    assert.deepEqual(last.kind === 'trailers' && last.trailers.entries(), [
      ['X-Checksum', 'abc'],
      ['X-More', '1'],
    ]);
    assert.equal(s.receiver.endCount, 1);
    // Transfer-Encoding stays visible to filters.
    assert.equal(s.receiver.headers[0].get('transfer-encoding'), 'chunked');
  });

  it('ends a chunked body without trailers with an empty endStream onData', async () => {
    const srv = await fakeServer();
    srv.feed('POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n');
    const ev = srv.streams[0].receiver.events;
    assert.deepEqual(
      ev.map((e) => (e.kind === 'data' ? [e.data.toString(), e.end] : e.kind)),
      ['headers', ['abc', false], ['', true]],
    );
  });

  it('takes more than 32 headers (llhttp flushes them in parts) in order', async () => {
    const srv = await fakeServer();
    let wire = 'GET /many HTTP/1.1\r\nHost: h\r\n';
    for (let i = 0; i < 70; i++) wire += `X-H${i}: v${i}\r\n`;
    srv.feed(`${wire}\r\n`);
    const h = srv.streams[0].receiver.headers[0];
    assert.equal(h.get(':path'), '/many');
    assert.equal(h.size, 4 + 1 + 70);
    assert.equal(h.get('x-h0'), 'v0');
    assert.equal(h.get('x-h69'), 'v69');
    assert.deepEqual(h.entries()[5], ['X-H0', 'v0']);
  });

  it('keeps the request-target as received, and takes :authority from an absolute-form target', async () => {
    const srv = await fakeServer();
    srv.feed('GET http://other.example:81/x?y HTTP/1.1\r\nHost: h\r\n\r\n');
    const h = srv.streams[0].receiver.headers[0];
    assert.equal(h.get(':path'), 'http://other.example:81/x?y');
    assert.equal(h.get(':authority'), 'other.example:81');
  });

  it('passes header bytes through unchanged (latin1 both ways)', async () => {
    const srv = await fakeServer();
    srv.feed(Buffer.concat([Buffer.from('GET / HTTP/1.1\r\nHost: h\r\nX-Name: '), Buffer.from('café', 'utf8'), Buffer.from('\r\n\r\n')]));
    const s = srv.streams[0];
    const value = s.receiver.headers[0].get('x-name')!;
    s.responder.sendHeaders(response(200, [['X-Echo', value]]), true);
    assert.ok(srv.conn.bytes().includes(Buffer.from('X-Echo: café\r\n', 'utf8')));
  });
});

describe('http1 server codec (fake connection): responses', () => {
  it('encodes a response without length as chunked, with trailers', async () => {
    const srv = await fakeServer();
    srv.feed('GET / HTTP/1.1\r\nHost: h\r\n\r\n');
    const r = srv.streams[0].responder;
    r.sendHeaders(response(200, [['Content-Type', 'text/plain']]), false);
    r.sendData(Buffer.from('hello'), false);
    r.sendData(EMPTY, false); // must not end the body
    r.sendData(Buffer.from(' world!'), false);
    r.sendTrailers(response(0, [['X-Sum', '42']]));
    assert.equal(
      srv.conn.text(),
      'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n7\r\n world!\r\n0\r\nX-Sum: 42\r\n\r\n',
    );
    assert.equal(srv.codec.activeStreams, 0);
  });

  it('ends a chunked response with its last data chunk', async () => {
    const srv = await fakeServer();
    srv.feed('GET / HTTP/1.1\r\nHost: h\r\n\r\n');
    const r = srv.streams[0].responder;
    r.sendHeaders(response(200), false);
    r.sendData(Buffer.from('abc'), true);
    assert.equal(srv.conn.text(), 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n');
    assert.equal(srv.conn.writes.length, 1);
  });

  it('answers headers-only responses with Content-Length: 0', async () => {
    const srv = await fakeServer();
    srv.feed('GET / HTTP/1.1\r\nHost: h\r\n\r\n');
    srv.streams[0].responder.sendHeaders(response(404, [['X-A', 'b']]), true);
    assert.equal(srv.conn.text(), 'HTTP/1.1 404 Not Found\r\nX-A: b\r\nContent-Length: 0\r\n\r\n');
  });

  it('drops hop-by-hop headers (and the names Connection lists), pseudo-headers and invalid values', async () => {
    const srv = await fakeServer();
    srv.feed('GET / HTTP/1.1\r\nHost: h\r\n\r\n');
    srv.streams[0].responder.sendHeaders(
      response(200, [
        ['Connection', 'close, X-Secret'],
        ['Keep-Alive', 'timeout=5'],
        ['Proxy-Connection', 'keep-alive'],
        ['Transfer-Encoding', 'chunked'],
        ['TE', 'trailers'],
        ['Trailer', 'X-Sum'],
        ['Upgrade', 'h2c'],
        ['X-Secret', 's'],
        [':custom', 'x'],
        ['X-Bad', 'a\r\nInjected: 1'],
        ['Bad Name', 'v'],
        ['X-Keep', 'yes'],
        ['Content-Length', '2'],
      ]),
      false,
    );
    srv.streams[0].responder.sendData(Buffer.from('ok'), true);
    assert.equal(srv.conn.text(), 'HTTP/1.1 200 OK\r\nX-Keep: yes\r\nContent-Length: 2\r\n\r\nok');
    assert.equal(srv.conn.state, 'open', "the upstream's Connection: close is not the downstream's");
  });

  it('sends no body for HEAD (keeping its Content-Length), 204 and 304', async () => {
    for (const [method, status, headers, expected] of [
      ['HEAD', 200, [['Content-Length', '1234']], 'HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n'],
      ['HEAD', 200, [], 'HTTP/1.1 200 OK\r\n\r\n'],
      ['GET', 204, [['Content-Length', '0']], 'HTTP/1.1 204 No Content\r\n\r\n'],
      ['GET', 304, [['ETag', '"x"']], 'HTTP/1.1 304 Not Modified\r\nETag: "x"\r\n\r\n'],
    ] as const) {
      const srv = await fakeServer();
      srv.feed(`${method} / HTTP/1.1\r\nHost: h\r\n\r\n`);
      const r = srv.streams[0].responder;
      r.sendHeaders(response(status, headers.map(([n, v]) => [n, v])), false);
      r.sendData(Buffer.from('must not be sent'), true);
      assert.equal(srv.conn.text(), expected, `${method} ${status}`);
      assert.equal(srv.codec.activeStreams, 0);
      srv.feed('GET /next HTTP/1.1\r\nHost: h\r\n\r\n');
      assert.equal(srv.streams.length, 2, 'the connection goes on');
    }
  });

  it('cuts a body longer than its Content-Length and closes; a shorter one closes too', async () => {
    const srv = await fakeServer();
    srv.feed('GET / HTTP/1.1\r\nHost: h\r\n\r\n');
    srv.streams[0].responder.sendHeaders(response(200, [['content-length', '3']]), false);
    srv.streams[0].responder.sendData(Buffer.from('abcdef'), true);
    assert.equal(srv.conn.text(), 'HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nabc');
    assert.equal(srv.conn.state, 'closed');

    const srv2 = await fakeServer();
    srv2.feed('GET / HTTP/1.1\r\nHost: h\r\n\r\n');
    srv2.streams[0].responder.sendHeaders(response(200, [['content-length', '10']]), false);
    srv2.streams[0].responder.sendData(Buffer.from('abc'), true);
    assert.equal(srv2.conn.state, 'closed');
  });

  it('batches a streamed head until the end of the job', async () => {
    const srv = await fakeServer();
    srv.feed('GET / HTTP/1.1\r\nHost: h\r\n\r\n');
    srv.streams[0].responder.sendHeaders(response(200), false);
    assert.equal(srv.conn.writes.length, 0, 'held for body bytes that may follow at once');
    await settle();
    assert.equal(srv.conn.text(), 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
  });

  it('carries 10 MiB each way in many chunks', async () => {
    const srv = await fakeServer();
    const size = 10 * 1024 * 1024;
    const body = Buffer.alloc(size);
    for (let i = 0; i < size; i += 4) body.writeUInt32LE((i * 2654435761) >>> 0, i);
    srv.feed(`PUT /big HTTP/1.1\r\nHost: h\r\nContent-Length: ${size}\r\n\r\n`);
    for (let at = 0; at < size; at += 65536) srv.feed(body.subarray(at, at + 65536));
    const s = srv.streams[0];
    const got = s.receiver.body();
    assert.equal(got.length, size);
    assert.equal(createHash('sha256').update(got).digest('hex'), createHash('sha256').update(body).digest('hex'));
    assert.equal(s.receiver.endCount, 1);

    // And back, chunked, in 16 KiB pieces.
    s.responder.sendHeaders(response(200), false);
    for (let at = 0; at < size; at += 16384) s.responder.sendData(body.subarray(at, at + 16384), at + 16384 >= size);
    const wire = srv.conn.bytes();
    const headEnd = wire.indexOf('\r\n\r\n') + 4;
    // De-chunk what was written.
    const parts: Buffer[] = [];
    let at = headEnd;
    for (;;) {
      const eol = wire.indexOf('\r\n', at);
      const n = parseInt(wire.toString('latin1', at, eol), 16);
      at = eol + 2;
      if (n === 0) break;
      parts.push(wire.subarray(at, at + n));
      at += n + 2;
    }
    assert.ok(Buffer.concat(parts).equals(body));
    assert.equal(wire.toString('latin1', at), '\r\n');
  });

  it('passes the watermark state and onWritable through, and counts readDisable per stream', async () => {
    const srv = await fakeServer();
    srv.feed('POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nab');
    const r = srv.streams[0].responder;
    assert.equal(r.aboveWriteBufferHighWatermark, false);
    srv.conn.setAboveHighWatermark(true);
    assert.equal(r.aboveWriteBufferHighWatermark, true);
    let writable = 0;
    r.onWritable = () => writable++;
    srv.conn.setAboveHighWatermark(false);
    assert.equal(writable, 1);
    r.readDisable(true);
    r.readDisable(true);
    assert.equal(srv.conn.readDisableCount, 2);
    r.readDisable(false);
    assert.equal(srv.conn.readDisableCount, 1);
    srv.feed('cd');
    r.sendHeaders(response(200), true);
    assert.equal(srv.conn.readDisableCount, 0, 'a finished stream releases what it disabled');
  });
});

describe('http1 server codec (fake connection): connection management', () => {
  it('answers pipelined requests in order, one stream at a time, pausing reads meanwhile', async () => {
    const srv = await fakeServer();
    srv.feed(
      'GET /1 HTTP/1.1\r\nHost: h\r\n\r\n' +
        'POST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc' +
        'GET /3 HTTP/1.1\r\nHost: h\r\n\r\nGET /4 HT',
    );
    assert.equal(srv.streams.length, 1, 'only the first stream begins');
    assert.equal(srv.codec.activeStreams, 1, 'the others wait unparsed');
    assert.equal(srv.conn.readDisableCount, 1, 'reading pauses while requests wait');
    srv.feed('TP/1.1\r\nHost: h\r\n\r\n'); // held, not parsed yet
    assert.equal(srv.undrained, 0);

    const answer = (i: number) => {
      const s = srv.streams[i];
      s.responder.sendHeaders(response(200, [['content-length', '1']]), false);
      s.responder.sendData(Buffer.from(String(i + 1)), true);
    };
    answer(0);
    await settle();
    assert.equal(srv.streams.length, 2);
    const second = srv.streams[1];
    assert.equal(second.receiver.headers[0].get(':path'), '/2');
    assert.equal(second.receiver.body().toString(), 'abc');
    assert.equal(second.receiver.endCount, 1);
    answer(1);
    await settle();
    assert.equal(srv.streams[2].receiver.headers[0].get(':path'), '/3');
    answer(2);
    await settle();
    assert.equal(srv.streams[3].receiver.headers[0].get(':path'), '/4');
    assert.equal(srv.conn.readDisableCount, 0, 'reading resumes once nothing waits');
    answer(3);
    const statuses = srv.conn.text().match(/HTTP\/1\.1 200 OK\r\ncontent-length: 1\r\n\r\n(\d)/g)!;
    assert.deepEqual(
      statuses.map((m) => m.slice(-1)),
      ['1', '2', '3', '4'],
    );
    assert.equal(srv.codec.activeStreams, 0);
  });

  it('queues requests parsed behind a chunked one (llhttp cannot stop there) and begins them in order', async () => {
    const srv = await fakeServer();
    srv.feed(
      'POST /1 HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n' +
        'POST /2 HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\ncde\r\n0\r\nX-T: 1\r\n\r\n' +
        'GET /3 HTTP/1.1\r\nHost: h\r\n\r\n',
    );
    assert.equal(srv.streams.length, 1);
    // llhttp runs on through the chunked /2 into /3's head (it stops after that bodyless head).
    assert.equal(srv.codec.activeStreams, 3, 'the parsed ones wait as streams');
    srv.streams[0].responder.sendHeaders(response(200), true);
    await settle();
    assert.equal(srv.streams.length, 2);
    const second = srv.streams[1].receiver;
    assert.equal(second.headers[0].get(':path'), '/2');
    assert.equal(second.body().toString(), 'cde');
    const last = second.events[second.events.length - 1];
    assert.equal(last.kind === 'trailers' && last.trailers.get('x-t'), '1', 'queued parts replay in order, trailers last');
    assert.equal(second.endCount, 1);
    srv.streams[1].responder.sendHeaders(response(200), true);
    await settle();
    assert.equal(srv.streams[2].receiver.headers[0].get(':path'), '/3');
    srv.streams[2].responder.sendHeaders(response(200), true);
    assert.equal(srv.conn.readDisableCount, 0);
    assert.equal(srv.conn.text().split('HTTP/1.1 200 OK').length, 4);
  });

  it('answers pipelined requests answered synchronously, all from one read', async () => {
    const srv = await fakeServer();
    srv.onStream = (s) => s.responder.sendHeaders(response(204), true);
    srv.feed('GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\nGET /3 HTTP/1.1\r\nHost: h\r\n\r\n');
    await settle();
    assert.equal(srv.streams.length, 3);
    assert.equal(srv.conn.text().split('HTTP/1.1 204 No Content\r\n\r\n').length, 4);
  });

  it('closes after the response when the request says Connection: close', async () => {
    const srv = await fakeServer();
    srv.feed('GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n');
    srv.streams[0].responder.sendHeaders(response(200, [['content-length', '2']]), false);
    assert.equal(srv.conn.state, 'open');
    srv.streams[0].responder.sendData(Buffer.from('ok'), true);
    assert.equal(srv.conn.text(), 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\nConnection: close\r\n\r\nok');
    assert.equal(srv.conn.state, 'closed');
    assert.equal(srv.conn.closedWith, 'FlushWrite');
  });

  it('keeps a keep-alive connection open across requests', async () => {
    const srv = await fakeServer();
    for (let i = 0; i < 3; i++) {
      srv.feed(`GET /${i} HTTP/1.1\r\nHost: h\r\n\r\n`);
      srv.streams[i].responder.sendHeaders(response(200), true);
    }
    assert.equal(srv.streams.length, 3);
    assert.equal(srv.conn.state, 'open');
    assert.ok(!srv.conn.text().includes('Connection'));
  });

  it('HTTP/1.0: closes by default, keeps alive on request, never sends chunked or 1xx', async () => {
    const srv = await fakeServer();
    srv.feed('GET / HTTP/1.0\r\n\r\n');
    const h = srv.streams[0].receiver.headers[0];
    assert.equal(h.get(':authority'), undefined, 'no Host, no authority');
    srv.streams[0].responder.sendHeaders(response(200, [['content-length', '2']]), false);
    srv.streams[0].responder.sendData(Buffer.from('ok'), true);
    assert.equal(srv.conn.text(), 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\nConnection: close\r\n\r\nok');
    assert.equal(srv.conn.state, 'closed');

    const ka = await fakeServer();
    ka.feed('GET / HTTP/1.0\r\nConnection: keep-alive\r\nExpect: 100-continue\r\n\r\n');
    const r = ka.streams[0].responder;
    r.sendHeaders(response(100), false);
    r.sendHeaders(response(200, [['content-length', '2']]), false);
    r.sendData(Buffer.from('ok'), true);
    assert.equal(ka.conn.text(), 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\nConnection: keep-alive\r\n\r\nok');
    assert.equal(ka.conn.state, 'open');

    const unknown = await fakeServer();
    unknown.feed('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    const u = unknown.streams[0].responder;
    u.sendHeaders(response(200), false);
    u.sendData(Buffer.from('streamed'), false);
    u.sendData(Buffer.from('!'), true);
    assert.equal(unknown.conn.text(), 'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nstreamed!', 'delimited by the close');
    assert.equal(unknown.conn.state, 'closed');
  });

  it('goAway: closes an idle connection at once; otherwise the next response says close and the connection closes after it', async () => {
    const idle = await fakeServer();
    idle.codec.goAway();
    assert.equal(idle.conn.state, 'closed');

    const busy = await fakeServer();
    busy.feed('GET / HTTP/1.1\r\nHost: h\r\n\r\n');
    busy.codec.goAway();
    assert.equal(busy.conn.state, 'open');
    busy.streams[0].responder.sendHeaders(response(200), true);
    assert.equal(busy.conn.text(), 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    assert.equal(busy.conn.state, 'closed');
  });

  it('resets the active stream with ConnectionTermination when the connection closes', async () => {
    const srv = await fakeServer();
    srv.feed('POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc');
    srv.codec.onConnectionClose();
    assert.deepEqual(srv.streams[0].receiver.resets, [{ kind: 'reset', reason: 'ConnectionTermination', detail: undefined }]);
    assert.equal(srv.codec.activeStreams, 0);
    srv.streams[0].responder.sendHeaders(response(200), true);
    assert.equal(srv.conn.writes.length, 0, 'nothing is written after the close');
  });

  it('reset() before the response completes closes the connection', async () => {
    const srv = await fakeServer();
    srv.feed('GET / HTTP/1.1\r\nHost: h\r\n\r\n');
    const r = srv.streams[0].responder;
    r.sendHeaders(response(200, [['content-length', '100']]), false);
    r.sendData(Buffer.from('partial'), false);
    r.reset('UpstreamGlobalTimeout');
    assert.equal(srv.conn.state, 'closed');
    assert.ok(srv.conn.text().endsWith('partial'));
    assert.equal(srv.streams[0].receiver.resets.length, 0, 'the side that reset is not told again');
  });

  it('a client FIN after a complete request: the response goes out with Connection: close, then the connection closes', async () => {
    const srv = await fakeServer();
    srv.feed('GET / HTTP/1.1\r\nHost: h\r\n\r\n', true);
    assert.equal(srv.conn.state, 'open');
    srv.streams[0].responder.sendHeaders(response(200), true);
    assert.equal(srv.conn.text(), 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    assert.equal(srv.conn.state, 'closed');
  });

  it('a client FIN in the middle of a request resets its stream and closes', async () => {
    const srv = await fakeServer();
    srv.feed('POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc', true);
    assert.equal(srv.streams[0].receiver.resets[0]?.kind === 'reset' && srv.streams[0].receiver.resets[0].reason, 'RemoteReset');
    assert.equal(srv.conn.state, 'closed');
  });

  it('an idle client FIN closes the connection', async () => {
    const srv = await fakeServer();
    srv.feed('', true);
    assert.equal(srv.conn.state, 'closed');
  });

  it('answers early (before the request body is in) with Connection: close', async () => {
    const srv = await fakeServer();
    srv.feed('POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\nabc');
    srv.streams[0].responder.sendHeaders(response(413), true);
    assert.equal(srv.conn.text(), 'HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    assert.equal(srv.conn.state, 'closed');
  });
});

describe('http1 server codec (fake connection): 100-continue and upgrade', () => {
  it('passes Expect through and encodes an interim 100 Continue before the final response', async () => {
    const srv = await fakeServer();
    srv.feed('POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n');
    const s = srv.streams[0];
    assert.equal(s.receiver.headers[0].get('expect'), '100-continue');
    assert.equal(srv.conn.writes.length, 0, 'no automatic 100');
    s.responder.sendHeaders(response(100), false);
    assert.equal(srv.conn.text(), 'HTTP/1.1 100 Continue\r\n\r\n', 'written at once');
    srv.feed('hello');
    assert.equal(s.receiver.body().toString(), 'hello');
    s.responder.sendHeaders(response(201, [['content-length', '0']]), true);
    assert.equal(srv.conn.text(), 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\ncontent-length: 0\r\n\r\n');
    assert.equal(srv.conn.state, 'open');
  });

  it('switches to a raw tunnel after 101: bytes both ways are stream data until both sides end', async () => {
    const srv = await fakeServer();
    srv.feed('GET /chat HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: k\r\n\r\n\x81\x05early');
    const s = srv.streams[0];
    assert.equal(s.receiver.events.length, 1);
    assert.equal((s.receiver.events[0] as { end: boolean }).end, false, 'the stream goes on after the head');
    assert.equal(s.receiver.headers[0].get('upgrade'), 'websocket');
    assert.equal(srv.conn.readDisableCount, 1, 'bytes after the upgrade request wait');
    srv.feed('more');
    assert.equal(s.receiver.body().length, 0);

    s.responder.sendHeaders(response(101, [['Upgrade', 'websocket'], ['Connection', 'Upgrade'], ['Sec-WebSocket-Accept', 'a']]), false);
    assert.equal(srv.conn.text(), 'HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Accept: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n');
    await settle();
    assert.equal(s.receiver.body().toString('latin1'), '\x81\x05earlymore');
    assert.equal(srv.conn.readDisableCount, 0);
    srv.feed('GET / HTTP/1.1\r\n\r\n'); // not HTTP any more
    assert.equal(s.receiver.body().toString('latin1'), '\x81\x05earlymoreGET / HTTP/1.1\r\n\r\n');
    assert.equal(srv.streams.length, 1);

    srv.conn.clearWrites();
    s.responder.sendData(Buffer.from('\x82\x01x', 'latin1'), false);
    assert.equal(srv.conn.text(), '\x82\x01x', 'raw, no chunk framing');
    srv.feed('', true);
    const last = s.receiver.events[s.receiver.events.length - 1];
    assert.equal(last.kind === 'data' && last.end, true, 'the client FIN ends the inbound side');
    assert.equal(srv.conn.state, 'open', 'the other direction still runs');
    s.responder.sendData(Buffer.from('bye'), true);
    assert.equal(srv.conn.ended, true, 'FIN toward the client');
    assert.equal(srv.conn.state, 'closed');
  });

  it('continues with HTTP when the upgrade is refused', async () => {
    const srv = await fakeServer();
    srv.feed('GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAA\r\n\r\nGET /next HTTP/1.1\r\nHost: h\r\n\r\n');
    const s = srv.streams[0];
    s.responder.sendHeaders(response(200, [['content-length', '2']]), false);
    s.responder.sendData(Buffer.from('ok'), true);
    await settle();
    assert.equal(s.receiver.endCount, 1, 'the request ended when the upgrade was refused');
    assert.equal(srv.streams.length, 2);
    assert.equal(srv.streams[1].receiver.headers[0].get(':path'), '/next');
    assert.ok(srv.conn.text().startsWith('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'));
  });

  it('CONNECT: a 2xx opens the tunnel', async () => {
    const srv = await fakeServer();
    srv.feed('CONNECT db.internal:5432 HTTP/1.1\r\nHost: db.internal:5432\r\n\r\nhello');
    const s = srv.streams[0];
    assert.equal(s.receiver.headers[0].get(':path'), 'db.internal:5432');
    s.responder.sendHeaders(response(200), false);
    assert.equal(srv.conn.text(), 'HTTP/1.1 200 OK\r\n\r\n');
    await settle();
    assert.equal(s.receiver.body().toString(), 'hello');
  });
});

describe('http1 server codec (fake connection): bad input', () => {
  const cases: [string, string, string][] = [
    ['a malformed request line', 'GET/ HTTP/1.1\r\nHost: h\r\n\r\n', '400 Bad Request'],
    ['an invalid method', 'G@T / HTTP/1.1\r\nHost: h\r\n\r\n', '400 Bad Request'],
    ['an unsupported version', 'GET / HTTP/2.1\r\nHost: h\r\n\r\n', '400 Bad Request'],
    ['a bare LF line ending', 'GET / HTTP/1.1\nHost: h\n\n', '400 Bad Request'],
    ['invalid header name bytes', 'GET / HTTP/1.1\r\nHost: h\r\nBad Name: v\r\n\r\n', '400 Bad Request'],
    ['a space before the colon', 'GET / HTTP/1.1\r\nHost : h\r\n\r\n', '400 Bad Request'],
    ['a control byte in a value', 'GET / HTTP/1.1\r\nHost: h\r\nX: a\x01b\r\n\r\n', '400 Bad Request'],
    ['obs-fold', 'GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n', '400 Bad Request'],
    ['Content-Length with Transfer-Encoding', 'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', '400 Bad Request'],
    ['differing duplicate Content-Length', 'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd', '400 Bad Request'],
    ['a non-numeric Content-Length', 'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3a\r\n\r\nabc', '400 Bad Request'],
    ['a Transfer-Encoding that does not end in chunked', 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n', '400 Bad Request'],
    ['an invalid chunk size', 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n', '400 Bad Request'],
    ['HTTP/1.1 without Host', 'GET / HTTP/1.1\r\nAccept: */*\r\n\r\n', '400 Bad Request'],
    ['two Host headers', 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', '400 Bad Request'],
    ['an upgrade request without Host', 'GET / HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nraw', '400 Bad Request'],
    ['a header block over maxHeaderBytes', `GET / HTTP/1.1\r\nHost: h\r\nX-Big: ${'a'.repeat(9000)}\r\n\r\n`, '431 Request Header Fields Too Large'],
  ];
  for (const [what, wire, status] of cases) {
    it(`answers ${status.slice(0, 3)} and closes for ${what}`, async () => {
      const logger = recordingLogger();
      const srv = await fakeServer({ logger });
      srv.feed(wire);
      assert.equal(srv.conn.text(), `HTTP/1.1 ${status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
      assert.equal(srv.conn.state, 'closed');
      const opened = srv.streams.filter((s) => s.receiver.resets.length === 0);
      assert.equal(opened.length, 0, 'no stream survives');
      const line = logger.lines.find((l) => l.level === 'warn');
      assert.ok(line, 'logged');
      assert.match(String(line.fields.code), /^HPE_/);
      assert.ok(String(line.fields.reason).length > 0);
      srv.feed('GET / HTTP/1.1\r\nHost: h\r\n\r\n');
      assert.equal(srv.conn.text(), `HTTP/1.1 ${status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`, 'nothing more');
    });
  }

  it('resets a begun stream whose chunked body goes bad, then answers 400', async () => {
    const srv = await fakeServer();
    srv.feed('POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n');
    const s = srv.streams[0];
    assert.equal(s.receiver.body().toString(), 'abc');
    srv.feed('XYZ\r\n');
    assert.equal(s.receiver.resets.length, 1);
    assert.equal((s.receiver.resets[0] as { reason: string }).reason, 'RemoteReset');
    assert.equal(srv.conn.text(), 'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    assert.equal(srv.conn.state, 'closed');
  });

  it('answers a bad pipelined request only after the good ones before it', async () => {
    const srv = await fakeServer();
    srv.feed('GET /ok HTTP/1.1\r\nHost: h\r\n\r\nGET /bad HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n');
    assert.equal(srv.conn.writes.length, 0);
    srv.streams[0].responder.sendHeaders(response(200), true);
    await settle();
    assert.equal(srv.conn.text(), 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    assert.equal(srv.conn.state, 'closed');
  });

  it('reports the real error of a request after earlier ones on the connection (llhttp stopped after them)', async () => {
    // After a head answered with "stop here" llhttp keeps an upgrade flag that makes Node's binding
    // drop errors until the next head completes; the codec recovers the real error.
    const logger = recordingLogger();
    const srv = await fakeServer({ logger });
    srv.feed('POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc');
    srv.streams[0].responder.sendHeaders(response(200), true);
    srv.feed('GET /b HTTP/1.1\r\nHost: h\r\n\r\n');
    srv.streams[1].responder.sendHeaders(response(200), true);
    srv.conn.clearWrites();
    srv.feed(`GET /c HTTP/1.1\r\nHost: h\r\nX-Big: ${'a'.repeat(5000)}`);
    srv.feed(`${'a'.repeat(5000)}\r\n\r\n`);
    assert.equal(srv.conn.text(), 'HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    assert.equal(logger.lines.find((l) => l.level === 'warn')?.fields.code, 'HPE_HEADER_OVERFLOW');

    const srv2 = await fakeServer({ logger });
    srv2.feed('PUT /a HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nok');
    srv2.streams[0].responder.sendHeaders(response(204), true);
    srv2.feed('POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n');
    assert.equal(srv2.conn.text(), 'HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    assert.equal(srv2.streams.length, 1);
  });

  it('accepts a header block just under maxHeaderBytes', async () => {
    const srv = await fakeServer({ maxHeaderBytes: 8192 });
    srv.feed(`GET / HTTP/1.1\r\nHost: h\r\nX-Big: ${'a'.repeat(7000)}\r\n\r\n`);
    assert.equal(srv.streams.length, 1);
    assert.equal(srv.conn.writes.length, 0);
  });
});
