import * as fs from 'node:fs';
import type * as net from 'node:net';
import { FactoryRegistry } from '../../core/host/factory-registry';
import { PluginHost } from '../../core/host/plugin-host';
import {
  HeaderMap,
  IoBuffer,
  type ClientConnection,
  type CloseType,
  type CodecOptions,
  type ConnectionEventListener,
  type Logger,
  type ProtocolFactory,
  type ReadFilter,
  type StreamReceiver,
  type StreamResetReason,
  type StreamSender,
} from '../../plugin-sdk';
import { copyRepoPlugin, tempPluginsDir } from '../support/plugin-dirs';

/*
 * Test helpers for the http1 codec. The codec is the BUILT bundle (plugins/http1/dist/index.js)
 * loaded through the real PluginHost, as the kernel loads it: its `require('mosn-plugin-sdk')`
 * only resolves inside the host.
 */

export interface LogLine {
  level: string;
  fields: Record<string, unknown>;
  msg?: string;
}

/** A logger that keeps its lines. */
export function recordingLogger(lines: LogLine[] = []): Logger & { lines: LogLine[] } {
  const at =
    (level: string) =>
    (obj: object | string, msg?: string): void => {
      if (typeof obj === 'string') lines.push({ level, fields: {}, msg: obj });
      else lines.push({ level, fields: { ...obj }, msg });
    };
  const logger: Logger & { lines: LogLine[] } = {
    lines,
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    trace: at('trace'),
    child: () => logger,
  };
  return logger;
}

let loaded: Promise<ProtocolFactory> | undefined;

/** The `Http1` protocol factory from the built plugin, loaded once per test process. */
export function loadHttp1(): Promise<ProtocolFactory> {
  loaded ??= (async () => {
    const dir = tempPluginsDir();
    process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    copyRepoPlugin('http1', dir);
    const registry = new FactoryRegistry();
    const host = new PluginHost({ dir, registry, logger: recordingLogger() });
    const reports = await host.loadAll();
    const report = reports.find((r) => r.name === 'http1');
    if (report?.state !== 'loaded') throw new Error(`http1 plugin not loaded: ${report?.error ?? 'missing'}`);
    const entry = registry.get('protocol', 'Http1');
    if (!entry) throw new Error('protocol Http1 not registered');
    return entry.factory as ProtocolFactory;
  })();
  return loaded;
}

export function codecOptions(logger: Logger = recordingLogger(), maxHeaderBytes = 8192): CodecOptions {
  return { maxHeaderBytes, maxFrameBytes: 1 << 20, logger };
}

let nextId = 1;

/**
 * A fake Connection: records what is written, closes, half-closes and readDisable calls, and
 * fires watermark events on demand. Nothing touches a socket.
 */
export class FakeConnection implements ClientConnection {
  readonly id = nextId++;
  localAddress = '127.0.0.1:8080';
  remoteAddress = '127.0.0.1:50000';
  hostAddress = '127.0.0.1:9000';
  clusterName = 'backend';
  state: 'connecting' | 'open' | 'closed' = 'open';
  bytesRead = 0;
  bytesWritten = 0;
  bufferLimit = 1 << 20;
  aboveWriteBufferHighWatermark = false;
  readonly writes: Buffer[] = [];
  readonly listeners: ConnectionEventListener[] = [];
  readDisableCount = 0;
  readDisableCalls = 0;
  closedWith: CloseType | undefined;
  ended = false;
  /** Called when the connection closes (as the kernel's close event would). */
  onClose: (() => void) | undefined;

  write(data: Buffer): void {
    if (this.state === 'closed') return;
    this.writes.push(Buffer.from(data));
    this.bytesWritten += data.length;
  }

  end(): void {
    this.ended = true;
  }

  close(type: CloseType = 'FlushWrite'): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.closedWith = type;
    this.onClose?.();
  }

  readDisable(disable: boolean): void {
    this.readDisableCalls++;
    if (disable) this.readDisableCount++;
    else if (this.readDisableCount > 0) this.readDisableCount--;
  }

  setIdleTimeout(): void {}

  addEventListener(listener: ConnectionEventListener): void {
    this.listeners.push(listener);
  }

  removeEventListener(listener: ConnectionEventListener): void {
    const i = this.listeners.indexOf(listener);
    if (i >= 0) this.listeners.splice(i, 1);
  }

  addReadFilter(_filter: ReadFilter): void {}

  connect(): void {}

  /** Everything written so far, as one latin1 string. */
  text(): string {
    return Buffer.concat(this.writes).toString('latin1');
  }

  /** Everything written so far. */
  bytes(): Buffer {
    return Buffer.concat(this.writes);
  }

  /** Forgets what was written so far. */
  clearWrites(): void {
    this.writes.length = 0;
  }

  /** Simulates the socket buffer going above / below the limit. */
  setAboveHighWatermark(above: boolean): void {
    this.aboveWriteBufferHighWatermark = above;
    for (const l of this.listeners.slice()) {
      if (above) l.onAboveWriteBufferHighWatermark?.(this);
      else l.onBelowWriteBufferLowWatermark?.(this);
    }
  }
}

/** What a receiver got, in order. */
export type ReceivedEvent =
  | { kind: 'headers'; headers: HeaderMap; end: boolean }
  | { kind: 'data'; data: Buffer; end: boolean }
  | { kind: 'trailers'; trailers: HeaderMap }
  | { kind: 'reset'; reason: StreamResetReason; detail?: string };

/** A StreamReceiver that records every callback; `hooks` may act on them. */
export class RecordingReceiver implements StreamReceiver {
  readonly events: ReceivedEvent[] = [];
  onHeadersHook: ((headers: HeaderMap, end: boolean) => void) | undefined;
  onEndHook: (() => void) | undefined;

  onHeaders(headers: HeaderMap, end: boolean): void {
    this.events.push({ kind: 'headers', headers, end });
    this.onHeadersHook?.(headers, end);
    if (end) this.onEndHook?.();
  }

  onData(data: Buffer, end: boolean): void {
    this.events.push({ kind: 'data', data, end });
    if (end) this.onEndHook?.();
  }

  onTrailers(trailers: HeaderMap): void {
    this.events.push({ kind: 'trailers', trailers });
    this.onEndHook?.();
  }

  onReset(reason: StreamResetReason, detail?: string): void {
    this.events.push({ kind: 'reset', reason, detail });
  }

  /** Header maps received, in order. */
  get headers(): HeaderMap[] {
    return this.events.flatMap((e) => (e.kind === 'headers' ? [e.headers] : []));
  }

  /** The body bytes received. */
  body(): Buffer {
    return Buffer.concat(this.events.flatMap((e) => (e.kind === 'data' ? [e.data] : [])));
  }

  /** Whether a part with endStream (or trailers) arrived. */
  get ended(): boolean {
    return this.events.some((e) => (e.kind === 'headers' || e.kind === 'data' ? e.end : e.kind === 'trailers'));
  }

  /** How many parts carried endStream (must never exceed 1). */
  get endCount(): number {
    return this.events.filter((e) => (e.kind === 'headers' || e.kind === 'data' ? e.end : e.kind === 'trailers')).length;
  }

  get resets(): ReceivedEvent[] {
    return this.events.filter((e) => e.kind === 'reset');
  }
}

/** One request stream seen by a server codec: its responder and what its receiver got. */
export interface ServedStream {
  responder: StreamSender;
  receiver: RecordingReceiver;
}

/** A server codec over a fake connection, collecting the streams it creates. */
export async function fakeServer(options?: { maxHeaderBytes?: number; logger?: Logger & { lines: LogLine[] } }) {
  const factory = await loadHttp1();
  const conn = new FakeConnection();
  const streams: ServedStream[] = [];
  const logger = options?.logger ?? recordingLogger();
  /** Runs when a stream begins (e.g. to answer at once). */
  let onStream: ((s: ServedStream) => void) | undefined;
  const codec = factory.createServerConnection(
    conn,
    {
      onNewStream(responder) {
        const s: ServedStream = { responder, receiver: new RecordingReceiver() };
        streams.push(s);
        onStream?.(s);
        return s.receiver;
      },
    },
    codecOptions(logger, options?.maxHeaderBytes),
  );
  conn.onClose = () => setImmediate(() => codec.onConnectionClose());
  const buffer = new IoBuffer();
  return {
    conn,
    codec,
    streams,
    logger,
    /** Feeds bytes as the kernel would (one read). */
    feed(data: string | Buffer, endStream = false): void {
      buffer.append(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
      codec.dispatch(buffer, endStream);
    },
    /** What the codec left undrained (should stay 0). */
    get undrained(): number {
      return buffer.length;
    },
    set onStream(fn: ((s: ServedStream) => void) | undefined) {
      onStream = fn;
    },
  };
}

/** A client codec over a fake connection. */
export async function fakeClient(options?: { maxHeaderBytes?: number; logger?: Logger & { lines: LogLine[] } }) {
  const factory = await loadHttp1();
  const conn = new FakeConnection();
  const logger = options?.logger ?? recordingLogger();
  const codec = factory.createClientConnection(conn, codecOptions(logger, options?.maxHeaderBytes));
  conn.onClose = () => setImmediate(() => codec.onConnectionClose());
  const buffer = new IoBuffer();
  return {
    conn,
    codec,
    logger,
    feed(data: string | Buffer, endStream = false): void {
      buffer.append(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
      codec.dispatch(buffer, endStream);
    },
  };
}

/** Request headers with pseudo-headers, as a proxy would hand them to the client codec. */
export function request(method: string, path: string, authority: string | undefined, headers: [string, string][] = []): HeaderMap {
  const h = new HeaderMap();
  h.add(':method', method);
  h.add(':path', path);
  if (authority !== undefined) h.add(':authority', authority);
  h.add(':scheme', 'http');
  for (const [n, v] of headers) h.add(n, v);
  return h;
}

/** Response headers with `:status`. */
export function response(status: number, headers: [string, string][] = []): HeaderMap {
  const h = new HeaderMap();
  h.add(':status', String(status));
  for (const [n, v] of headers) h.add(n, v);
  return h;
}

/** Lets queued microtasks and immediates run (batched writes, deferred work). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A kernel-like Connection over a real net.Socket, for interop tests: reads go to `dispatch`,
 * writes to the socket, close events to `onConnectionClose`.
 */
export class SocketConnection implements ClientConnection {
  readonly id = nextId++;
  localAddress: string;
  remoteAddress: string;
  hostAddress = '';
  clusterName = 'test';
  state: 'connecting' | 'open' | 'closed' = 'open';
  bytesRead = 0;
  bytesWritten = 0;
  bufferLimit = 1 << 20;
  aboveWriteBufferHighWatermark = false;
  private readonly listeners: ConnectionEventListener[] = [];
  private readonly buffer = new IoBuffer();
  private disabled = 0;
  private codec: { dispatch(b: IoBuffer, end: boolean): void; onConnectionClose(): void } | undefined;

  constructor(private readonly socket: net.Socket) {
    this.localAddress = `${socket.localAddress}:${socket.localPort}`;
    this.remoteAddress = `${socket.remoteAddress}:${socket.remotePort}`;
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => {
      this.bytesRead += d.length;
      this.buffer.append(d);
      this.codec?.dispatch(this.buffer, false);
    });
    socket.on('end', () => this.codec?.dispatch(this.buffer, true));
    socket.on('drain', () => {
      if (!this.aboveWriteBufferHighWatermark) return;
      this.aboveWriteBufferHighWatermark = false;
      for (const l of this.listeners.slice()) l.onBelowWriteBufferLowWatermark?.(this);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.state = 'closed';
      this.codec?.onConnectionClose();
    });
  }

  /** Sets the codec that gets this connection's bytes. */
  attach(codec: { dispatch(b: IoBuffer, end: boolean): void; onConnectionClose(): void }): void {
    this.codec = codec;
  }

  write(data: Buffer): void {
    if (this.state === 'closed') return;
    this.bytesWritten += data.length;
    this.socket.write(data);
    if (!this.aboveWriteBufferHighWatermark && this.socket.writableLength > this.bufferLimit) {
      this.aboveWriteBufferHighWatermark = true;
      for (const l of this.listeners.slice()) l.onAboveWriteBufferHighWatermark?.(this);
    }
  }

  end(): void {
    this.socket.end();
  }

  close(type: CloseType = 'FlushWrite'): void {
    if (this.state === 'closed') return;
    if (type === 'NoFlush') this.socket.destroy();
    else this.socket.end(() => this.socket.destroy());
  }

  readDisable(disable: boolean): void {
    if (disable) this.disabled++;
    else if (this.disabled > 0) this.disabled--;
    if (this.disabled > 0) this.socket.pause();
    else this.socket.resume();
  }

  setIdleTimeout(): void {}

  addEventListener(listener: ConnectionEventListener): void {
    this.listeners.push(listener);
  }

  removeEventListener(listener: ConnectionEventListener): void {
    const i = this.listeners.indexOf(listener);
    if (i >= 0) this.listeners.splice(i, 1);
  }

  addReadFilter(_filter: ReadFilter): void {}

  connect(): void {}
}
