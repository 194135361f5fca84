import { HeaderMap, XDecodeError } from '../../plugin-sdk';
import type { IoBuffer, XDecodeLimits, XFrameKind, XKeepaliveSettings, XProtocolCodec } from '../../plugin-sdk';

/*
 * A small xprotocol codec for testing the kernel engine on its own ("tx"):
 *
 *   magic 0xAB | type (0 response, 1 request, 2 oneway) | flags (1 heartbeat, 2 goaway)
 *   | id u32 | status u16 | timeout u32 | headerLen u16 | bodyLen u32 | headers | body
 *
 * 19 fixed bytes; headers are `k=v` pairs joined by '&' (a '%' in a header block is "broken").
 * Its hijack keeps the HTTP-like status as the frame status, so tests can read what the engine asked.
 */
export const TX_FIXED = 19;
export const TX_MAGIC = 0xab;

export class TxFrame {
  type = 1;
  flags = 0;
  id = 0;
  status = 0;
  timeout = 0;
  headers: [string, string][] = [];
  body: Buffer = Buffer.alloc(0);
  raw: Buffer | undefined;
}

export function txEncode(f: TxFrame): Buffer {
  const hdr = Buffer.from(f.headers.map(([k, v]) => `${k}=${v}`).join('&'));
  const out = Buffer.alloc(TX_FIXED + hdr.length + f.body.length);
  out[0] = TX_MAGIC;
  out[1] = f.type;
  out[2] = f.flags;
  out.writeUInt32BE(f.id >>> 0, 3);
  out.writeUInt16BE(f.status, 7);
  out.writeUInt32BE(f.timeout, 9);
  out.writeUInt16BE(hdr.length, 13);
  out.writeUInt32BE(f.body.length, 15);
  hdr.copy(out, TX_FIXED);
  f.body.copy(out, TX_FIXED + hdr.length);
  return out;
}

/** Builds a frame's bytes for tests. */
export function tx(fields: Partial<Omit<TxFrame, 'raw'>> & { headers?: [string, string][] }): Buffer {
  return txEncode(Object.assign(new TxFrame(), fields));
}

/** Parses frames' bytes (as written by the engine) for assertions. */
export function txParse(bytes: Buffer): TxFrame[] {
  const out: TxFrame[] = [];
  let at = 0;
  while (at + TX_FIXED <= bytes.length) {
    const b = bytes.subarray(at);
    const hl = b.readUInt16BE(13);
    const bl = b.readUInt32BE(15);
    const f = new TxFrame();
    f.type = b[1];
    f.flags = b[2];
    f.id = b.readUInt32BE(3);
    f.status = b.readUInt16BE(7);
    f.timeout = b.readUInt32BE(9);
    const h = b.toString('utf8', TX_FIXED, TX_FIXED + hl);
    f.headers = h ? h.split('&').map((kv) => kv.split('=') as [string, string]) : [];
    f.body = Buffer.from(b.subarray(TX_FIXED + hl, TX_FIXED + hl + bl));
    out.push(f);
    at += TX_FIXED + hl + bl;
  }
  return out;
}

export class TxCodec implements XProtocolCodec<TxFrame> {
  readonly poolMode = 'multiplex';
  readonly maxFrameBytes: number | undefined;
  /** Every hijack asked for: [request id, status]. */
  readonly hijacks: [number, number][] = [];

  constructor(
    readonly maxRequestId = 0xffffffff,
    readonly keepalive?: Partial<XKeepaliveSettings>,
    maxFrameBytes?: number,
  ) {
    this.maxFrameBytes = maxFrameBytes;
  }

  match(b: Buffer): 'match' | 'mismatch' | 'need-more' {
    return b.length === 0 ? 'need-more' : b[0] === TX_MAGIC ? 'match' : 'mismatch';
  }

  decode(buffer: IoBuffer, limits: XDecodeLimits): TxFrame | undefined | XDecodeError<TxFrame> {
    const b = buffer.peek();
    if (b[0] !== TX_MAGIC) return new XDecodeError(`bad magic 0x${b[0].toString(16)}`);
    if (b.length < TX_FIXED) return undefined;
    const hl = b.readUInt16BE(13);
    const bl = b.readUInt32BE(15);
    const len = TX_FIXED + hl + bl;
    if (len > limits.maxFrameBytes) return new XDecodeError(`frame of ${len} bytes is over ${limits.maxFrameBytes}`);
    if (b.length < len) {
      limits.wantedBytes = len;
      return undefined;
    }
    const raw = b.subarray(0, len);
    buffer.drain(len);
    const f = new TxFrame();
    f.raw = raw;
    f.type = raw[1];
    f.flags = raw[2];
    f.id = raw.readUInt32BE(3);
    f.status = raw.readUInt16BE(7);
    f.timeout = raw.readUInt32BE(9);
    const h = raw.toString('utf8', TX_FIXED, TX_FIXED + hl);
    f.body = raw.subarray(TX_FIXED + hl);
    if (h.includes('%')) return new XDecodeError('broken header block', f);
    f.headers = h ? h.split('&').map((kv) => kv.split('=') as [string, string]) : [];
    return f;
  }

  encode(f: TxFrame): Buffer {
    return f.raw ?? txEncode(f);
  }

  kind(f: TxFrame): XFrameKind {
    return f.type === 0 ? 'response' : f.type === 2 ? 'oneway' : 'request';
  }

  getRequestId(f: TxFrame): number {
    return f.id;
  }

  setRequestId(f: TxFrame, id: number): void {
    f.id = id;
    if (f.raw) f.raw.writeUInt32BE(id >>> 0, 3);
  }

  rawFrame(f: TxFrame): Buffer | undefined {
    return f.raw;
  }

  rewriteRequestId(raw: Buffer, id: number): void {
    raw.writeUInt32BE(id >>> 0, 3);
  }

  isHeartbeat(f: TxFrame): boolean {
    return (f.flags & 1) !== 0;
  }

  isGoAway(f: TxFrame): boolean {
    return (f.flags & 2) !== 0;
  }

  heartbeatRequest(id: number): TxFrame {
    return Object.assign(new TxFrame(), { type: 1, flags: 1, id });
  }

  heartbeatReply(req: TxFrame): TxFrame {
    return Object.assign(new TxFrame(), { type: 0, flags: 1, id: req.id });
  }

  hijack(req: TxFrame, status: number): TxFrame {
    this.hijacks.push([req.id, status]);
    return Object.assign(new TxFrame(), { type: 0, id: req.id, status });
  }

  responseStatus(f: TxFrame): number {
    return f.status === 0 ? 200 : f.status;
  }

  readHeaders(f: TxFrame, into: HeaderMap): void {
    for (const [k, v] of f.headers) into.add(k, v);
  }

  body(f: TxFrame): Buffer {
    return f.body;
  }

  timeoutMs(f: TxFrame): number {
    return f.type === 0 ? 0 : f.timeout;
  }

  rebuild(f: TxFrame, headers: HeaderMap, body: Buffer): TxFrame {
    const n = Object.assign(new TxFrame(), { type: f.type, flags: f.flags, id: f.id, status: f.status, timeout: f.timeout });
    n.headers = headers.entries();
    n.body = body;
    return n;
  }
}
