import assert from 'node:assert/strict';
import { once } from 'node:events';
import * as http from 'node:http';
import * as net from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { HeaderMap, ProtocolFactory, StreamReceiver, StreamSender } from '../../plugin-sdk';
import { codecOptions, loadHttp1, RecordingReceiver, request, response, SocketConnection } from './http1-fixture';

/*
 * The codecs over real sockets (net.createServer on 127.0.0.1:0 + net.connect), with Node's own
 * HTTP client and server as the peers.
 */

/** A tiny application behind the server codec: answers each request once it has all of it. */
class App implements StreamReceiver {
  private headers: HeaderMap | undefined;
  private body: Buffer[] = [];
  constructor(
    private readonly responder: StreamSender,
    private readonly handle: (headers: HeaderMap, body: Buffer, responder: StreamSender, app: App) => void,
    private readonly onHead?: (headers: HeaderMap, responder: StreamSender, app: App) => void,
  ) {}
  /** Called with data after the head when the app wants it (tunnels). */
  onRaw: ((data: Buffer, end: boolean) => void) | undefined;

  onHeaders(headers: HeaderMap, endStream: boolean): void {
    this.headers = headers;
    this.onHead?.(headers, this.responder, this);
    if (endStream) this.handle(headers, Buffer.alloc(0), this.responder, this);
  }
  onData(data: Buffer, endStream: boolean): void {
    if (this.onRaw) {
      this.onRaw(data, endStream);
      return;
    }
    this.body.push(data);
    if (endStream) this.handle(this.headers!, Buffer.concat(this.body), this.responder, this);
  }
  onTrailers(): void {
    this.handle(this.headers!, Buffer.concat(this.body), this.responder, this);
  }
  onReset(): void {}
}

async function codecServer(
  factory: ProtocolFactory,
  handle: (headers: HeaderMap, body: Buffer, responder: StreamSender, app: App) => void,
  onHead?: (headers: HeaderMap, responder: StreamSender, app: App) => void,
) {
  let accepted = 0;
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    accepted++;
    const conn = new SocketConnection(socket);
    const codec = factory.createServerConnection(conn, { onNewStream: (responder) => new App(responder, handle, onHead) }, codecOptions());
    conn.attach(codec);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    get accepted() {
      return accepted;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function collect(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    res.on('data', (d: Buffer) => parts.push(d));
    res.on('end', () => resolve(Buffer.concat(parts).toString()));
    res.on('error', reject);
  });
}

describe('http1 server codec over a real socket, Node http client as the peer', () => {
  let factory: ProtocolFactory;
  let srv: Awaited<ReturnType<typeof codecServer>>;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  before(async () => {
    factory = await loadHttp1();
    srv = await codecServer(
      factory,
      (headers, body, responder) => {
        const path = headers.get(':path')!;
        if (path === '/chunked') {
          responder.sendHeaders(response(200, [['Content-Type', 'text/plain']]), false);
          responder.sendData(Buffer.from(`${headers.get(':method')} `), false);
          setTimeout(() => {
            responder.sendData(body.length > 0 ? body : Buffer.from('no body'), false);
            responder.sendTrailers(response(0, [['X-Done', 'yes']]));
          }, 5);
          return;
        }
        const text = `${headers.get(':method')} ${path} ${headers.get(':authority')} ${body.length}`;
        responder.sendHeaders(response(200, [['Content-Length', String(Buffer.byteLength(text))]]), false);
        responder.sendData(Buffer.from(text), true);
      },
      (headers, responder, app) => {
        if (headers.get('expect') === '100-continue') responder.sendHeaders(response(100), false);
        if (headers.get('upgrade') === 'echo') {
          responder.sendHeaders(response(101, [['Upgrade', 'echo'], ['Connection', 'Upgrade']]), false);
          app.onRaw = (data, end) => responder.sendData(Buffer.from(data.toString().toUpperCase()), end);
        }
      },
    );
  });

  after(async () => {
    agent.destroy();
    await srv.close();
  });

  it('serves keep-alive requests on one connection (GET, POST with a body, chunked both ways with trailers)', async () => {
    const get = await new Promise<http.IncomingMessage>((resolve) => http.get({ host: '127.0.0.1', port: srv.port, path: '/x?y=1', agent }, resolve));
    assert.equal(get.statusCode, 200);
    assert.equal(await collect(get), `GET /x?y=1 127.0.0.1:${srv.port} 0`);

    const post = http.request({ host: '127.0.0.1', port: srv.port, path: '/p', method: 'POST', agent, headers: { 'Content-Length': '5' } });
    post.end('hello');
    const postRes = (await once(post, 'response'))[0] as http.IncomingMessage;
    assert.equal(await collect(postRes), `POST /p 127.0.0.1:${srv.port} 5`);

    const chunked = http.request({ host: '127.0.0.1', port: srv.port, path: '/chunked', method: 'PUT', agent });
    chunked.write('part1-');
    setTimeout(() => chunked.end('part2'), 5);
    const chunkedRes = (await once(chunked, 'response'))[0] as http.IncomingMessage;
    assert.equal(chunkedRes.headers['transfer-encoding'], 'chunked');
    assert.equal(await collect(chunkedRes), 'PUT part1-part2');
    assert.deepEqual(chunkedRes.trailers, { 'x-done': 'yes' });

    const head = await new Promise<http.IncomingMessage>((resolve) => http.request({ host: '127.0.0.1', port: srv.port, path: '/h', method: 'HEAD', agent }, resolve).end());
    assert.equal(head.statusCode, 200);
    assert.equal(await collect(head), '');
    assert.equal(srv.accepted, 1, 'one connection carried all requests');
  });

  it('takes a 10 MiB chunked upload in many writes and streams it back chunked', async () => {
    const size = 10 * 1024 * 1024;
    const body = Buffer.alloc(size);
    for (let i = 0; i < size; i += 4) body.writeUInt32LE((i * 2246822519) >>> 0, i);
    const req = http.request({ host: '127.0.0.1', port: srv.port, path: '/chunked', method: 'POST', agent });
    for (let at = 0; at < size; at += 100_000) req.write(body.subarray(at, at + 100_000));
    req.end();
    const res = (await once(req, 'response'))[0] as http.IncomingMessage;
    const parts: Buffer[] = [];
    for await (const chunk of res) parts.push(chunk as Buffer);
    const got = Buffer.concat(parts);
    assert.equal(got.length, size + 'POST '.length);
    assert.ok(got.subarray('POST '.length).equals(body));
  });

  it('relays an interim 100 Continue to a client that waits for it', async () => {
    const req = http.request({ host: '127.0.0.1', port: srv.port, path: '/c', method: 'POST', agent, headers: { Expect: '100-continue', 'Content-Length': '3' } });
    await once(req, 'continue');
    req.end('abc');
    const res = (await once(req, 'response'))[0] as http.IncomingMessage;
    assert.equal(await collect(res), `POST /c 127.0.0.1:${srv.port} 3`);
  });

  it('switches to a tunnel on 101', async () => {
    const req = http.request({ host: '127.0.0.1', port: srv.port, path: '/u', headers: { Connection: 'Upgrade', Upgrade: 'echo' } });
    req.end();
    const [res, socket, head] = (await once(req, 'upgrade')) as [http.IncomingMessage, net.Socket, Buffer];
    assert.equal(res.statusCode, 101);
    assert.equal(head.length, 0);
    socket.write('shout');
    const [echo] = (await once(socket, 'data')) as [Buffer];
    assert.equal(echo.toString(), 'SHOUT');
    socket.destroy();
  });

  it('answers pipelined requests from a raw socket in order', async () => {
    const s = net.connect(srv.port, '127.0.0.1');
    await once(s, 'connect');
    s.write('GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /chunked HTTP/1.1\r\nHost: a\r\n\r\nGET /3 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    let all = '';
    s.on('data', (d: Buffer) => (all += d.toString('latin1')));
    await once(s, 'end');
    s.destroy();
    const statuses = all.split('HTTP/1.1 200 OK').slice(1);
    assert.equal(statuses.length, 3);
    assert.ok(statuses[0].includes('GET /1 a 0'));
    assert.ok(statuses[1].includes('GET ') && statuses[1].includes('no body'));
    assert.ok(statuses[2].includes('Connection: close') && statuses[2].includes('GET /3 a 0'));
  });
});

describe('http1 client codec over a real socket, Node http server as the peer', () => {
  let factory: ProtocolFactory;
  let server: http.Server;
  let port = 0;
  let connections = 0;

  before(async () => {
    factory = await loadHttp1();
    server = http.createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (d: Buffer) => parts.push(d));
      req.on('end', () => {
        const body = Buffer.concat(parts).toString();
        if (req.url === '/trailers') {
          res.writeHead(200, { 'Content-Type': 'text/plain', Trailer: 'X-Sum' });
          res.write('streamed ');
          res.addTrailers({ 'X-Sum': String(body.length) });
          res.end(body);
          return;
        }
        res.setHeader('X-Host', req.headers.host ?? '');
        res.setHeader('X-Transfer', req.headers['transfer-encoding'] ?? '');
        res.end(`${req.method} ${req.url} ${body}`);
      });
    });
    server.on('checkContinue', (req, res) => {
      res.writeContinue();
      server.emit('request', req, res);
    });
    server.on('connection', () => connections++);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as net.AddressInfo).port;
  });

  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function connect() {
    const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    await once(socket, 'connect');
    const conn = new SocketConnection(socket);
    const codec = factory.createClientConnection(conn, codecOptions());
    conn.attach(codec);
    return { socket, codec };
  }

  function ended(rx: RecordingReceiver): Promise<void> {
    return new Promise((resolve) => {
      if (rx.ended || rx.resets.length) resolve();
      else rx.onEndHook = () => resolve();
    });
  }

  it('sends requests on one kept-alive connection: GET, chunked POST, trailers back, HEAD', async () => {
    const before = connections;
    const { socket, codec } = await connect();

    const rx1 = new RecordingReceiver();
    codec.newStream(rx1).sendHeaders(request('GET', '/one', `127.0.0.1:${port}`), true);
    await ended(rx1);
    assert.equal(rx1.headers[0].get(':status'), '200');
    assert.equal(rx1.headers[0].get('x-host'), `127.0.0.1:${port}`);
    assert.equal(rx1.body().toString(), 'GET /one ');
    assert.equal(codec.reusable, true);
    assert.equal(codec.activeStreams, 0);

    const rx2 = new RecordingReceiver();
    const tx2 = codec.newStream(rx2);
    tx2.sendHeaders(request('POST', '/two', 'b'), false);
    tx2.sendData(Buffer.from('abc'), false);
    setTimeout(() => tx2.sendData(Buffer.from('def'), true), 5);
    await ended(rx2);
    assert.equal(rx2.headers[0].get('x-transfer'), 'chunked');
    assert.equal(rx2.body().toString(), 'POST /two abcdef');

    const rx3 = new RecordingReceiver();
    const tx3 = codec.newStream(rx3);
    tx3.sendHeaders(request('PUT', '/trailers', 'b', [['content-length', '4']]), false);
    tx3.sendData(Buffer.from('data'), true);
    await ended(rx3);
    assert.equal(rx3.body().toString(), 'streamed data');
    const last = rx3.events[rx3.events.length - 1];
    assert.equal(last.kind === 'trailers' && last.trailers.get('x-sum'), '4');

    const rx4 = new RecordingReceiver();
    codec.newStream(rx4).sendHeaders(request('HEAD', '/four', 'b'), true);
    await ended(rx4);
    assert.equal(rx4.headers[0].get(':status'), '200');
    assert.equal(rx4.body().length, 0);

    assert.equal(connections - before, 1, 'every request used the same connection');
    socket.destroy();
  });

  it('gets 100 Continue from an upstream that checks Expect', async () => {
    const { socket, codec } = await connect();
    const rx = new RecordingReceiver();
    const tx = codec.newStream(rx);
    rx.onHeadersHook = (h) => {
      if (h.get(':status') === '100') tx.sendData(Buffer.from('xyz'), true);
    };
    tx.sendHeaders(request('POST', '/e', 'b', [['Expect', '100-continue'], ['Content-Length', '3']]), false);
    await ended(rx);
    assert.deepEqual(
      rx.headers.map((h) => h.get(':status')),
      ['100', '200'],
    );
    assert.equal(rx.body().toString(), 'POST /e xyz');
    socket.destroy();
  });
});
