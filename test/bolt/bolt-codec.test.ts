import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { evaluateBundle } from '../../core/host/bundle-evaluator';
import { CODEC_EXCEPTION_STATUS, HeaderMap, IoBuffer, XDecodeError } from '../../plugin-sdk';
import type { PluginModule, XDecodeLimits, XProtocolCodec } from '../../plugin-sdk';
import { REPO_ROOT } from '../support/paths';
import { parseResponses, requestFrame } from './bolt-wire';
import { jstr, sofaRequestFrame } from './sofa-peers';

/* eslint-disable @typescript-eslint/no-require-imports */
const boltProtocol = require('sofa-bolt-node/lib/protocol') as {
  decode(buf: Buffer, options: Record<string, unknown>): { packetId: number; packetType: string; data?: unknown };
  requestEncode(id: number, req: Record<string, unknown>, options: Record<string, unknown>): Buffer;
};

type Codec = XProtocolCodec<object>;

/** The codecs the BUILT bolt plugin registers (its bundle evaluated as the kernel does). */
function loadCodecs(): Record<string, Codec> {
  const file = path.join(REPO_ROOT, 'plugins', 'bolt', 'dist', 'index.js');
  const plugin = evaluateBundle(fs.readFileSync(file, 'utf8'), file) as PluginModule;
  const codecs: Record<string, Codec> = {};
  void plugin.activate({
    registerXProtocol: (name: string, codec: Codec) => (codecs[name] = codec),
  } as never);
  return codecs;
}

const { bolt, boltv2 } = loadCodecs();
const limits = (max = 1 << 20): XDecodeLimits => ({ maxFrameBytes: max, wantedBytes: 0 });

function decodeOne(codec: Codec, bytes: Buffer): object {
  const buf = new IoBuffer();
  buf.append(bytes);
  const f = codec.decode(buf, limits());
  assert.ok(f && !(f instanceof XDecodeError), `decode failed: ${f instanceof XDecodeError ? f.reason : 'need more'}`);
  assert.equal(buf.length, 0);
  return f;
}

describe('bolt codec (built plugin)', () => {
  it('registers bolt and boltv2, matching byte 0 = 0x01 and 0x02 (MOSN matchers)', () => {
    assert.equal(bolt.match(Buffer.from([1, 1])), 'match');
    assert.equal(bolt.match(Buffer.from([2, 1])), 'mismatch');
    assert.equal(boltv2.match(Buffer.from([2])), 'match');
    assert.equal(bolt.match(Buffer.alloc(0)), 'need-more');
    assert.equal(bolt.poolMode, 'multiplex');
  });

  it('decodes a sofa-bolt-node request: header block as headers, content as a view, timeout', () => {
    const bytes = sofaRequestFrame(42, 'com.example.EchoService', 'echo', [jstr('hi')], { timeout: 1234 });
    const f = decodeOne(bolt, bytes);
    assert.equal(bolt.kind(f), 'request');
    assert.equal(bolt.getRequestId(f), 42);
    assert.equal(bolt.timeoutMs(f), 1234);
    const h = new HeaderMap();
    bolt.readHeaders(f, h);
    assert.equal(h.get('service'), 'com.example.EchoService:1.0');
    assert.equal(bolt.body(f).buffer, bytes.buffer, 'the body is a view on the frame bytes');
    assert.equal(bolt.rawFrame(f)!.length, bytes.length);
  });

  it('needs the whole frame: undefined with the frame length as a hint, then the frame', () => {
    const bytes = sofaRequestFrame(1, 'S', 'm', []);
    const buf = new IoBuffer();
    buf.append(bytes.subarray(0, 10));
    const l = limits();
    assert.equal(bolt.decode(buf, l), undefined);
    assert.equal(l.wantedBytes, 22, 'the fixed header first');
    buf.append(bytes.subarray(10, 30));
    assert.equal(bolt.decode(buf, l), undefined);
    assert.equal(l.wantedBytes, bytes.length);
    buf.append(bytes.subarray(30));
    assert.ok(!(bolt.decode(buf, l) instanceof XDecodeError));
  });

  it('hijack maps HTTP-like statuses as MOSN does, in the request\'s version', () => {
    const req = decodeOne(bolt, requestFrame({ id: 5 }));
    const table: [number, number][] = [
      [200, 0],
      [404, 6],
      [502, 6],
      [503, 4],
      [504, 7],
      [403, 2],
      [CODEC_EXCEPTION_STATUS, 9],
      [3, 0x12],
      [500, 3],
      [400, 3],
    ];
    for (const [http, status] of table) {
      const reply = bolt.hijack(req, http);
      bolt.setRequestId(reply, 5);
      const [parsed] = parseResponses(bolt.encode(reply)).frames;
      assert.deepEqual([parsed.version, parsed.cmdCode, parsed.id, parsed.status], [1, 2, 5, 0 + status], `HTTP ${http}`);
    }
    const v2req = decodeOne(bolt, requestFrame({ id: 6, version: 2 }));
    const [v2reply] = parseResponses(bolt.encode(bolt.hijack(v2req, 504))).frames;
    assert.deepEqual([v2reply.version, v2reply.id, v2reply.status], [2, 6, 7]);
  });

  it('maps response statuses to HTTP-like codes (MOSN BoltStatusMapping)', () => {
    const resp = (status: number) => {
      const r = bolt.hijack(decodeOne(bolt, requestFrame({ id: 1 })), 200);
      (r as { status: number }).status = status;
      return decodeOne(bolt, bolt.encode(r));
    };
    assert.deepEqual([0, 4, 7, 0x10, 2, 9].map((s) => bolt.responseStatus(resp(s))), [200, 503, 504, 502, 500, 500]);
  });

  it('heartbeats: MOSN\'s trigger (cmdcode 0, timeout -1) and reply, decodable by sofa-bolt-node', () => {
    const hb = bolt.encode(bolt.heartbeatRequest(77));
    const decoded = boltProtocol.decode(hb, {});
    assert.deepEqual([decoded.packetType, decoded.packetId], ['heartbeat', 77]);
    assert.equal(hb.readInt32BE(10), -1);
    const v2hb = boltv2.encode(boltv2.heartbeatRequest(78));
    assert.equal(v2hb[0], 2);
    const req = decodeOne(bolt, hb);
    assert.ok(bolt.isHeartbeat(req));
    const ack = boltProtocol.decode(bolt.encode(bolt.heartbeatReply(req)), {});
    assert.deepEqual([ack.packetType, ack.packetId], ['heartbeat_ack', 77]);
  });

  it('boltv2 with CRC: the trailer is part of the frame and recomputed when the id is rewritten', () => {
    const bytes = boltProtocol.requestEncode(
      9,
      { serverSignature: 'com.example.EchoService:1.0', methodName: 'echo', args: [jstr('crc')], timeout: 3000, targetAppName: '', requestProps: {} },
      { protocolType: 'bolt2', codecType: 'hessian2', boltVersion: 1, crcEnable: true, classCache: new Map() },
    );
    const f = decodeOne(bolt, Buffer.concat([bytes]));
    const raw = bolt.rawFrame(f)!;
    assert.equal(raw.length, bytes.length, 'the CRC32 trailer belongs to the frame');
    bolt.rewriteRequestId(raw, 123456);
    const decoded = boltProtocol.decode(raw, {}); // sofa-bolt-node checks the CRC
    assert.deepEqual([decoded.packetType, decoded.packetId], ['request', 123456]);
    // Rebuilt (slow path) frames keep the CRC right too.
    const h = new HeaderMap();
    bolt.readHeaders(f, h);
    h.add('x-extra', '1');
    const rebuilt = bolt.rebuild(f, h, bolt.body(f));
    bolt.setRequestId(rebuilt, 7);
    assert.equal(boltProtocol.decode(bolt.encode(rebuilt), {}).packetId, 7);
  });

  it('refuses bytes that are no bolt frame, and answers a broken header block with the frame', () => {
    const bad = new IoBuffer();
    bad.append(Buffer.from([0x09, 0, 0]));
    const e = bolt.decode(bad, limits());
    assert.ok(e instanceof XDecodeError && !e.frame && /protocol code 0x09/.test(e.reason));

    const badType = new IoBuffer();
    badType.append(Buffer.from([0x01, 0x05]));
    assert.match((bolt.decode(badType, limits()) as XDecodeError).reason, /unknown bolt cmd type 5/);

    const huge = new IoBuffer();
    const head = requestFrame({ id: 1 }).subarray(0, 22);
    head.writeUInt32BE(100_000, 18);
    huge.append(head);
    assert.match((bolt.decode(huge, limits(65536)) as XDecodeError).reason, /exceeds the maximum frame size \(65536 bytes\)/);

    const broken = new IoBuffer();
    broken.append(requestFrame({ id: 3, headerBlock: Buffer.from('00000001', 'hex') }));
    const b = bolt.decode(broken, limits()) as XDecodeError<object>;
    assert.ok(b instanceof XDecodeError && b.frame, 'the frame comes with the error');
    assert.equal(bolt.getRequestId(b.frame), 3);
    assert.equal(broken.length, 0, 'its bytes are drained');
  });

  it('rebuild: new headers and body, the rest of the frame kept (slow path)', () => {
    const f = decodeOne(bolt, requestFrame({ id: 8, type: 2, timeout: 900, headers: { service: 's', a: 'b' }, content: Buffer.from('old') }));
    const h = HeaderMap.fromFlat([':status', '200', 'service', 's2', 'x', 'ü']);
    const n = bolt.rebuild(f, h, Buffer.from('new body'));
    bolt.setRequestId(n, 99);
    const g = decodeOne(bolt, bolt.encode(n));
    const out = new HeaderMap();
    bolt.readHeaders(g, out);
    assert.deepEqual(out.toObject(), { service: 's2', x: 'ü' });
    assert.equal(String(bolt.body(g)), 'new body');
    assert.equal(bolt.kind(g), 'oneway');
    assert.equal(bolt.timeoutMs(g), 900);
    assert.equal(bolt.getRequestId(g), 99);
  });
});
