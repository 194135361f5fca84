import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { fakeClient, recordingLogger, RecordingReceiver, request, response, settle } from './http1-fixture';

const EMPTY = Buffer.alloc(0);

describe('http1 client codec (fake connection): requests', () => {
  it('encodes a GET: request line from :method and :path, Host from :authority, headers in order', async () => {
    const cli = await fakeClient();
    const rx = new RecordingReceiver();
    const tx = cli.codec.newStream(rx);
    assert.equal(cli.codec.activeStreams, 1);
    tx.sendHeaders(request('GET', '/a?b=1', 'backend:8080', [['Accept', '*/*'], ['X-Trace', 't1']]), true);
    assert.equal(cli.conn.text(), 'GET /a?b=1 HTTP/1.1\r\nHost: backend:8080\r\nAccept: */*\r\nX-Trace: t1\r\n\r\n');
  });

  it('writes Host from :authority, which wins over a host entry (host_rewrite changes :authority), and sends one Host', async () => {
    const cli = await fakeClient();
    const tx = cli.codec.newStream(new RecordingReceiver());
    tx.sendHeaders(request('GET', '/', 'from-authority', [['Host', 'from-header'], ['X-A', '1']]), true);
    assert.equal(cli.conn.text(), 'GET / HTTP/1.1\r\nHost: from-authority\r\nX-A: 1\r\n\r\n');
  });

  it('strips hop-by-hop headers of the downstream request', async () => {
    const cli = await fakeClient();
    const tx = cli.codec.newStream(new RecordingReceiver());
    tx.sendHeaders(
      request('GET', '/', 'b', [
        ['Connection', 'close, X-Hop'],
        ['Keep-Alive', '300'],
        ['Proxy-Connection', 'keep-alive'],
        ['TE', 'trailers'],
        ['X-Hop', 'h'],
        ['Trailer', 'X-T'],
        ['Expect', '100-continue'],
      ]),
      true,
    );
    assert.equal(cli.conn.text(), 'GET / HTTP/1.1\r\nHost: b\r\nExpect: 100-continue\r\n\r\n');
  });

  it('frames a body: Content-Length as given, chunked without one (with trailers), Content-Length: 0 for an empty POST', async () => {
    const cli = await fakeClient();
    const tx = cli.codec.newStream(new RecordingReceiver());
    tx.sendHeaders(request('POST', '/p', 'b', [['content-length', '5']]), false);
    tx.sendData(Buffer.from('hello'), true);
    assert.equal(cli.conn.text(), 'POST /p HTTP/1.1\r\nHost: b\r\ncontent-length: 5\r\n\r\nhello');

    const c2 = await fakeClient();
    const t2 = c2.codec.newStream(new RecordingReceiver());
    t2.sendHeaders(request('POST', '/p', 'b', [['Transfer-Encoding', 'chunked']]), false);
    t2.sendData(Buffer.from('abc'), false);
    t2.sendData(Buffer.from('de'), false);
    t2.sendTrailers(response(0, [['X-Sum', '9']]));
    assert.equal(c2.conn.text(), 'POST /p HTTP/1.1\r\nHost: b\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\nX-Sum: 9\r\n\r\n');

    const c3 = await fakeClient();
    c3.codec.newStream(new RecordingReceiver()).sendHeaders(request('POST', '/p', 'b'), true);
    assert.equal(c3.conn.text(), 'POST /p HTTP/1.1\r\nHost: b\r\nContent-Length: 0\r\n\r\n');
  });

  it('drops headers that could split the message or inject a header, keeping the rest', async () => {
    const cli = await fakeClient();
    const tx = cli.codec.newStream(new RecordingReceiver());
    tx.sendHeaders(
      request('GET', '/', 'b', [
        ['X-1', 'ok'],
        ['X-Cr', 'a\rb'],
        ['X-Lf', 'a\nInjected: 1'],
        ['X-Nul', 'a\0b'],
        ['Host: evil', 'x'],
        ['X Space', 'x'],
        ['', 'empty name'],
        ['X-2', 'tab\tand UTF-8 \u00e9 kept'],
      ]),
      true,
    );
    assert.equal(cli.conn.text(), 'GET / HTTP/1.1\r\nHost: b\r\nX-1: ok\r\nX-2: tab\tand UTF-8 \u00e9 kept\r\n\r\n');
  });

  it('refuses a request line that could split the message', async () => {
    const cli = await fakeClient();
    const rx = new RecordingReceiver();
    cli.codec.newStream(rx).sendHeaders(request('GET', '/a b\r\nX: y', 'b'), true);
    assert.equal(cli.conn.writes.length, 0);
    await settle();
    assert.equal((rx.resets[0] as { reason: string }).reason, 'LocalReset');
    assert.equal(cli.codec.reusable, false);
  });

  it('allows one stream at a time', async () => {
    const cli = await fakeClient();
    cli.codec.newStream(new RecordingReceiver());
    assert.throws(() => cli.codec.newStream(new RecordingReceiver()), /one stream at a time/);
  });
});

describe('http1 client codec (fake connection): responses', () => {
  it('decodes a response: :status then headers as received; the stream ends with the last body byte', async () => {
    const cli = await fakeClient();
    const rx = new RecordingReceiver();
    let activeAtEnd = -1;
    let reusableAtEnd = false;
    rx.onEndHook = () => {
      activeAtEnd = cli.codec.activeStreams;
      reusableAtEnd = cli.codec.reusable;
    };
    cli.codec.newStream(rx).sendHeaders(request('GET', '/', 'b'), true);
    cli.feed('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\nX-Dup: 1\r\nX-Dup: 2\r\n\r\nhello');
    cli.feed(' world');
    assert.deepEqual(rx.headers[0].entries(), [
      [':status', '200'],
      ['Content-Type', 'text/plain'],
      ['Content-Length', '11'],
      ['X-Dup', '1'],
      ['X-Dup', '2'],
    ]);
    assert.equal(rx.body().toString(), 'hello world');
    assert.equal(rx.endCount, 1);
    assert.equal(activeAtEnd, 0, 'the stream is done before the receiver hears the end (a pool may reuse it from there)');
    assert.equal(reusableAtEnd, true);
  });

  it('decodes a chunked response with trailers, byte by byte', async () => {
    const cli = await fakeClient();
    const rx = new RecordingReceiver();
    cli.codec.newStream(rx).sendHeaders(request('GET', '/', 'b'), true);
    for (const ch of 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nwiki\r\n5\r\npedia\r\n0\r\ngrpc-status: 0\r\n\r\n') cli.feed(ch);
    assert.equal(rx.body().toString(), 'wikipedia');
    const last = rx.events[rx.events.length - 1];
    assert.equal(last.kind, 'trailers');
    assert.equal(last.kind === 'trailers' && last.trailers.get('grpc-status'), '0');
    assert.equal(cli.codec.activeStreams, 0);
    assert.equal(cli.codec.reusable, true);
  });

  it('carries a 10 MiB response in many chunks', async () => {
    const cli = await fakeClient();
    const rx = new RecordingReceiver();
    cli.codec.newStream(rx).sendHeaders(request('GET', '/big', 'b'), true);
    const size = 10 * 1024 * 1024;
    const body = Buffer.alloc(size, 0);
    for (let i = 0; i < size; i += 1024) body[i] = i & 0xff;
    cli.feed(`HTTP/1.1 200 OK\r\nContent-Length: ${size}\r\n\r\n`);
    for (let at = 0; at < size; at += 50000) cli.feed(body.subarray(at, at + 50000));
    const got = rx.body();
    assert.equal(got.length, size);
    assert.equal(createHash('sha1').update(got).digest('hex'), createHash('sha1').update(body).digest('hex'));
    assert.equal(rx.endCount, 1);
    assert.equal(cli.codec.reusable, true);
  });

  it('delivers 100 Continue as interim onHeaders, then the final response', async () => {
    const cli = await fakeClient();
    const rx = new RecordingReceiver();
    const tx = cli.codec.newStream(rx);
    tx.sendHeaders(request('PUT', '/f', 'b', [['Content-Length', '3'], ['Expect', '100-continue']]), false);
    cli.feed('HTTP/1.1 100 Continue\r\n\r\n');
    assert.equal(rx.events.length, 1);
    assert.equal(rx.headers[0].get(':status'), '100');
    assert.equal((rx.events[0] as { end: boolean }).end, false);
    tx.sendData(Buffer.from('abc'), true);
    cli.feed('HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n');
    assert.deepEqual(
      rx.headers.map((h) => h.get(':status')),
      ['100', '103', '204'],
    );
    assert.equal(rx.endCount, 1);
    assert.equal(cli.codec.activeStreams, 0);
    assert.equal(cli.codec.reusable, true);
  });

  it('reads no body for HEAD, 204 and 304', async () => {
    for (const [method, head] of [
      ['HEAD', 'HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n'],
      ['GET', 'HTTP/1.1 204 No Content\r\n\r\n'],
      ['GET', 'HTTP/1.1 304 Not Modified\r\nContent-Length: 500\r\n\r\n'],
    ]) {
      const cli = await fakeClient();
      const rx = new RecordingReceiver();
      cli.codec.newStream(rx).sendHeaders(request(method, '/', 'b'), true);
      cli.feed(head);
      assert.equal(rx.events.length, 1, head);
      assert.equal((rx.events[0] as { end: boolean }).end, true);
      assert.equal(cli.codec.activeStreams, 0);
      assert.equal(cli.codec.reusable, true);
      // The next response parses on the same connection.
      const rx2 = new RecordingReceiver();
      cli.codec.newStream(rx2).sendHeaders(request('GET', '/2', 'b'), true);
      cli.feed('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      assert.equal(rx2.body().toString(), 'ok');
    }
  });

  it('is not reusable after Connection: close, and closes once the stream is done', async () => {
    const cli = await fakeClient();
    const rx = new RecordingReceiver();
    cli.codec.newStream(rx).sendHeaders(request('GET', '/', 'b'), true);
    cli.feed('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok');
    assert.equal(rx.body().toString(), 'ok');
    assert.equal(cli.codec.reusable, false);
    assert.equal(cli.codec.activeStreams, 0);
    await settle();
    assert.equal(cli.conn.state, 'closed');
  });

  it('reads a response without length until the upstream closes', async () => {
    const cli = await fakeClient();
    const rx = new RecordingReceiver();
    cli.codec.newStream(rx).sendHeaders(request('GET', '/', 'b'), true);
    cli.feed('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\npart one, ');
    assert.equal(cli.codec.reusable, false);
    cli.feed('part two');
    assert.equal(rx.ended, false);
    cli.feed('', true);
    assert.equal(rx.body().toString(), 'part one, part two');
    assert.equal(rx.endCount, 1);
    assert.equal(rx.resets.length, 0);
    assert.equal(cli.codec.activeStreams, 0);
  });

  it('HTTP/1.0 responses are not kept alive unless they say so', async () => {
    const cli = await fakeClient();
    cli.codec.newStream(new RecordingReceiver()).sendHeaders(request('GET', '/', 'b'), true);
    cli.feed('HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx');
    assert.equal(cli.codec.reusable, false);

    const ka = await fakeClient();
    ka.codec.newStream(new RecordingReceiver()).sendHeaders(request('GET', '/', 'b'), true);
    ka.feed('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx');
    assert.equal(ka.codec.reusable, true);
  });

  it('resets the stream with ConnectionTermination when the upstream closes before the response ends', async () => {
    const cli = await fakeClient();
    const rx = new RecordingReceiver();
    cli.codec.newStream(rx).sendHeaders(request('GET', '/', 'b'), true);
    cli.feed('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc', true);
    assert.equal((rx.resets[0] as { reason: string }).reason, 'ConnectionTermination');
    assert.equal(cli.codec.activeStreams, 0);
    assert.equal(cli.codec.reusable, false);

    const idle = await fakeClient();
    const rx2 = new RecordingReceiver();
    idle.codec.newStream(rx2).sendHeaders(request('GET', '/', 'b'), true);
    idle.codec.onConnectionClose();
    assert.equal((rx2.resets[0] as { reason: string }).reason, 'ConnectionTermination');
  });

  it('resets the stream with RemoteReset on a malformed response and closes', async () => {
    for (const bad of [
      'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nnope\r\n',
      'HTTP/1.1 2000 OK\r\n\r\n',
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
    ]) {
      const logger = recordingLogger();
      const cli = await fakeClient({ logger });
      const rx = new RecordingReceiver();
      cli.codec.newStream(rx).sendHeaders(request('GET', '/', 'b'), true);
      cli.feed(bad);
      assert.equal((rx.resets[0] as { reason: string })?.reason, 'RemoteReset', bad);
      assert.equal(cli.conn.state, 'closed');
      assert.equal(cli.codec.reusable, false);
      assert.ok(logger.lines.some((l) => l.level === 'warn'));
    }
  });

  it('reports the real error of a malformed response after a good one on the same connection', async () => {
    const logger = recordingLogger();
    const cli = await fakeClient({ logger });
    const rx1 = new RecordingReceiver();
    cli.codec.newStream(rx1).sendHeaders(request('GET', '/1', 'b'), true);
    cli.feed('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    assert.equal(rx1.body().toString(), 'ok');
    const rx2 = new RecordingReceiver();
    cli.codec.newStream(rx2).sendHeaders(request('GET', '/2', 'b'), true);
    cli.feed('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc');
    assert.equal((rx2.resets[0] as { reason: string })?.reason, 'RemoteReset');
    assert.match(String((rx2.resets[0] as { detail?: string }).detail), /HPE_UNEXPECTED_CONTENT_LENGTH/);
    assert.equal(logger.lines.find((l) => l.level === 'warn')?.fields.code, 'HPE_UNEXPECTED_CONTENT_LENGTH');
  });

  it('closes on a response nobody asked for', async () => {
    const cli = await fakeClient();
    cli.feed('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    assert.equal(cli.conn.state, 'closed');
    assert.equal(cli.codec.reusable, false);
  });

  it('a response completing before the request was sent makes the connection unusable', async () => {
    const cli = await fakeClient();
    const rx = new RecordingReceiver();
    const tx = cli.codec.newStream(rx);
    tx.sendHeaders(request('POST', '/upload', 'b', [['Content-Length', '1000']]), false);
    tx.sendData(Buffer.alloc(10), false);
    cli.feed('HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\n\r\n');
    assert.equal(rx.endCount, 1);
    assert.equal(cli.codec.activeStreams, 0);
    assert.equal(cli.codec.reusable, false);
    const before = cli.conn.bytesWritten;
    tx.sendData(Buffer.alloc(10), true);
    assert.equal(cli.conn.bytesWritten, before, 'the rest of the request is dropped');
  });

  it('reset() on an unfinished stream closes the connection without telling the receiver', async () => {
    const cli = await fakeClient();
    const rx = new RecordingReceiver();
    const tx = cli.codec.newStream(rx);
    tx.sendHeaders(request('GET', '/', 'b'), true);
    tx.reset('LocalReset');
    assert.equal(cli.conn.state, 'closed');
    assert.equal(cli.conn.closedWith, 'NoFlush');
    assert.equal(cli.codec.activeStreams, 0);
    assert.equal(cli.codec.reusable, false);
    await settle();
    assert.equal(rx.resets.length, 0);
  });

  it('a stream on a closed connection is reset with ConnectionTermination', async () => {
    const cli = await fakeClient();
    cli.codec.onConnectionClose();
    const rx = new RecordingReceiver();
    cli.codec.newStream(rx);
    await settle();
    assert.equal((rx.resets[0] as { reason: string }).reason, 'ConnectionTermination');
  });
});

describe('http1 client codec (fake connection): upgrade', () => {
  it('sends Connection: Upgrade, and after 101 carries raw bytes both ways until both sides end', async () => {
    const cli = await fakeClient();
    const rx = new RecordingReceiver();
    const tx = cli.codec.newStream(rx);
    tx.sendHeaders(request('GET', '/ws', 'b', [['Connection', 'Upgrade'], ['Upgrade', 'websocket'], ['Sec-WebSocket-Key', 'k']]), false);
    assert.equal(cli.conn.text(), 'GET /ws HTTP/1.1\r\nHost: b\r\nSec-WebSocket-Key: k\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n');
    tx.sendData(Buffer.from('early'), false); // kept until the 101
    assert.equal(cli.conn.text().endsWith('early'), false);
    cli.feed('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x02hi');
    assert.equal(rx.headers[0].get(':status'), '101');
    assert.equal((rx.events[0] as { end: boolean }).end, false);
    assert.equal(rx.body().toString('latin1'), '\x81\x02hi');
    assert.ok(cli.conn.text().endsWith('\r\n\r\nearly'), 'held tunnel data went out after the 101');
    assert.equal(cli.codec.reusable, false);
    cli.feed('HTTP/1.1 200 OK\r\n\r\n');
    assert.equal(rx.body().toString('latin1'), '\x81\x02hiHTTP/1.1 200 OK\r\n\r\n', 'raw after the switch');
    cli.conn.clearWrites();
    tx.sendData(Buffer.from('raw'), true);
    assert.equal(cli.conn.text(), 'raw');
    assert.equal(cli.conn.ended, true);
    assert.equal(cli.codec.activeStreams, 1);
    cli.feed('', true);
    assert.equal(rx.endCount, 1);
    assert.equal(cli.codec.activeStreams, 0);
    assert.equal(cli.conn.state, 'closed');
  });

  it('drops held tunnel data when the upgrade is refused, and the connection stays usable', async () => {
    const cli = await fakeClient();
    const rx = new RecordingReceiver();
    const tx = cli.codec.newStream(rx);
    tx.sendHeaders(request('GET', '/', 'b', [['Connection', 'Upgrade'], ['Upgrade', 'h2c']]), false);
    tx.sendData(Buffer.from('not-http'), false);
    cli.feed('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    tx.sendData(EMPTY, true);
    assert.equal(rx.body().toString(), 'ok');
    assert.ok(!cli.conn.text().includes('not-http'));
    assert.equal(cli.codec.activeStreams, 0);
    assert.equal(cli.codec.reusable, true);
  });
});
