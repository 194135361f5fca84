import type { PluginTemplate } from './plugin-template';

/** A multiplexed RPC protocol: an xprotocol codec over a small length-prefixed frame. */
export const protocolTemplate: PluginTemplate = {
  kind: 'protocol',
  description: (name) => `Protocol ${name}: a multiplexed RPC codec (12-byte header: magic, kind, flags, status, request id, body length) run by the kernel's xprotocol engine.`,
  source: (name) => `import { XDecodeError, definePlugin } from 'mosn-plugin-sdk';
import type { HeaderMap, IoBuffer, XDecodeLimits, XFrameKind, XProtocolCodec } from 'mosn-plugin-sdk';

/**
 * Wire format of \`${name}\`, all integers big-endian:
 *   0  magic 0xA7        1  kind (0 request, 1 response, 2 oneway)
 *   2  flags (1 = heartbeat)   3  status (responses: 0 ok, 1 error)
 *   4  request id (u32)  8  body length (u32)   12  body
 */
const MAGIC = 0xa7;
const HEADER_BYTES = 12;
const KINDS: readonly XFrameKind[] = ['request', 'response', 'oneway'];
const HEARTBEAT = 1;

export interface Frame {
  kind: XFrameKind;
  heartbeat: boolean;
  status: number;
  id: number;
  body: Buffer;
  /** The bytes as decoded (for the engine's fast path); undefined for a frame built here. */
  raw?: Buffer;
}

export const codec: XProtocolCodec<Frame> = {
  poolMode: 'multiplex',
  maxRequestId: 0xffffffff,

  match: (bytes) => (bytes.length === 0 ? 'need-more' : bytes[0] === MAGIC ? 'match' : 'mismatch'),

  decode(buffer: IoBuffer, limits: XDecodeLimits) {
    if (buffer.length < HEADER_BYTES) return undefined;
    const bytes = buffer.peek();
    if (bytes[0] !== MAGIC) return new XDecodeError(\`bad magic 0x\${bytes[0].toString(16)}\`);
    const kind = KINDS[bytes[1]];
    if (!kind) return new XDecodeError(\`unknown frame kind \${bytes[1]}\`);
    const length = HEADER_BYTES + bytes.readUInt32BE(8);
    if (length > limits.maxFrameBytes) return new XDecodeError(\`frame of \${length} bytes is over the limit\`);
    if (bytes.length < length) {
      limits.wantedBytes = length;
      return undefined;
    }
    const raw = bytes.subarray(0, length);
    buffer.drain(length);
    return { kind, heartbeat: (raw[2] & HEARTBEAT) !== 0, status: raw[3], id: raw.readUInt32BE(4), body: raw.subarray(HEADER_BYTES), raw };
  },

  encode(frame) {
    const head = Buffer.alloc(HEADER_BYTES);
    head[0] = MAGIC;
    head[1] = KINDS.indexOf(frame.kind);
    head[2] = frame.heartbeat ? HEARTBEAT : 0;
    head[3] = frame.status;
    head.writeUInt32BE(frame.id, 4);
    head.writeUInt32BE(frame.body.length, 8);
    return Buffer.concat([head, frame.body]);
  },

  kind: (frame) => frame.kind,
  getRequestId: (frame) => frame.id,
  setRequestId: (frame, id) => {
    frame.id = id;
    frame.raw = undefined;
  },
  rawFrame: (frame) => frame.raw,
  rewriteRequestId: (raw, id) => raw.writeUInt32BE(id, 4),

  isHeartbeat: (frame) => frame.heartbeat,
  heartbeatRequest: (id) => ({ kind: 'request', heartbeat: true, status: 0, id, body: Buffer.alloc(0) }),
  heartbeatReply: (request) => ({ kind: 'response', heartbeat: true, status: 0, id: request.id, body: Buffer.alloc(0) }),

  hijack: (request, status) => ({ kind: 'response', heartbeat: false, status: status === 200 ? 0 : 1, id: request.id, body: Buffer.from(\`error \${status}\`) }),
  responseStatus: (response) => (response.status === 0 ? 200 : 500),

  readHeaders(_frame: Frame, _into: HeaderMap) {
    // This wire format has no headers.
  },
  body: (frame) => frame.body,
  timeoutMs: () => 0,
  rebuild: (frame, _headers, body) => ({ ...frame, body, raw: undefined }),
};

export default definePlugin({
  activate(context) {
    context.registerXProtocol('${name}', codec);
  },
});
`,
  test: (name) => `import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { IoBuffer } from 'mosn-plugin-sdk';
import type { XProtocolCodec } from 'mosn-plugin-sdk';
import { loadPluginForTest, type TestPlugin, type XProtocolRegistration } from 'mosn-plugin-sdk/testing';

interface Frame {
  kind: string;
  heartbeat: boolean;
  status: number;
  id: number;
  body: Buffer;
}

describe('${name}', () => {
  let plugin: TestPlugin;
  let codec: XProtocolCodec<Frame>;
  before(async () => {
    plugin = await loadPluginForTest();
    codec = plugin.factory<XProtocolRegistration>('protocol', '${name}').xprotocolCodec as XProtocolCodec<Frame>;
  });
  after(() => plugin.dispose());

  it('decodes what it encodes, and waits for a whole frame', () => {
    const bytes = codec.encode({ kind: 'request', heartbeat: false, status: 0, id: 42, body: Buffer.from('hello') });
    const buffer = new IoBuffer();
    buffer.append(bytes.subarray(0, 7));
    const limits = { maxFrameBytes: 1 << 20, wantedBytes: 0 };
    assert.equal(codec.decode(buffer, limits), undefined);
    buffer.append(bytes.subarray(7));
    const frame = codec.decode(buffer, limits) as Frame;
    assert.equal(codec.getRequestId(frame), 42);
    assert.equal(codec.kind(frame), 'request');
    assert.equal(codec.body(frame).toString(), 'hello');
    assert.equal(buffer.length, 0);
  });

  it('matches its own first byte only', () => {
    assert.equal(codec.match(Buffer.from([0xa7])), 'match');
    assert.equal(codec.match(Buffer.from('GET / HTTP/1.1')), 'mismatch');
  });

  it('maps a hijack status to an error response', () => {
    const request = { kind: 'request', heartbeat: false, status: 0, id: 7, body: Buffer.alloc(0) };
    assert.equal(codec.responseStatus(codec.hijack(request, 503)), 500);
  });
});
`,
};
