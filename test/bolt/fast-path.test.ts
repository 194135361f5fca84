import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunningMosn } from '../support/mosn-harness';
import { proxyListener, serviceRoute, startBoltMosn } from './bolt-fixture';
import { parseRequests, RawBoltClient, requestFrame, responseFrame, type ParsedRequest } from './bolt-wire';

/*
 * The proxy's fast path (PlainForwardStream) serves requests on listeners without stream filters
 * or access logs whose route only names a cluster; everything else takes the full DownstreamStream.
 * These tests pin down that both give the same answers, statistics and replay rule, and that
 * requests needing more than forwarding still get it.
 */

/** A bolt upstream that records every request and lets the test decide what each one gets. */
class RawBoltUpstream {
  readonly requests: ParsedRequest[] = [];
  connections = 0;
  private readonly server: net.Server;
  /** Decides per request: answer it (default) or close its connection unanswered. */
  onRequest: (req: ParsedRequest, connectionIndex: number) => 'answer' | 'close' = () => 'answer';

  private constructor() {
    this.server = net.createServer((socket) => {
      const index = this.connections++;
      let pending: Buffer = Buffer.alloc(0);
      socket.on('error', () => undefined);
      socket.on('data', (d: Buffer) => {
        const { frames, rest } = parseRequests(Buffer.concat([pending, d]));
        pending = rest;
        for (const req of frames) {
          this.requests.push(req);
          if (this.onRequest(req, index) === 'close') {
            socket.destroy();
            return;
          }
          if (req.type === 1) socket.write(responseFrame(req.id, Buffer.from(`ok:${req.headers.service}`)));
        }
      });
    });
  }

  static async start(): Promise<RawBoltUpstream> {
    const u = new RawBoltUpstream();
    await new Promise<void>((r) => u.server.listen(0, '127.0.0.1', r));
    return u;
  }

  get address(): string {
    return `127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

const PLAIN = 'com.example.Plain:1.0';
const REWRITTEN = 'com.example.Rewritten:1.0';

function call(id: number, service: string): Buffer {
  return requestFrame({ id, headers: { service, sofa_head_method_name: 'echo' }, content: Buffer.from(`body-${id}`) });
}

/** The value of a Prometheus sample line, or 0 when absent. */
function sample(metrics: string, line: string): number {
  const m = new RegExp(`^${line.replace(/[{}"=]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(metrics);
  return m ? Number(m[1]) : 0;
}

describe('bolt: the fast path and the full path', () => {
  let upstream: RawBoltUpstream;
  let mosn: RunningMosn;
  let plainPort: number;
  let loggedPort: number;
  let accessLog: string;
  let dir: string;

  before(async () => {
    upstream = await RawBoltUpstream.start();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mosn-fast-path-'));
    accessLog = path.join(dir, 'access.log');
    const logged = proxyListener('logged', 'bolt', 'bolt');
    Object.assign(logged, { access_logs: [{ log_path: accessLog, log_format: '%protocol% %response_code% %upstream_cluster%' }] });
    mosn = await startBoltMosn({
      listeners: [proxyListener('plain', 'bolt', 'bolt'), logged],
      routes: [serviceRoute(PLAIN, 'up'), serviceRoute(REWRITTEN, 'up', { request_headers_to_add: [{ header: { key: 'x-added', value: 'by-route' }, append: false }] })],
      clusters: { up: [upstream.address] },
    });
    plainPort = mosn.address('plain').port;
    loggedPort = mosn.address('logged').port;
  });

  after(async () => {
    await mosn?.stop();
    await upstream?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a plain route forwards the frame as it came (only the id differs) and counts it in listener, cluster and host stats', async () => {
    const before = await (await fetch(`${mosn.adminBase}/metrics`)).text();
    const client = await RawBoltClient.connect(plainPort);
    const seenBefore = upstream.requests.length;
    for (let id = 1; id <= 5; id++) client.write(call(id, PLAIN));
    for (let id = 1; id <= 5; id++) {
      const r = await client.response(id);
      assert.equal(r.status, 0);
      assert.equal(r.content.toString(), `ok:${PLAIN}`);
    }
    client.close();
    const seen = upstream.requests.slice(seenBefore);
    assert.equal(seen.length, 5);
    for (const req of seen) {
      const sent = call(Number(req.content.toString().slice(5)), PLAIN);
      sent.writeUInt32BE(req.id, 5);
      assert.ok(req.raw.equals(sent), 'the upstream got the very frame the client sent, with the proxy\'s id');
      assert.equal(req.headers['x-added'], undefined);
    }
    const after = await (await fetch(`${mosn.adminBase}/metrics`)).text();
    const delta = (line: string): number => sample(after, line) - sample(before, line);
    assert.equal(delta('downstream_request_total{listener="plain"}'), 5);
    assert.equal(delta('downstream_request_200_total{listener="plain"}'), 5);
    assert.equal(delta('downstream_request_time_count{listener="plain"}'), 5);
    assert.equal(sample(after, 'downstream_request_active{listener="plain"}'), 0);
    assert.equal(delta('upstream_request_total{cluster="up"}'), 5);
    assert.equal(delta('upstream_response_success{cluster="up"}'), 5);
    assert.equal(sample(after, 'upstream_request_active{cluster="up"}'), 0);
  });

  it('a route that adds a request header takes the full path: the frame is rebuilt with the header', async () => {
    const client = await RawBoltClient.connect(plainPort);
    const seenBefore = upstream.requests.length;
    client.write(call(1, REWRITTEN));
    assert.equal((await client.response(1)).status, 0);
    client.close();
    const [req] = upstream.requests.slice(seenBefore);
    assert.equal(req.headers['x-added'], 'by-route');
    assert.equal(req.headers.service, REWRITTEN);
    assert.equal(req.content.toString(), 'body-1');
  });

  it('a listener with an access log takes the full path: one line per request', async () => {
    const client = await RawBoltClient.connect(loggedPort);
    client.write(call(1, PLAIN));
    client.write(call(2, 'com.example.Unknown:1.0'));
    assert.equal((await client.response(1)).status, 0);
    assert.notEqual((await client.response(2)).status, 0);
    client.close();
    await mosn.stop(); // flushes the access log; the next test starts its own proxy
    const lines = fs.readFileSync(accessLog, 'utf8').trim().split('\n');
    assert.deepEqual(lines.sort(), ['bolt 200 up', 'bolt 404 -'].sort());
  });
});

describe('bolt fast path: a reused upstream connection lost with a request on it', () => {
  let upstream: RawBoltUpstream;
  let mosn: RunningMosn;

  before(async () => {
    upstream = await RawBoltUpstream.start();
    mosn = await startBoltMosn({ listeners: [proxyListener('plain', 'bolt', 'bolt')], routes: [serviceRoute(PLAIN, 'up')], clusters: { up: [upstream.address] } });
  });

  after(async () => {
    await mosn?.stop();
    await upstream?.close();
  });

  it('is replayed once on a new connection (as a stale keep-alive connection is); a second loss is an error reply', async () => {
    const client = await RawBoltClient.connect(mosn.address('plain').port);
    client.write(call(1, PLAIN));
    assert.equal((await client.response(1)).status, 0);
    // The first connection dies as request 2 arrives on it: replayed on connection 2, answered.
    upstream.onRequest = (_req, conn) => (conn === 0 ? 'close' : 'answer');
    client.write(call(2, PLAIN));
    const r2 = await client.response(2);
    assert.equal(r2.status, 0);
    assert.equal(upstream.connections, 2);
    assert.deepEqual(
      upstream.requests.map((r) => r.content.toString()),
      ['body-1', 'body-2', 'body-2'],
    );
    // Now every connection dies on its second request: one replay only, then an error with the caller's id.
    upstream.onRequest = () => 'close';
    client.write(call(3, PLAIN));
    const r3 = await client.response(3);
    assert.notEqual(r3.status, 0);
    assert.equal(upstream.requests.filter((r) => r.content.toString() === 'body-3').length, 2);
    client.close();
  });
});
