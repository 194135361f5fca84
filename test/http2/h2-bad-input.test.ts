import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { cluster, startMosn, type RunningMosn } from '../support/mosn-harness';
import { EMPTY_SETTINGS, ErrorCode, frame, goawayCode, PREFACE } from '../support/h2-frames';
import { waitFor } from '../support/wait-for';
import { h2Close, h2Connect, h2Request, proxyServer, startH2Upstream, type H2Upstream } from '../support/h2-peers';

/** Sends raw bytes, collects what comes back until the proxy closes the connection. */
function rawExchange(port: number, bytes: Buffer, name = ''): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1', () => sock.write(bytes));
    const got: Buffer[] = [];
    sock.on('data', (d: Buffer) => got.push(d));
    sock.on('error', reject);
    sock.on('close', () => resolve(Buffer.concat(got)));
    sock.setTimeout(3000, () => reject(new Error(`${name}: the proxy did not close the connection`)));
  });
}

describe('HTTP/2 bad input and h2load', () => {
  let upstream: H2Upstream;
  let mosn: RunningMosn;
  let port: number;

  before(async () => {
    upstream = await startH2Upstream();
    mosn = await startMosn({ servers: [proxyServer('Http2', 'Http2', 'h2')], cluster_manager: { clusters: [cluster('h2', [upstream.address])] } });
    port = mosn.address('proxy').port;
  });

  after(async () => {
    await mosn.stop();
    await upstream.close();
  });

  it('malformed input closes that connection only (GOAWAY with the error), another h2 connection goes on', async () => {
    const bystander = await h2Connect(port);
    // The third field: the GOAWAY code expected — 'any' non-zero one, or none (a bad preface is not
    // HTTP/2 yet: just closed). The last two are errors nghttp2 handles without telling Node: only
    // the codec's watch on the frames written closes those connections.
    const cases: [string, Buffer, number | 'any' | undefined][] = [
      ['bad preface', Buffer.from('PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n'), undefined],
      ['garbage after the preface', Buffer.concat([Buffer.from(PREFACE), Buffer.from('this is not a frame at all, no way')]), undefined],
      ['HEADERS on stream 0', Buffer.concat([Buffer.from(PREFACE), EMPTY_SETTINGS, frame(1, 4, 0, Buffer.from([0x82]))]), 'any'],
      ['SETTINGS length not a multiple of 6', Buffer.concat([Buffer.from(PREFACE), frame(4, 0, 0, Buffer.alloc(5))]), ErrorCode.FRAME_SIZE_ERROR],
      // 0x80: an indexed header field with index 0, a decoding error (RFC 7541 §6.1).
      ['HEADERS with a broken HPACK block', Buffer.concat([Buffer.from(PREFACE), EMPTY_SETTINGS, frame(1, 5, 1, Buffer.from([0x80]))]), ErrorCode.COMPRESSION_ERROR],
    ];
    const codes: Record<string, number | undefined> = {};
    for (const [name, bytes, code] of cases) {
      const back = await rawExchange(port, bytes, name);
      if (code !== undefined) {
        // nghttp2 (through Node) names the error in a GOAWAY the client can read before the close.
        const got = goawayCode(back);
        if (code === 'any') assert.ok(got !== undefined && got !== 0, `${name}: a GOAWAY with an error code (got ${got})`);
        else assert.equal(got, code, `${name}: the GOAWAY's error code`);
        codes[name] = got;
      }
      const r = await h2Request(bystander, { ':method': 'GET', ':path': `/after-${name.replace(/\W/g, '-')}` });
      assert.equal(r.status, 200, `${name}: the other connection still works`);
    }
    console.log('GOAWAY codes seen:', JSON.stringify(codes));
    const warned = () => mosn.logLines().filter((l) => l.msg === 'http2: protocol error on a downstream connection; closing it');
    // The log file is written asynchronously: no event tells the test a line is in it.
    await waitFor(() => warned().length >= 5, 2000, 'a log line for each protocol error');
    assert.equal(warned().length, 5, 'one line per closed connection');
    const reasons = warned().map((l) => l.goaway ?? l.code);
    for (const reason of ['FRAME_SIZE_ERROR', 'COMPRESSION_ERROR']) assert.ok(reasons.includes(reason), `a log line names ${reason} (got ${JSON.stringify(reasons)})`);
    await h2Close(bystander);
  });

  it('an oversized header list is refused (RST_STREAM or GOAWAY), the connection limit is the codec max header bytes', async () => {
    const session = await h2Connect(port);
    const big = 'x'.repeat(70 * 1024); // above the 64 KiB max header bytes
    await assert.rejects(h2Request(session, { ':method': 'GET', ':path': '/big', 'x-big': big }));
    const fresh = await h2Connect(port);
    const r = await h2Request(fresh, { ':method': 'GET', ':path': '/small' });
    assert.equal(r.status, 200);
    session.destroy();
    await h2Close(fresh);
  });

  it('h2load -c 4 -m 10 -n 2000: every request 2xx', async () => {
    const out = await new Promise<string>((resolve, reject) =>
      execFile('h2load', ['-c', '4', '-m', '10', '-n', '2000', `http://127.0.0.1:${port}/`], { timeout: 60_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
    );
    const requests = /requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored/.exec(out);
    const codes = /status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/.exec(out);
    assert.ok(requests && codes, out);
    assert.equal(Number(requests[2]), 2000);
    assert.equal(Number(requests[3]), 2000);
    assert.equal(Number(codes[1]), 2000, out);
  });
});
