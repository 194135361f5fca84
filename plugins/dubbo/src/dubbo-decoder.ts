import { XDecodeError } from 'mosn-plugin-sdk';
import type { IoBuffer, XDecodeLimits } from 'mosn-plugin-sdk';
import {
  BODY_LEN_AT,
  FLAG_AT,
  FLAG_EVENT,
  FLAG_REQUEST,
  HEADER_LEN,
  ID_AT,
  MAGIC_HIGH,
  MAGIC_LOW,
  SERIALIZATION_HESSIAN2,
  SERIALIZATION_MASK,
  STATUS_AT,
  STATUS_BAD_REQUEST,
} from './dubbo-constants';
import { DubboFrame } from './dubbo-frame';
import { readInvocation } from './invocation-reader';

/** Largest high word of an id that is still exact as a number (2^53 - 1 = 0x1fffff_ffffffff). */
const MAX_ID_HIGH = 0x1fffff;

/**
 * Decodes one dubbo frame. Returns undefined until the whole frame is buffered, and an
 * XDecodeError without a frame (the connection is closed) for bytes that are no dubbo frame:
 * wrong magic, a length beyond the limit, a request id beyond 2^53 - 1.
 *
 * Only the 16-byte header is read for responses and events (they are forwarded as they are).
 * A request's body is read here because the engine routes every request on its headers right
 * after decoding it; a body that cannot be read (another serialization than hessian2, broken
 * hessian) gives an XDecodeError with the frame, which the engine answers with an error
 * response to that request alone, keeping the connection.
 */
export function decodeDubboFrame(buffer: IoBuffer, limits: XDecodeLimits): DubboFrame | undefined | XDecodeError<DubboFrame> {
  const bytes = buffer.peek();
  if (bytes[0] !== MAGIC_HIGH || (bytes.length > 1 && bytes[1] !== MAGIC_LOW)) {
    return new XDecodeError(`wrong dubbo magic 0x${bytes.subarray(0, 2).toString('hex')} (expected 0xdabb)`);
  }
  if (bytes.length < HEADER_LEN) {
    limits.wantedBytes = HEADER_LEN;
    return undefined;
  }
  const frameLen = HEADER_LEN + u32(bytes, BODY_LEN_AT);
  if (frameLen > limits.maxFrameBytes) {
    return new XDecodeError(`dubbo frame of ${frameLen} bytes exceeds the maximum frame size (${limits.maxFrameBytes} bytes)`);
  }
  const idHigh = u32(bytes, ID_AT);
  if (idHigh > MAX_ID_HIGH) {
    return new XDecodeError(`dubbo request id ${bytes.readBigUInt64BE(ID_AT)} is beyond 2^53 - 1, which this proxy cannot carry exactly`);
  }
  if (bytes.length < frameLen) {
    limits.wantedBytes = frameLen;
    return undefined;
  }
  const raw = bytes.subarray(0, frameLen);
  buffer.drain(frameLen);

  const frame = new DubboFrame();
  frame.raw = raw;
  frame.flag = raw[FLAG_AT];
  frame.status = raw[STATUS_AT];
  frame.requestId = idHigh * 0x1_0000_0000 + u32(raw, ID_AT + 4);
  frame.body = raw.subarray(HEADER_LEN);
  if ((frame.flag & (FLAG_REQUEST | FLAG_EVENT)) !== FLAG_REQUEST) return frame;

  const serialization = frame.flag & SERIALIZATION_MASK;
  if (serialization !== SERIALIZATION_HESSIAN2) {
    const reason = `serialization id ${serialization} not supported (only hessian2, id 2)`;
    frame.failure = { status: STATUS_BAD_REQUEST, message: `mosn-ts dubbo: ${reason}` };
    return new XDecodeError(reason, frame);
  }
  try {
    const invocation = readInvocation(frame.body);
    frame.headers = invocation.headers;
    frame.timeoutMs = invocation.timeoutMs;
  } catch (err) {
    const reason = `hessian2 request body could not be read: ${err instanceof Error ? err.message : String(err)}`;
    frame.failure = { status: STATUS_BAD_REQUEST, message: `mosn-ts dubbo: ${reason}` };
    return new XDecodeError(reason, frame);
  }
  return frame;
}

function u32(b: Buffer, at: number): number {
  return b[at] * 0x1000000 + ((b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]);
}
