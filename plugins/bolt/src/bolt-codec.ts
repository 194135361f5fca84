import type { HeaderMap, IoBuffer, XDecodeError, XDecodeLimits, XFrameKind, XProtocolCodec } from 'mosn-plugin-sdk';
import {
  CMD_GOAWAY,
  CMD_HEARTBEAT,
  CMD_RESPONSE,
  CODEC_HESSIAN2,
  MAX_REQUEST_ID,
  STATUS_SUCCESS,
  TYPE_REQUEST,
  TYPE_REQUEST_ONEWAY,
  TYPE_RESPONSE,
  V2_VER1_DEFAULT,
} from './bolt-constants';
import { decodeBoltFrame } from './bolt-decoder';
import { encodeBoltFrame, rewriteBoltRequestId } from './bolt-encoder';
import { BoltFrame } from './bolt-frame';
import { boltStatusOf, httpStatusOf } from './status-mapping';

const EMPTY = Buffer.alloc(0);

/**
 * The bolt codec for the kernel's xprotocol engine. One class serves `bolt` (protocol code 1)
 * and `boltv2` (2): both decode and encode either version, so a connection may mix them (as MOSN
 * allows); the protocol code only decides what `Auto` recognises and the version of frames made
 * here without a request to copy (upstream heartbeats). Replies always follow their request's
 * version.
 */
export class BoltCodec implements XProtocolCodec<BoltFrame> {
  readonly family = 'bolt';
  readonly poolMode = 'multiplex';
  readonly maxRequestId = MAX_REQUEST_ID;

  constructor(private readonly protocolCode: number) {}

  /** MOSN's matchers: bolt is byte 0 = 0x01, boltv2 byte 0 = 0x02. */
  match(firstBytes: Buffer): 'match' | 'mismatch' | 'need-more' {
    if (firstBytes.length === 0) return 'need-more';
    return firstBytes[0] === this.protocolCode ? 'match' : 'mismatch';
  }

  decode(buffer: IoBuffer, limits: XDecodeLimits): BoltFrame | undefined | XDecodeError<BoltFrame> {
    return decodeBoltFrame(buffer, limits);
  }

  encode(frame: BoltFrame): Buffer {
    return encodeBoltFrame(frame);
  }

  kind(frame: BoltFrame): XFrameKind {
    return frame.type === TYPE_RESPONSE ? 'response' : frame.type === TYPE_REQUEST_ONEWAY ? 'oneway' : 'request';
  }

  getRequestId(frame: BoltFrame): number {
    return frame.requestId;
  }

  setRequestId(frame: BoltFrame, id: number): void {
    frame.requestId = id;
    if (frame.raw) rewriteBoltRequestId(frame.raw, id);
  }

  rawFrame(frame: BoltFrame): Buffer | undefined {
    return frame.raw;
  }

  rewriteRequestId(raw: Buffer, id: number): void {
    rewriteBoltRequestId(raw, id);
  }

  isHeartbeat(frame: BoltFrame): boolean {
    return frame.cmdCode === CMD_HEARTBEAT;
  }

  isGoAway(frame: BoltFrame): boolean {
    return frame.cmdCode === CMD_GOAWAY;
  }

  /** MOSN's Trigger: cmdcode 0, timeout -1, hessian2. */
  heartbeatRequest(id: number): BoltFrame {
    const f = new BoltFrame();
    f.protocol = this.protocolCode;
    f.ver1 = V2_VER1_DEFAULT;
    f.type = TYPE_REQUEST;
    f.cmdCode = CMD_HEARTBEAT;
    f.version = 1;
    f.requestId = id;
    f.codec = CODEC_HESSIAN2;
    f.timeout = -1;
    return f;
  }

  /** MOSN's Reply: a response with cmdcode 0 and status success, in the request's version. */
  heartbeatReply(request: BoltFrame): BoltFrame {
    const f = this.responseTo(request);
    f.cmdCode = CMD_HEARTBEAT;
    f.status = STATUS_SUCCESS;
    return f;
  }

  /** MOSN's Hijack: an RPC response with the mapped status and no class, header or content. */
  hijack(request: BoltFrame, status: number): BoltFrame {
    const f = this.responseTo(request);
    f.cmdCode = CMD_RESPONSE;
    f.status = boltStatusOf(status);
    return f;
  }

  responseStatus(response: BoltFrame): number {
    return httpStatusOf(response.status);
  }

  readHeaders(frame: BoltFrame, into: HeaderMap): void {
    const h = frame.headers;
    for (let i = 0; i + 1 < h.length; i += 2) into.add(h[i], h[i + 1]);
  }

  body(frame: BoltFrame): Buffer {
    return frame.content;
  }

  timeoutMs(frame: BoltFrame): number {
    return frame.type !== TYPE_RESPONSE && frame.timeout > 0 ? frame.timeout : 0;
  }

  rebuild(frame: BoltFrame, headers: HeaderMap, body: Buffer): BoltFrame {
    const f = frame.cloneMeta();
    const flat: string[] = [];
    headers.forEach((value, name) => {
      if (name.charCodeAt(0) !== 0x3a) flat.push(name, value);
    });
    f.headers = flat;
    f.content = body;
    return f;
  }

  /** A response frame in the request's version (v2 without CRC: frames made here carry none). */
  private responseTo(request: BoltFrame): BoltFrame {
    const f = new BoltFrame();
    f.protocol = request.protocol;
    f.ver1 = request.ver1;
    f.type = TYPE_RESPONSE;
    f.version = request.version;
    f.requestId = request.requestId;
    f.codec = request.codec;
    f.switchCode = 0;
    f.content = EMPTY;
    return f;
  }
}
