import { CODEC_EXCEPTION_STATUS } from 'mosn-plugin-sdk';
import type { HeaderMap, IoBuffer, XDecodeError, XDecodeLimits, XFrameKind, XProtocolCodec } from 'mosn-plugin-sdk';
import {
  HEADER_LEN,
  HEARTBEAT_REPLY_BODY,
  HEARTBEAT_REPLY_FLAG,
  HEARTBEAT_REQUEST_BODY,
  HEARTBEAT_REQUEST_FLAG,
  MAGIC_HIGH,
  MAGIC_LOW,
  MAX_FRAME_BYTES,
  MAX_REQUEST_ID,
  READONLY_EVENT_BODY,
  RESPONSE_FLAG,
  STATUS_OK,
} from './dubbo-constants';
import { decodeDubboFrame } from './dubbo-decoder';
import { encodeDubboFrame, writeDubboRequestId } from './dubbo-encoder';
import { DubboFrame } from './dubbo-frame';
import { hessianString } from './hessian-string';
import { dubboReplyOf, httpStatusOf } from './status-mapping';

/**
 * The dubbo codec for the kernel's xprotocol engine (MOSN's pkg/protocol/xprotocol/dubbo).
 *
 * - Frames are forwarded as decoded, with only the 8-byte request id rewritten.
 * - A request's invocation (dubbo version, service, version, method, attachments) is exposed as
 *   headers for routing; responses and events are never parsed beyond their header.
 * - Events: a two-way event request is a heartbeat, answered here (flag 0x22, status 20, body
 *   "NN" as MOSN writes it); a oneway one gets no answer, as in Dubbo. Dubbo's readonly event (a
 *   provider going down) is a goaway: that upstream connection takes no new requests.
 */
export class DubboCodec implements XProtocolCodec<DubboFrame> {
  readonly poolMode = 'multiplex';
  readonly maxRequestId = MAX_REQUEST_ID;
  readonly maxFrameBytes = MAX_FRAME_BYTES;

  /** MOSN's matcher: the magic 0xdabb, once a whole header is there. */
  match(firstBytes: Buffer): 'match' | 'mismatch' | 'need-more' {
    if (firstBytes.length > 0 && firstBytes[0] !== MAGIC_HIGH) return 'mismatch';
    if (firstBytes.length > 1 && firstBytes[1] !== MAGIC_LOW) return 'mismatch';
    return firstBytes.length < HEADER_LEN ? 'need-more' : 'match';
  }

  decode(buffer: IoBuffer, limits: XDecodeLimits): DubboFrame | undefined | XDecodeError<DubboFrame> {
    return decodeDubboFrame(buffer, limits);
  }

  encode(frame: DubboFrame): Buffer {
    return encodeDubboFrame(frame);
  }

  kind(frame: DubboFrame): XFrameKind {
    if (!frame.isRequest) return 'response';
    return frame.isTwoWay ? 'request' : 'oneway';
  }

  getRequestId(frame: DubboFrame): number {
    return frame.requestId;
  }

  setRequestId(frame: DubboFrame, id: number): void {
    frame.requestId = id;
    if (frame.raw) writeDubboRequestId(frame.raw, id);
  }

  rawFrame(frame: DubboFrame): Buffer | undefined {
    return frame.raw;
  }

  rewriteRequestId(raw: Buffer, id: number): void {
    writeDubboRequestId(raw, id);
  }

  isHeartbeat(frame: DubboFrame): boolean {
    return frame.isEvent && !isReadonlyEvent(frame);
  }

  isGoAway(frame: DubboFrame): boolean {
    return frame.isRequest && isReadonlyEvent(frame);
  }

  heartbeatRequest(id: number): DubboFrame {
    const f = new DubboFrame();
    f.flag = HEARTBEAT_REQUEST_FLAG;
    f.requestId = id;
    f.body = HEARTBEAT_REQUEST_BODY;
    return f;
  }

  heartbeatReply(request: DubboFrame): DubboFrame {
    const f = new DubboFrame();
    f.flag = HEARTBEAT_REPLY_FLAG;
    f.status = STATUS_OK;
    f.requestId = request.requestId;
    f.body = HEARTBEAT_REPLY_BODY;
    return f;
  }

  /**
   * A dubbo response (flag 0x02: hessian2) with MOSN's status for `status` and its message as a
   * hessian2 string, which Dubbo consumers read as the error message. A request whose body could
   * not be read is answered with that reason instead of a bare "codec exception".
   */
  hijack(request: DubboFrame, status: number): DubboFrame {
    const reply = status === CODEC_EXCEPTION_STATUS && request.failure ? request.failure : dubboReplyOf(status);
    const f = new DubboFrame();
    f.flag = RESPONSE_FLAG;
    f.status = reply.status;
    f.requestId = request.requestId;
    f.body = hessianString(reply.message);
    return f;
  }

  responseStatus(response: DubboFrame): number {
    return httpStatusOf(response.status);
  }

  readHeaders(frame: DubboFrame, into: HeaderMap): void {
    const h = frame.headers;
    for (let i = 0; i + 1 < h.length; i += 2) into.add(h[i], h[i + 1]);
  }

  body(frame: DubboFrame): Buffer {
    return frame.body;
  }

  timeoutMs(frame: DubboFrame): number {
    return frame.isRequest ? frame.timeoutMs : 0;
  }

  /**
   * The headers are read from the body and have no place of their own on the wire, so changed
   * headers do not change the frame (as in MOSN); a changed body does.
   */
  rebuild(frame: DubboFrame, _headers: HeaderMap, body: Buffer): DubboFrame {
    const f = new DubboFrame();
    f.flag = frame.flag;
    f.status = frame.status;
    f.requestId = frame.requestId;
    f.headers = frame.headers;
    f.timeoutMs = frame.timeoutMs;
    f.body = body;
    return f;
  }
}

function isReadonlyEvent(frame: DubboFrame): boolean {
  return frame.isEvent && frame.body.equals(READONLY_EVENT_BODY);
}
