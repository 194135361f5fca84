/*
 * Micro-benchmark of the http1 codec (not a test): microseconds per request for parsing and
 * encoding a typical GET request/response pair, over 200k iterations, 3 rounds (best and median
 * are printed, wall clock and process CPU time; on a shared box read the best).
 *
 *   npx tsc -p . && node bin/mosn-plugin.js build plugins/http1 && node dist/test/http1/codec-bench.js [iterations]
 *
 * The codec is the built bundle loaded through the real PluginHost. Connections are in-memory
 * loopbacks: whatever one codec writes is dispatched to the other at once, so one iteration is
 * client encode request → server parse request → server encode response → client parse response.
 * Then each side is measured alone (server: parse request + encode response; client: encode
 * request + parse response) by replaying the bytes the other side would send.
 */
import type { ClientConnection, ConnectionEventListener, HeaderMap, ProtocolFactory, StreamReceiver, StreamSender } from '../../plugin-sdk';
import { IoBuffer } from '../../plugin-sdk';
import { codecOptions, loadHttp1, request, response } from './http1-fixture';

class Loopback implements ClientConnection {
  readonly id = 1;
  localAddress = '127.0.0.1:1';
  remoteAddress = '127.0.0.1:2';
  hostAddress = '127.0.0.1:2';
  clusterName = 'bench';
  state: 'connecting' | 'open' | 'closed' = 'open';
  bytesRead = 0;
  bytesWritten = 0;
  bufferLimit = 1 << 20;
  aboveWriteBufferHighWatermark = false;
  /** Where writes go (the peer codec), or nothing (counted only). */
  peer: { dispatch(b: IoBuffer, end: boolean): void } | undefined;
  private readonly buffer = new IoBuffer();
  write(data: Buffer): void {
    this.bytesWritten += data.length;
    if (!this.peer) return;
    this.buffer.append(data);
    this.peer.dispatch(this.buffer, false);
  }
  end(): void {}
  close(): void {
    this.state = 'closed';
  }
  readDisable(): void {}
  setIdleTimeout(): void {}
  addEventListener(_l: ConnectionEventListener): void {}
  removeEventListener(_l: ConnectionEventListener): void {}
  addReadFilter(): void {}
  connect(): void {}
}

const BODY = Buffer.alloc(1024, 'x');

const REQUEST = request('GET', '/api/v1/items?id=42&view=full', 'backend.example.com', [
  ['User-Agent', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36'],
  ['Accept', 'application/json, text/plain, */*'],
  ['Accept-Encoding', 'gzip, deflate, br'],
  ['Accept-Language', 'en-US,en;q=0.9'],
  ['Connection', 'keep-alive'],
  ['Cookie', 'session=4f2a9c1e7b3d8e6f; theme=dark'],
  ['X-Request-Id', '0b6f1c2e-8d4a-4f3b-9e7c-5a1d2c3b4e5f'],
]);

const RESPONSE = response(200, [
  ['Content-Type', 'application/json; charset=utf-8'],
  ['Content-Length', String(BODY.length)],
  ['Date', 'Mon, 01 Jan 2024 00:00:00 GMT'],
  ['Server', 'nginx/1.22.1'],
  ['Cache-Control', 'no-cache'],
  ['ETag', '"5f3a-1b2c"'],
]);

/** Answers every request at once with RESPONSE + BODY. */
class Responder implements StreamReceiver {
  constructor(private readonly tx: StreamSender) {}
  onHeaders(_h: HeaderMap, end: boolean): void {
    if (end) {
      this.tx.sendHeaders(RESPONSE, false);
      this.tx.sendData(BODY, true);
    }
  }
  onData(): void {}
  onTrailers(): void {}
  onReset(): void {}
}

class Sink implements StreamReceiver {
  completed = 0;
  onHeaders(_h: HeaderMap, end: boolean): void {
    if (end) this.completed++;
  }
  onData(_d: Buffer, end: boolean): void {
    if (end) this.completed++;
  }
  onTrailers(): void {
    this.completed++;
  }
  onReset(): void {}
}

function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

const ROUNDS = 3;

/** Runs `once` `iterations` times per round, ROUNDS rounds; prints the best and median round. */
function measure(label: string, iterations: number, once: () => void): number {
  for (let i = 0; i < Math.min(20_000, iterations); i++) once(); // warm-up
  const wallPerReq: number[] = [];
  const cpuPerReq: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const wall0 = process.hrtime.bigint();
    const cpu0 = cpuMicros();
    for (let i = 0; i < iterations; i++) once();
    cpuPerReq.push((cpuMicros() - cpu0) / iterations);
    wallPerReq.push(Number(process.hrtime.bigint() - wall0) / 1000 / iterations);
  }
  const sorted = (xs: number[]) => xs.slice().sort((a, b) => a - b);
  const wall = sorted(wallPerReq);
  const cpu = sorted(cpuPerReq);
  const mid = Math.floor(ROUNDS / 2);
  console.log(
    `${label.padEnd(58)} ${wall[0].toFixed(2)} µs/request best, ${wall[mid].toFixed(2)} median (CPU ${cpu[0].toFixed(2)} / ${cpu[mid].toFixed(2)})`,
  );
  return wall[0];
}

async function main(): Promise<void> {
  const iterations = Number(process.argv[2] ?? 200_000);
  const factory: ProtocolFactory = await loadHttp1();
  const options = codecOptions();
  console.log(`http1 codec micro-benchmark, ${ROUNDS} rounds x ${iterations} iterations, Node ${process.version}`);

  // 1. Both codecs wired back to back.
  {
    const toServer = new Loopback();
    const toClient = new Loopback();
    const server = factory.createServerConnection(toClient, { onNewStream: (tx) => new Responder(tx) }, options);
    const client = factory.createClientConnection(toServer, options);
    toServer.peer = server;
    toClient.peer = client;
    const sink = new Sink();
    measure('pair: encode req + parse req + encode resp + parse resp', iterations, () => {
      client.newStream(sink).sendHeaders(REQUEST, true);
    });
    if (sink.completed < iterations) throw new Error(`only ${sink.completed} responses completed`);
    if (!client.reusable || server.activeStreams !== 0) throw new Error('connection state is off');
  }

  // Bytes each side would receive.
  let requestBytes = Buffer.alloc(0);
  let responseBytes = Buffer.alloc(0);
  {
    const capture = new Loopback();
    const client = factory.createClientConnection(capture, options);
    const written: Buffer[] = [];
    capture.write = (d) => void written.push(Buffer.from(d));
    client.newStream(new Sink()).sendHeaders(REQUEST, true);
    requestBytes = Buffer.concat(written);
    const capture2 = new Loopback();
    const written2: Buffer[] = [];
    capture2.write = (d) => void written2.push(Buffer.from(d));
    const server = factory.createServerConnection(capture2, { onNewStream: (tx) => new Responder(tx) }, options);
    const b = new IoBuffer();
    b.append(requestBytes);
    server.dispatch(b, false);
    responseBytes = Buffer.concat(written2);
  }

  // 2. Server side alone.
  {
    const out = new Loopback();
    const server = factory.createServerConnection(out, { onNewStream: (tx) => new Responder(tx) }, options);
    const b = new IoBuffer();
    measure('server: parse request + encode response', iterations, () => {
      b.append(requestBytes);
      server.dispatch(b, false);
    });
  }

  // 3. Client side alone.
  {
    const out = new Loopback();
    const client = factory.createClientConnection(out, options);
    const b = new IoBuffer();
    const sink = new Sink();
    measure('client: encode request + parse response', iterations, () => {
      client.newStream(sink).sendHeaders(REQUEST, true);
      b.append(responseBytes);
      client.dispatch(b, false);
    });
  }
  console.log(`request ${requestBytes.length} B, response ${responseBytes.length} B (head ${responseBytes.length - BODY.length} B + 1 KiB body)`);
}

// Under `node --test` (whose directory search also matches test/**/*.js) there is nothing to run.
if (!process.env.NODE_TEST_CONTEXT) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
