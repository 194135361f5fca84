import * as net from 'node:net';

/*
 * Dubbo 2.x frames built and parsed in the tests independently of the plugin's codec: what a
 * Dubbo consumer and provider put on the wire (Dubbo's ExchangeCodec and DubboCodec, hessian2
 * bodies by hessian.js's EncoderV2/DecoderV2), and what real peers never send (bad magic, lying
 * lengths, broken bodies).
 */

/* eslint-disable @typescript-eslint/no-require-imports */
interface HessianEncoder {
  write(value: unknown): HessianEncoder;
  get(): Buffer;
}
interface HessianDecoder {
  read(): unknown;
  byteBuffer: { position(): number };
}
const hessian = require('hessian.js') as {
  EncoderV2: new () => HessianEncoder;
  DecoderV2: new (buf: Buffer) => HessianDecoder;
};

export const FLAG_REQUEST = 0x80;
export const FLAG_TWO_WAY = 0x40;
export const FLAG_EVENT = 0x20;
export const HESSIAN2 = 2;

/** Dubbo's response body kinds (DubboCodec.RESPONSE_*). */
export const RESPONSE_WITH_EXCEPTION = 0;
export const RESPONSE_VALUE = 1;
export const RESPONSE_NULL_VALUE = 2;

export interface Invocation {
  service: string;
  method: string;
  /** Service version (the third field); '' by default. */
  version?: string;
  /** Dubbo protocol version, the first field; "2.0.2" by default (what Dubbo 2.7 sends). */
  dubboVersion?: string;
  /** Parameter-types descriptor, e.g. "Ljava/lang/String;I". */
  types?: string;
  /** Arguments, in hessian.js's `{ $class, $ }` form where the Java type matters. */
  args?: unknown[];
  attachments?: Record<string, string>;
}

/** A request body as Dubbo's DubboCodec.encodeRequestData writes it. */
export function invocationBody(inv: Invocation): Buffer {
  const e = new hessian.EncoderV2();
  e.write(inv.dubboVersion ?? '2.0.2');
  e.write(inv.service);
  e.write(inv.version ?? '');
  e.write(inv.method);
  e.write(inv.types ?? '');
  for (const a of inv.args ?? []) e.write(a);
  e.write({ path: inv.service, interface: inv.service, ...(inv.version ? { version: inv.version } : {}), ...inv.attachments });
  return Buffer.from(e.get());
}

export interface FrameSpec {
  flag: number;
  status?: number;
  /** Request id (bigint for ids beyond 2^53). */
  id: number | bigint;
  body: Buffer;
}

export function frame(spec: FrameSpec): Buffer {
  const out = Buffer.alloc(16 + spec.body.length);
  out[0] = 0xda;
  out[1] = 0xbb;
  out[2] = spec.flag;
  out[3] = spec.status ?? 0;
  out.writeBigUInt64BE(BigInt(spec.id), 4);
  out.writeUInt32BE(spec.body.length, 12);
  spec.body.copy(out, 16);
  return out;
}

/** A two-way hessian2 request frame. */
export function requestFrame(id: number | bigint, inv: Invocation, opts: { oneway?: boolean; serialization?: number } = {}): Buffer {
  const flag = FLAG_REQUEST | (opts.oneway ? 0 : FLAG_TWO_WAY) | (opts.serialization ?? HESSIAN2);
  return frame({ flag, id, body: invocationBody(inv) });
}

/** A heartbeat event as Dubbo's HeartbeatHandler sends it (event data null). */
export function heartbeatFrame(id: number | bigint, twoWay = true): Buffer {
  return frame({ flag: FLAG_REQUEST | (twoWay ? FLAG_TWO_WAY : 0) | FLAG_EVENT | HESSIAN2, id, body: Buffer.from([0x4e]) });
}

/** A response body: a value (RESPONSE_VALUE) or, for a non-OK status, the error message. */
export function responseBody(value: unknown, ok = true): Buffer {
  const e = new hessian.EncoderV2();
  if (ok) {
    e.write(value === null ? RESPONSE_NULL_VALUE : RESPONSE_VALUE);
    if (value !== null) e.write(value);
  } else {
    e.write(String(value));
  }
  return Buffer.from(e.get());
}

export interface ParsedFrame {
  flag: number;
  status: number;
  id: bigint;
  body: Buffer;
  /** The whole frame. */
  raw: Buffer;
}

/** Splits every complete frame off the front of `bytes`; returns them and the rest. */
export function parseFrames(bytes: Buffer): { frames: ParsedFrame[]; rest: Buffer } {
  const frames: ParsedFrame[] = [];
  let at = 0;
  while (bytes.length - at >= 16) {
    const len = 16 + bytes.readUInt32BE(at + 12);
    if (bytes.length - at < len) break;
    const raw = bytes.subarray(at, at + len);
    frames.push({ flag: raw[2], status: raw[3], id: raw.readBigUInt64BE(4), body: raw.subarray(16), raw });
    at += len;
  }
  return { frames, rest: bytes.subarray(at) };
}

/** What a response frame's body says: the value, or the error message of a non-OK status. */
export function responseValue(f: ParsedFrame): { value?: unknown; error?: string } {
  const d = new hessian.DecoderV2(f.body);
  if (f.status !== 20) return { error: String(d.read()) };
  const kind = d.read();
  if (kind === RESPONSE_VALUE) return { value: d.read() };
  if (kind === RESPONSE_NULL_VALUE) return { value: null };
  return { error: JSON.stringify(d.read()) };
}

/** A request body read back (as a provider does). */
export function readInvocationBody(body: Buffer): Required<Omit<Invocation, 'attachments'>> & { attachments: Record<string, unknown> } {
  const d = new hessian.DecoderV2(body);
  const dubboVersion = d.read() as string;
  const service = d.read() as string;
  const version = (d.read() as string | null) ?? '';
  const method = d.read() as string;
  const types = d.read() as string;
  const args: unknown[] = [];
  for (let i = 0; i < countTypes(types); i++) args.push(d.read());
  const attachments = d.byteBuffer.position() < body.length ? ((d.read() as Record<string, unknown>) ?? {}) : {};
  return { dubboVersion, service, version, method, types, args, attachments };
}

/** Argument count of a descriptor, written here independently of the plugin's. */
function countTypes(desc: string): number {
  return desc.replace(/\[/g, '').replace(/L[^;]*;/g, 'L').length;
}

/** A raw socket that collects the frames it receives. */
export class RawDubboClient {
  private pending: Buffer = Buffer.alloc(0);
  readonly frames: ParsedFrame[] = [];
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      const { frames, rest } = parseFrames(Buffer.concat([this.pending, d]));
      this.pending = rest;
      this.frames.push(...frames);
      this.wake();
    });
    socket.on('error', () => undefined);
    // The proxy closing shows as FIN ('end') on this half-open socket; treat it as closed.
    socket.on('end', () => socket.destroy());
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  static connect(port: number): Promise<RawDubboClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => {
        s.off('error', reject);
        resolve(new RawDubboClient(s));
      });
      s.once('error', reject);
    });
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Resolves with the frame for `id` (rejects if the connection closes or time runs out first). */
  async response(id: number | bigint, timeoutMs = 5000): Promise<ParsedFrame> {
    const want = BigInt(id);
    await this.until(() => this.frames.some((f) => f.id === want), `the response to id ${id}`, timeoutMs, true);
    return this.frames.find((f) => f.id === want)!;
  }

  /** Resolves once the proxy closed the connection. */
  whenClosed(timeoutMs = 5000): Promise<void> {
    return this.until(() => this.closed, 'the connection to close', timeoutMs, false);
  }

  close(): void {
    this.socket.destroy();
  }

  private async until(done: () => boolean, what: string, timeoutMs: number, failOnClose: boolean): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (done()) return;
      if (failOnClose && this.closed) throw new Error(`connection closed before ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${what} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
