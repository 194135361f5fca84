import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { cluster, startMosn, type RunningMosn } from '../support/mosn-harness';
import { proxyServer } from '../support/h2-peers';
import { REPO_ROOT } from '../support/paths';

interface EchoRequest {
  text: string;
  delay_ms?: number;
  count?: number;
}
interface EchoReply {
  text: string;
  index: number;
}
type EchoClient = grpc.Client & Record<string, (...args: unknown[]) => unknown>;

const definition = protoLoader.loadSync(path.join(REPO_ROOT, 'test', 'grpc', 'echo.proto'), { keepCase: true, defaults: true });
const proto = grpc.loadPackageDefinition(definition) as unknown as { mosn: { test: { Echo: grpc.ServiceClientConstructor } } };
const Echo = proto.mosn.test.Echo;

/** Server methods; each echoes request metadata `x-req` as response header and trailer metadata. */
let cancelled = 0;
const impl: grpc.UntypedServiceImplementation = {
  Unary(call: grpc.ServerUnaryCall<EchoRequest, EchoReply>, cb: grpc.sendUnaryData<EchoReply>) {
    const req = call.request;
    const md = new grpc.Metadata();
    md.set('x-echo', String(call.metadata.get('x-req')[0] ?? ''));
    call.sendMetadata(md);
    call.on('cancelled', () => cancelled++);
    if (req.text === 'fail') {
      const trailer = new grpc.Metadata();
      trailer.set('x-trailer', 'custom');
      cb({ code: grpc.status.NOT_FOUND, details: 'no such thing: ünïcode', metadata: trailer });
      return;
    }
    const trailer = new grpc.Metadata();
    trailer.set('x-trailer', 'ok');
    setTimeout(() => cb(null, { text: `echo ${req.text}`, index: 0 }, trailer), req.delay_ms ?? 0);
  },
  ServerStream(call: grpc.ServerWritableStream<EchoRequest, EchoReply>) {
    for (let i = 0; i < (call.request.count ?? 1); i++) call.write({ text: `${call.request.text}-${i}`, index: i });
    call.end();
  },
  ClientStream(call: grpc.ServerReadableStream<EchoRequest, EchoReply>, cb: grpc.sendUnaryData<EchoReply>) {
    const texts: string[] = [];
    call.on('data', (r: EchoRequest) => texts.push(r.text));
    call.on('end', () => cb(null, { text: texts.join(','), index: texts.length }));
  },
  Bidi(call: grpc.ServerDuplexStream<EchoRequest, EchoReply>) {
    let i = 0;
    call.on('data', (r: EchoRequest) => call.write({ text: `re:${r.text}`, index: i++ }));
    call.on('end', () => call.end());
  },
};

function startServer(): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server();
  server.addService(Echo.service, impl);
  return new Promise((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve({ server, port }))),
  );
}

function unary(client: EchoClient, req: EchoRequest, md = new grpc.Metadata(), options: grpc.CallOptions = {}) {
  return new Promise<{ err: grpc.ServiceError | null; reply?: EchoReply; headers?: grpc.Metadata; status?: grpc.StatusObject }>((resolve) => {
    let headers: grpc.Metadata | undefined;
    let status: grpc.StatusObject | undefined;
    let result: { err: grpc.ServiceError | null; reply?: EchoReply } | undefined;
    const done = () => result && status && resolve({ ...result, headers, status });
    const call = client.Unary(req, md, options, (err: grpc.ServiceError | null, reply?: EchoReply) => {
      result = { err, reply };
      done();
    }) as grpc.ClientUnaryCall;
    call.on('metadata', (m: grpc.Metadata) => (headers = m));
    call.on('status', (s: grpc.StatusObject) => {
      status = s;
      done();
    });
  });
}

describe('gRPC through mosn-ts (grpc-js client → Http2 proxy → grpc-js server)', () => {
  let upstream: { server: grpc.Server; port: number };
  let mosn: RunningMosn;
  let client: EchoClient;

  before(async () => {
    upstream = await startServer();
    const servers = proxyServer('Http2', 'Http2', 'grpc');
    // A second route with a short route timeout, and one to a cluster with nothing listening.
    servers.routers[0].virtual_hosts[0].routers.unshift(
      { match: { prefix: '/mosn.test.Echo/ServerStream' }, route: { cluster_name: 'grpc', timeout: '150ms' } } as never,
    );
    mosn = await startMosn({
      servers: [servers],
      cluster_manager: { clusters: [cluster('grpc', [`127.0.0.1:${upstream.port}`])] },
    });
    client = new Echo(`127.0.0.1:${mosn.address('proxy').port}`, grpc.credentials.createInsecure()) as unknown as EchoClient;
  });

  after(async () => {
    client.close();
    await mosn.stop();
    upstream.server.forceShutdown();
  });

  it('unary: reply, response metadata and trailing metadata intact', async () => {
    const md = new grpc.Metadata();
    md.set('x-req', 'hello-md');
    const r = await unary(client, { text: 'hi' }, md);
    assert.equal(r.err, null);
    assert.equal(r.reply?.text, 'echo hi');
    assert.equal(r.headers?.get('x-echo')[0], 'hello-md');
    assert.equal(r.status?.code, grpc.status.OK);
    assert.equal(r.status?.metadata.get('x-trailer')[0], 'ok');
  });

  it('unary error: grpc-status, grpc-message and custom trailers from the server', async () => {
    const r = await unary(client, { text: 'fail' });
    assert.equal(r.err?.code, grpc.status.NOT_FOUND);
    assert.equal(r.err?.details, 'no such thing: ünïcode');
    assert.equal(r.status?.metadata.get('x-trailer')[0], 'custom');
  });

  it('server streaming, client streaming and bidi', async () => {
    const items: EchoReply[] = [];
    await new Promise<void>((resolve, reject) => {
      const call = client.ServerStream({ text: 's', count: 50 }) as grpc.ClientReadableStream<EchoReply>;
      call.on('data', (r: EchoReply) => items.push(r));
      call.on('error', reject);
      call.on('end', () => resolve());
    });
    assert.equal(items.length, 50);
    assert.equal(items[49].text, 's-49');

    const joined = await new Promise<EchoReply>((resolve, reject) => {
      const call = client.ClientStream((err: grpc.ServiceError | null, reply: EchoReply) => (err ? reject(err) : resolve(reply))) as grpc.ClientWritableStream<EchoRequest>;
      for (const t of ['a', 'b', 'c']) call.write({ text: t });
      call.end();
    });
    assert.deepEqual({ text: joined.text, index: joined.index }, { text: 'a,b,c', index: 3 });

    const bidi = client.Bidi() as grpc.ClientDuplexStream<EchoRequest, EchoReply>;
    const got: string[] = [];
    // Ping-pong: each reply is awaited before the next write, so the stream is truly interactive.
    for (const t of ['x', 'y', 'z']) {
      bidi.write({ text: t });
      got.push(await new Promise<string>((resolve) => bidi.once('data', (r: EchoReply) => resolve(r.text))));
    }
    bidi.end();
    await new Promise((resolve) => bidi.on('status', resolve));
    assert.deepEqual(got, ['re:x', 're:y', 're:z']);
  });

  it('client deadline: DEADLINE_EXCEEDED and the server call is cancelled', async () => {
    const before = cancelled;
    const r = await unary(client, { text: 'slow', delay_ms: 2000 }, new grpc.Metadata(), { deadline: Date.now() + 100 });
    assert.equal(r.err?.code, grpc.status.DEADLINE_EXCEEDED);
    const end = Date.now() + 2000;
    while (cancelled === before && Date.now() < end) await new Promise((res) => setTimeout(res, 10));
    assert.equal(cancelled, before + 1, 'the proxy reset the upstream stream');
  });

  it("the proxy's route timeout on a gRPC call: grpc-status 4 in a trailers-only reply", async () => {
    // The ServerStream route has a 150 ms timeout. A raw HTTP/2 client sends only a message's length
    // prefix, so the grpc-js server waits for the rest and the proxy's timeout fires first.
    const http2 = await import('node:http2');
    const session = http2.connect(`http://127.0.0.1:${mosn.address('proxy').port}`);
    session.on('error', () => undefined);
    const frame = Buffer.alloc(5);
    const req = session.request({ ':method': 'POST', ':path': '/mosn.test.Echo/ServerStream', 'content-type': 'application/grpc', te: 'trailers' });
    // Send the length prefix only: the server waits for the message, the route timeout fires.
    frame.writeUInt8(0, 0);
    frame.writeUInt32BE(10, 1);
    req.write(frame);
    const headers = await new Promise<Record<string, unknown>>((resolve) => req.on('response', (h) => resolve(h as Record<string, unknown>)));
    assert.equal(headers[':status'], 200);
    assert.equal(headers['grpc-status'], '4');
    assert.equal(headers['content-type'], 'application/grpc');
    req.close();
    session.close();
  });

  it('no route → UNIMPLEMENTED; server down → UNAVAILABLE', async () => {
    const dead = await startServer();
    const deadPort = dead.port;
    dead.server.forceShutdown();
    const down = await startMosn({
      servers: [
        {
          ...proxyServer('Http2', 'Http2', 'down'),
          routers: [
            {
              router_config_name: 'r',
              virtual_hosts: [{ name: 'all', domains: ['*'], routers: [{ match: { prefix: '/mosn.test.Echo/Unary' }, route: { cluster_name: 'down' } }] }],
            },
          ],
        },
      ],
      cluster_manager: { clusters: [cluster('down', [`127.0.0.1:${deadPort}`])] },
    });
    const c = new Echo(`127.0.0.1:${down.address('proxy').port}`, grpc.credentials.createInsecure()) as unknown as EchoClient;
    try {
      const unavailable = await unary(c, { text: 'x' });
      assert.equal(unavailable.err?.code, grpc.status.UNAVAILABLE);
      const noRoute = await new Promise<grpc.ServiceError | null>((resolve) => {
        const call = c.ClientStream((err: grpc.ServiceError | null) => resolve(err)) as grpc.ClientWritableStream<EchoRequest>;
        call.end();
      });
      assert.equal(noRoute?.code, grpc.status.UNIMPLEMENTED);
    } finally {
      c.close();
      await down.stop();
    }
  });
});
