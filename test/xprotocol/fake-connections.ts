import { HeaderMap, IoBuffer } from '../../plugin-sdk';
import type {
  ClientConnection,
  CloseType,
  CodecOptions,
  Connection,
  ConnectionEvent,
  ConnectionEventListener,
  Logger,
  ReadFilter,
  ServerStreamCallbacks,
  StreamReceiver,
  StreamResetReason,
  StreamSender,
} from '../../plugin-sdk';

/** A logger that keeps its lines. */
export interface LoggedLine {
  level: string;
  fields: Record<string, unknown>;
  msg: string;
}

export function recordingLogger(lines: LoggedLine[] = []): Logger & { lines: LoggedLine[] } {
  const at = (level: string) => (obj: object | string, msg?: string) =>
    typeof obj === 'string' ? lines.push({ level, fields: {}, msg: obj }) : lines.push({ level, fields: { ...obj }, msg: msg ?? '' });
  const logger = {
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

let nextId = 1;

/** A Connection that records what is written and lets the test close it. */
export class FakeConnection implements Connection {
  readonly id = nextId++;
  localAddress = '127.0.0.1:1';
  remoteAddress = '127.0.0.1:2';
  state: 'connecting' | 'open' | 'closed' = 'open';
  bytesRead = 0;
  bytesWritten = 0;
  bufferLimit = 1 << 20;
  aboveWriteBufferHighWatermark = false;
  readonly written: Buffer[] = [];
  closedWith: CloseType | undefined;
  readDisabled = 0;
  protected readonly listeners: ConnectionEventListener[] = [];

  write(data: Buffer): void {
    if (this.state === 'closed') return;
    this.written.push(data);
  }

  /** Everything written so far, then forgotten. */
  takeWritten(): Buffer {
    const all = Buffer.concat(this.written);
    this.written.length = 0;
    return all;
  }

  end(): void {}

  close(type: CloseType = 'FlushWrite'): void {
    if (this.state === 'closed') return;
    this.closedWith = type;
    this.emitClose('LocalClose');
  }

  /** The peer closed. */
  emitClose(event: ConnectionEvent = 'RemoteClose'): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    for (const l of this.listeners.slice()) l.onEvent(event, this);
  }

  readDisable(disable: boolean): void {
    this.readDisabled += disable ? 1 : -1;
  }

  setIdleTimeout(): void {}

  addEventListener(listener: ConnectionEventListener): void {
    this.listeners.push(listener);
  }

  removeEventListener(listener: ConnectionEventListener): void {
    const i = this.listeners.indexOf(listener);
    if (i >= 0) this.listeners.splice(i, 1);
  }
}

export class FakeClientConnection extends FakeConnection implements ClientConnection {
  hostAddress = '127.0.0.1:9';
  clusterName = 'c';
  override state: 'connecting' | 'open' | 'closed' = 'connecting';

  addReadFilter(_filter: ReadFilter): void {}

  connect(): void {
    this.state = 'open';
    for (const l of this.listeners.slice()) l.onEvent('Connected', this);
  }
}

export function codecOptions(logger: Logger, maxFrameBytes = 1 << 20): CodecOptions {
  return { maxHeaderBytes: 64 * 1024, maxFrameBytes, logger };
}

/** Records what a stream received. */
export class RecordingReceiver implements StreamReceiver {
  headers: HeaderMap | undefined;
  headersEnd: boolean | undefined;
  data: Buffer[] = [];
  ended = false;
  reset: StreamResetReason | undefined;
  onHeaders(headers: HeaderMap, endStream: boolean): void {
    this.headers = headers;
    this.headersEnd = endStream;
    if (endStream) this.ended = true;
  }
  onData(data: Buffer, endStream: boolean): void {
    this.data.push(data);
    if (endStream) this.ended = true;
  }
  onTrailers(): void {
    this.ended = true;
  }
  onReset(reason: StreamResetReason): void {
    this.reset = reason;
  }
}

/** Server callbacks that keep every new stream's responder and receiver. */
export class RecordingCallbacks implements ServerStreamCallbacks {
  readonly streams: { responder: StreamSender; receiver: RecordingReceiver }[] = [];
  onNewStream(responder: StreamSender): StreamReceiver {
    const receiver = new RecordingReceiver();
    this.streams.push({ responder, receiver });
    return receiver;
  }
}

/** Feeds bytes into a codec's dispatch the way the kernel does (one IoBuffer per connection). */
export class Feeder {
  readonly buffer = new IoBuffer();
  constructor(private readonly target: { dispatch(b: IoBuffer, end: boolean): void }) {}
  feed(bytes: Buffer, end = false): void {
    this.buffer.append(bytes);
    this.target.dispatch(this.buffer, end);
  }
}
