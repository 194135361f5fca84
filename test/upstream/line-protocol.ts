/**
 * A tiny line-based "test protocol" for the pool tests, spoken over real TCP sockets.
 *
 * Request: one line `<id> <payload>\n`; response: one line `<id> <payload>\n`. The client codec
 * assigns ids; a ping-pong codec matches a response to its one active stream, a multiplex codec
 * by id. A response whose payload is `close` makes the client codec non-reusable (like HTTP/1's
 * `Connection: close`).
 *
 * The test server echoes each line, with these payloads understood:
 * - `sleep:<ms>:<text>` answers `<text>` after ms milliseconds (so multiplexed answers come out of order);
 * - `close` answers `close`;
 * - `hangup` closes the socket without answering.
 */
import * as net from 'node:net';
import { HeaderMap } from '../../plugin-sdk';
import type {
  ClientConnection,
  ClientStreamConnection,
  CodecOptions,
  IoBuffer,
  Logger,
  PoolMode,
  ProtocolFactory,
  ServerStreamConnection,
  StreamReceiver,
  StreamResetReason,
  StreamSender,
} from '../../plugin-sdk';
import type { ConnectionPool, PendingStream, PoolCallbacks, PoolFailureReason } from '../../core/upstream/pool/connection-pool';
import type { UpstreamHost } from '../../core/upstream/upstream-host';

export const silentLogger: Logger = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
  trace: () => undefined,
  child: () => silentLogger,
};

class LineClientStream implements StreamSender {
  aboveWriteBufferHighWatermark = false;
  onWritable: (() => void) | undefined;
  resetReason: StreamResetReason | undefined;

  constructor(
    readonly codec: LineClientConnection,
    readonly id: number,
    readonly receiver: StreamReceiver,
  ) {}

  sendHeaders(headers: HeaderMap, endStream: boolean): void {
    this.codec.connection.write(Buffer.from(`${this.id} ${headers.get('payload') ?? ''}\n`));
    void endStream;
  }
  sendData(): void {}
  sendTrailers(): void {}
  reset(reason: StreamResetReason): void {
    this.resetReason = reason;
    this.codec.streams.delete(this.id);
  }
  readDisable(disable: boolean): void {
    this.codec.connection.readDisable(disable);
  }
}

export class LineClientConnection implements ClientStreamConnection {
  readonly streams = new Map<number, LineClientStream>();
  reusable = true;
  private nextId = 1;

  constructor(
    readonly connection: ClientConnection,
    readonly mode: PoolMode,
    readonly options: CodecOptions,
  ) {}

  get activeStreams(): number {
    return this.streams.size;
  }

  newStream(receiver: StreamReceiver): StreamSender {
    if (this.mode === 'ping-pong' && this.streams.size > 0) throw new Error('test protocol: ping-pong connection already busy');
    const s = new LineClientStream(this, this.nextId++, receiver);
    this.streams.set(s.id, s);
    return s;
  }

  dispatch(buffer: IoBuffer, endStream: boolean): void {
    for (;;) {
      const bytes = buffer.peek();
      const nl = bytes.indexOf(10);
      if (nl < 0) break;
      const line = bytes.subarray(0, nl).toString();
      buffer.drain(nl + 1);
      const sp = line.indexOf(' ');
      const id = Number(line.slice(0, sp));
      const payload = line.slice(sp + 1);
      const stream = this.mode === 'multiplex' ? this.streams.get(id) : this.streams.values().next().value;
      if (!stream) continue;
      this.streams.delete(stream.id);
      if (payload === 'close') this.reusable = false;
      stream.receiver.onHeaders(HeaderMap.fromObject({ ':status': '200', payload }), true);
    }
    if (endStream) this.reusable = false;
  }

  onConnectionClose(): void {
    const streams = [...this.streams.values()];
    this.streams.clear();
    for (const s of streams) s.receiver.onReset('ConnectionTermination');
  }
}

/** The test protocol's factory, in either pool mode. */
export class LineProtocol implements ProtocolFactory {
  readonly clients: LineClientConnection[] = [];
  constructor(readonly poolMode: PoolMode) {}

  createServerConnection(): ServerStreamConnection {
    throw new Error('test protocol: client side only');
  }

  createClientConnection(connection: ClientConnection, options: CodecOptions): ClientStreamConnection {
    const c = new LineClientConnection(connection, this.poolMode, options);
    this.clients.push(c);
    return c;
  }
}

export interface LineServer {
  port: number;
  address: string;
  /** Connections accepted so far. */
  accepted: number;
  /** Lines received so far. */
  requests: number;
  readonly sockets: Set<net.Socket>;
  /** Stops listening (new connects are refused); open connections stay. */
  stopListening(): Promise<void>;
  /** Closes every open connection from the server side. */
  dropConnections(): void;
  close(): Promise<void>;
}

/** A test protocol server on 127.0.0.1:0. */
export async function startLineServer(): Promise<LineServer> {
  const sockets = new Set<net.Socket>();
  const state = {
    port: 0,
    address: '',
    accepted: 0,
    requests: 0,
    sockets,
    stopListening: () => new Promise<void>((resolve) => server.close(() => resolve())),
    dropConnections: () => {
      for (const s of sockets) s.destroy();
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = net.createServer((socket) => {
    state.accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let rest = '';
    socket.on('data', (chunk) => {
      rest += chunk.toString();
      for (let nl = rest.indexOf('\n'); nl >= 0; nl = rest.indexOf('\n')) {
        const line = rest.slice(0, nl);
        rest = rest.slice(nl + 1);
        state.requests++;
        const sp = line.indexOf(' ');
        const id = line.slice(0, sp);
        const payload = line.slice(sp + 1);
        if (payload === 'hangup') {
          socket.destroy();
          return;
        }
        const m = /^sleep:(\d+):(.*)$/.exec(payload);
        if (m) setTimeout(() => !socket.destroyed && socket.write(`${id} ${m[2]}\n`), Number(m[1]));
        else socket.write(`${id} ${payload}\n`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as net.AddressInfo).port;
  state.address = `127.0.0.1:${state.port}`;
  return state;
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

export type Outcome =
  | { kind: 'response'; payload: string; reused: boolean; host: string }
  | { kind: 'failure'; reason: PoolFailureReason; detail?: string }
  | { kind: 'reset'; reason: StreamResetReason; reused: boolean };

/** One request through a pool: the caller side (receiver and pool callbacks) of the test protocol. */
export class LineRequest implements StreamReceiver, PoolCallbacks {
  sender: StreamSender | undefined;
  readyCalled = false;
  reused = false;
  host = '';
  readonly done: Promise<Outcome>;
  settled: Outcome | undefined;
  /** The handle newStream returned (undefined when it called back at once). */
  pending: PendingStream | undefined;
  private resolve!: (o: Outcome) => void;

  /** `endRequest` false: the request's headers do not end it (a body would follow). */
  constructor(
    readonly payload: string,
    readonly endRequest = true,
  ) {
    this.done = new Promise((r) => (this.resolve = r));
  }

  onPoolReady(sender: StreamSender, host: UpstreamHost, reused: boolean): void {
    this.readyCalled = true;
    this.sender = sender;
    this.reused = reused;
    this.host = host.address;
    sender.sendHeaders(HeaderMap.fromObject({ payload: this.payload }), this.endRequest);
  }

  onPoolFailure(reason: PoolFailureReason, _host: UpstreamHost, detail?: string): void {
    this.finish({ kind: 'failure', reason, detail });
  }

  onHeaders(headers: HeaderMap, endStream: boolean): void {
    if (endStream) this.finish({ kind: 'response', payload: headers.get('payload') ?? '', reused: this.reused, host: this.host });
  }
  onData(): void {}
  onTrailers(): void {}
  onReset(reason: StreamResetReason): void {
    this.finish({ kind: 'reset', reason, reused: this.reused });
  }

  private finish(o: Outcome): void {
    if (this.settled) throw new Error(`test protocol request ${this.payload}: called back twice (${JSON.stringify(this.settled)} then ${JSON.stringify(o)})`);
    this.settled = o;
    this.resolve(o);
  }
}

/** Sends one request through `pool`; returns the request (its `done` resolves with the outcome). */
export function send(pool: ConnectionPool, payload: string): LineRequest {
  const r = new LineRequest(payload);
  r.pending = pool.newStream(r, r);
  return r;
}

export async function waitFor(cond: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
