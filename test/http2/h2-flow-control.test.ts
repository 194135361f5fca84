import assert from 'node:assert/strict';
import type * as http2 from 'node:http2';
import { after, before, describe, it } from 'node:test';
import { cluster, startMosn, type RunningMosn } from '../support/mosn-harness';
import { h2Close, h2Connect, proxyServer, startH2Upstream, type H2Upstream } from '../support/h2-peers';
import { drain, MiB, PatternWriter } from '../support/pattern-stream';

const TOTAL = 32 * MiB;
/** What the proxy may hold for one stream while its reader is stopped: windows and stream buffers, not the body. */
const HELD_LIMIT = 8 * MiB;
/** How long a writer waits for a 'drain' before the test calls it blocked (see PatternWriter.stalled). */
const QUIET_MS = 300;

/**
 * The upstream: GET /download streams TOTAL bytes honouring write() backpressure; POST /upload
 * is handed to the test unread, and read (counted, hashed) when the test says so.
 */
function flowUpstream() {
  let download: PatternWriter | undefined;
  let uploadWaiter: ((s: http2.ServerHttp2Stream) => void) | undefined;
  const handler = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
    if (headers[':path'] === '/download') {
      stream.respond({ ':status': 200 });
      download = new PatternWriter(stream, TOTAL).start();
    } else {
      uploadWaiter?.(stream);
    }
  };
  return {
    handler,
    download: () => download!,
    /** The next upload stream, not read from yet (no 'data' listener: Node does not read it). */
    nextUpload: () => new Promise<http2.ServerHttp2Stream>((resolve) => (uploadWaiter = resolve)),
  };
}

describe('HTTP/2 proxy respects flow control (a stopped reader is not buffered for)', { timeout: 60_000 }, () => {
  const peer = flowUpstream();
  let upstream: H2Upstream;
  let mosn: RunningMosn;
  let port: number;

  before(async () => {
    upstream = await startH2Upstream(peer.handler);
    mosn = await startMosn({ servers: [proxyServer('Http2', 'Http2', 'h2')], cluster_manager: { clusters: [cluster('h2', [upstream.address])] } });
    port = mosn.address('proxy').port;
  });

  after(async () => {
    await mosn.stop();
    await upstream.close();
  });

  it('32 MiB response to a client that does not read: the upstream is held back, then everything arrives intact', async () => {
    const session = await h2Connect(port);
    const req = session.request({ ':method': 'GET', ':path': '/download' });
    const status = new Promise<number>((resolve) => req.once('response', (h) => resolve(Number(h[':status']))));
    assert.equal(await status, 200);
    // No 'data' listener yet: Node's client stream does not read, so it sends no WINDOW_UPDATE.
    const writer = peer.download();
    const heldBack = await writer.stalled(QUIET_MS);
    assert.ok(writer.refusals > 0, 'the upstream saw write() return false');
    assert.ok(heldBack < HELD_LIMIT, `the upstream wrote ${heldBack} bytes while the client did not read (must stay below ${HELD_LIMIT})`);

    const got = await drain(req);
    assert.equal(got.bytes, TOTAL);
    assert.equal(got.digest, writer.digest);
    await h2Close(session);
  });

  it('32 MiB request body to an upstream that does not read: the client is held back, then everything arrives intact', async () => {
    const session = await h2Connect(port);
    const upload = peer.nextUpload();
    const req = session.request({ ':method': 'POST', ':path': '/upload' });
    req.on('error', () => undefined);
    const writer = new PatternWriter(req, TOTAL).start();
    const stream = await upload;
    const heldBack = await writer.stalled(QUIET_MS);
    assert.ok(writer.refusals > 0, 'the client saw write() return false');
    assert.ok(heldBack < HELD_LIMIT, `the client wrote ${heldBack} bytes while the upstream did not read (must stay below ${HELD_LIMIT})`);

    const got = await drain(stream);
    stream.respond({ ':status': 200 });
    stream.end();
    assert.equal(got.bytes, TOTAL);
    assert.equal(got.digest, writer.digest);
    const status = await new Promise<number>((resolve) => req.once('response', (h) => resolve(Number(h[':status']))));
    assert.equal(status, 200);
    await h2Close(session);
  });
});
