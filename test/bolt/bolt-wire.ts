import * as net from 'node:net';

/*
 * bolt frames built and parsed byte by byte in the tests, independently of the plugin's codec,
 * for what real SOFA clients never send (bad magic, lying lengths, broken header blocks) and for
 * reading what real clients do not show (a response's status).
 */

export interface RequestSpec {
  id: number;
  /** 1 (default) or 2. */
  version?: 1 | 2;
  /** 1 request (default), 2 oneway. */
  type?: number;
  cmdCode?: number;
  timeout?: number;
  className?: string;
  headers?: Record<string, string>;
  /** Pre-encoded header block (wins over `headers`), e.g. a broken one. */
  headerBlock?: Buffer;
  content?: Buffer;
}

export function headerBlock(headers: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(headers)) {
    const kb = Buffer.from(k);
    const vb = Buffer.from(v);
    const kl = Buffer.alloc(4);
    kl.writeUInt32BE(kb.length);
    const vl = Buffer.alloc(4);
    vl.writeUInt32BE(vb.length);
    parts.push(kl, kb, vl, vb);
  }
  return Buffer.concat(parts);
}

export function requestFrame(spec: RequestSpec): Buffer {
  const v2 = spec.version === 2;
  const cls = Buffer.from(spec.className ?? 'com.alipay.sofa.rpc.core.request.SofaRequest');
  const hdr = spec.headerBlock ?? headerBlock(spec.headers ?? {});
  const content = spec.content ?? Buffer.alloc(0);
  const fixed = Buffer.alloc(v2 ? 24 : 22);
  let at = 0;
  fixed[at++] = v2 ? 2 : 1;
  if (v2) fixed[at++] = 1;
  fixed[at++] = spec.type ?? 1;
  fixed.writeUInt16BE(spec.cmdCode ?? 1, at);
  at += 2;
  fixed[at++] = 1;
  fixed.writeUInt32BE(spec.id >>> 0, at);
  at += 4;
  fixed[at++] = 1;
  if (v2) fixed[at++] = 0;
  fixed.writeInt32BE(spec.timeout ?? 3000, at);
  at += 4;
  fixed.writeUInt16BE(cls.length, at);
  fixed.writeUInt16BE(hdr.length, at + 2);
  fixed.writeUInt32BE(content.length, at + 4);
  return Buffer.concat([fixed, cls, hdr, content]);
}

export interface ParsedResponse {
  version: number;
  cmdCode: number;
  id: number;
  status: number;
  className: string;
  content: Buffer;
}

/** Parses every complete response frame at the front of `bytes`; returns them and the rest. */
export function parseResponses(bytes: Buffer): { frames: ParsedResponse[]; rest: Buffer } {
  const frames: ParsedResponse[] = [];
  let at = 0;
  for (;;) {
    const b = bytes.subarray(at);
    if (b.length < 1) break;
    const v2 = b[0] === 2;
    const fixed = v2 ? 22 : 20;
    if (b.length < fixed) break;
    const o = v2 ? 1 : 0;
    const classLen = b.readUInt16BE(12 + o * 2);
    const headerLen = b.readUInt16BE(14 + o * 2);
    const contentLen = b.readUInt32BE(16 + o * 2);
    const len = fixed + classLen + headerLen + contentLen;
    if (b.length < len) break;
    frames.push({
      version: b[0],
      cmdCode: b.readUInt16BE(2 + o),
      id: b.readUInt32BE(5 + o),
      status: b.readUInt16BE(10 + o * 2),
      className: b.toString('utf8', fixed, fixed + classLen),
      content: b.subarray(fixed + classLen + headerLen, len),
    });
    at += len;
  }
  return { frames, rest: bytes.subarray(at) };
}

/** A raw socket that collects the response frames it receives. */
export class RawBoltClient {
  private pending: Buffer = Buffer.alloc(0);
  readonly frames: ParsedResponse[] = [];
  private waiters: (() => void)[] = [];
  closed = false;
  private closedWaiters: (() => void)[] = [];

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      const { frames, rest } = parseResponses(Buffer.concat([this.pending, d]));
      this.pending = rest;
      this.frames.push(...frames);
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('error', () => undefined);
    // The proxy closing shows as FIN ('end') on this half-open socket; treat it as closed.
    socket.on('end', () => socket.destroy());
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.closedWaiters.splice(0)) w();
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static connect(port: number): Promise<RawBoltClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => {
        s.off('error', reject);
        resolve(new RawBoltClient(s));
      });
      s.once('error', reject);
    });
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Resolves with the response for `id` (rejects if the connection closes or time runs out first). */
  async response(id: number, timeoutMs = 5000): Promise<ParsedResponse> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const f = this.frames.find((x) => x.id === id);
      if (f) return f;
      if (this.closed) throw new Error(`connection closed before the response to id ${id}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no response to id ${id} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Resolves once the proxy closed the connection (rejects after `timeoutMs`). */
  whenClosed(timeoutMs = 5000): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`connection still open after ${timeoutMs} ms`)), timeoutMs);
      this.closedWaiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

export interface ParsedRequest {
  version: number;
  type: number;
  id: number;
  headers: Record<string, string>;
  content: Buffer;
  /** The whole frame as received. */
  raw: Buffer;
}

/** Parses every complete request frame (v1 or v2, no CRC) at the front of `bytes`; returns them and the rest. */
export function parseRequests(bytes: Buffer): { frames: ParsedRequest[]; rest: Buffer } {
  const frames: ParsedRequest[] = [];
  let at = 0;
  for (;;) {
    const b = bytes.subarray(at);
    const v2 = b[0] === 2;
    const fixed = v2 ? 24 : 22;
    if (b.length < fixed) break;
    const o = v2 ? 1 : 0;
    const classLen = b.readUInt16BE(14 + o * 2);
    const headerLen = b.readUInt16BE(16 + o * 2);
    const contentLen = b.readUInt32BE(18 + o * 2);
    const len = fixed + classLen + headerLen + contentLen;
    if (b.length < len) break;
    const headers: Record<string, string> = {};
    const block = b.subarray(fixed + classLen, fixed + classLen + headerLen);
    for (let h = 0; h < block.length; ) {
      const kl = block.readUInt32BE(h);
      const key = block.toString('utf8', h + 4, h + 4 + kl);
      h += 4 + kl;
      const vl = block.readInt32BE(h);
      headers[key] = vl > 0 ? block.toString('utf8', h + 4, h + 4 + vl) : '';
      h += 4 + Math.max(0, vl);
    }
    frames.push({ version: b[0], type: b[1 + o], id: b.readUInt32BE(5 + o), headers, content: b.subarray(len - contentLen, len), raw: Buffer.from(b.subarray(0, len)) });
    at += len;
  }
  return { frames, rest: bytes.subarray(at) };
}

/** A bolt v1 response frame (status 0 = success) with `content` and no header block. */
export function responseFrame(id: number, content: Buffer, status = 0): Buffer {
  const cls = Buffer.from('com.alipay.sofa.rpc.core.response.SofaResponse');
  const fixed = Buffer.alloc(20);
  fixed[0] = 1;
  fixed[1] = 0; // response
  fixed.writeUInt16BE(2, 2); // RPC response
  fixed[4] = 1;
  fixed.writeUInt32BE(id >>> 0, 5);
  fixed[9] = 1; // hessian2
  fixed.writeUInt16BE(status, 10);
  fixed.writeUInt16BE(cls.length, 12);
  fixed.writeUInt16BE(0, 14);
  fixed.writeUInt32BE(content.length, 16);
  return Buffer.concat([fixed, cls, content]);
}
