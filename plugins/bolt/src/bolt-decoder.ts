import { XDecodeError } from 'mosn-plugin-sdk';
import type { IoBuffer, XDecodeLimits } from 'mosn-plugin-sdk';
import {
  CRC_LEN,
  PROTOCOL_V1,
  PROTOCOL_V2,
  TYPE_REQUEST,
  TYPE_REQUEST_ONEWAY,
  TYPE_RESPONSE,
  V1_REQUEST_HEADER_LEN,
  V1_RESPONSE_HEADER_LEN,
  V2_REQUEST_HEADER_LEN,
  V2_RESPONSE_HEADER_LEN,
  V2_SWITCH_CRC,
} from './bolt-constants';
import { BoltFrame } from './bolt-frame';
import { decodeHeaderBlock } from './header-block';

/** Where the fields of each layout are; the rest follows from these. */
interface Layout {
  /** Offset of the type byte. */
  readonly typeAt: number;
  readonly requestLen: number;
  readonly responseLen: number;
}

const V1: Layout = { typeAt: 1, requestLen: V1_REQUEST_HEADER_LEN, responseLen: V1_RESPONSE_HEADER_LEN };
const V2: Layout = { typeAt: 2, requestLen: V2_REQUEST_HEADER_LEN, responseLen: V2_RESPONSE_HEADER_LEN };

/**
 * Decodes one bolt frame, v1 or v2 alike (MOSN's bolt and boltv2 each hand the other version to
 * the other decoder, so both work on one connection). Returns undefined until the whole frame is
 * buffered, an XDecodeError for bytes that are no bolt frame (wrong protocol code, unknown type,
 * a length beyond the limit) or, with the frame, for a malformed header block.
 */
export function decodeBoltFrame(buffer: IoBuffer, limits: XDecodeLimits): BoltFrame | undefined | XDecodeError<BoltFrame> {
  const bytes = buffer.peek();
  const code = bytes[0];
  const layout = code === PROTOCOL_V1 ? V1 : code === PROTOCOL_V2 ? V2 : undefined;
  if (!layout) return new XDecodeError(`unknown bolt protocol code 0x${code.toString(16).padStart(2, '0')}`);
  if (bytes.length <= layout.typeAt) return undefined;
  const type = bytes[layout.typeAt];
  if (type !== TYPE_REQUEST && type !== TYPE_REQUEST_ONEWAY && type !== TYPE_RESPONSE) return new XDecodeError(`unknown bolt cmd type ${type}`);
  const isResponse = type === TYPE_RESPONSE;
  const fixedLen = isResponse ? layout.responseLen : layout.requestLen;
  if (bytes.length < fixedLen) {
    limits.wantedBytes = fixedLen;
    return undefined;
  }
  // classLen, headerLen, contentLen are the last 8 bytes of the fixed part in every layout.
  const lens = fixedLen - 8;
  const classLen = u16(bytes, lens);
  const headerLen = u16(bytes, lens + 2);
  const contentLen = u32(bytes, lens + 4);
  const crc = code === PROTOCOL_V2 && (bytes[11] & V2_SWITCH_CRC) !== 0 ? CRC_LEN : 0;
  const frameLen = fixedLen + classLen + headerLen + contentLen + crc;
  if (frameLen > limits.maxFrameBytes) {
    return new XDecodeError(`bolt frame of ${frameLen} bytes exceeds the maximum frame size (${limits.maxFrameBytes} bytes)`);
  }
  if (bytes.length < frameLen) {
    limits.wantedBytes = frameLen;
    return undefined;
  }
  const raw = bytes.subarray(0, frameLen);
  buffer.drain(frameLen);

  const frame = new BoltFrame();
  frame.raw = raw;
  frame.protocol = code;
  frame.type = type;
  if (code === PROTOCOL_V1) {
    frame.cmdCode = u16(raw, 2);
    frame.version = raw[4];
    frame.requestId = u32(raw, 5);
    frame.codec = raw[9];
    if (isResponse) frame.status = u16(raw, 10);
    else frame.timeout = u32(raw, 10) | 0;
  } else {
    frame.ver1 = raw[1];
    frame.cmdCode = u16(raw, 3);
    frame.version = raw[5];
    frame.requestId = u32(raw, 6);
    frame.codec = raw[10];
    frame.switchCode = raw[11];
    if (isResponse) frame.status = u16(raw, 12);
    else frame.timeout = u32(raw, 12) | 0;
  }
  const headerAt = fixedLen + classLen;
  const contentAt = headerAt + headerLen;
  frame.classAt = fixedLen;
  frame.classLen = classLen;
  if (contentLen > 0) frame.content = raw.subarray(contentAt, contentAt + contentLen);
  if (headerLen > 0) {
    try {
      frame.headers = decodeHeaderBlock(raw.subarray(headerAt, contentAt));
    } catch (err) {
      return new XDecodeError((err as Error).message, frame);
    }
  }
  return frame;
}

// Big-endian reads by hand: the hot path reads a dozen fields per frame, and these skip the
// argument checks of Buffer's read methods (the length was checked once above).
function u16(b: Buffer, at: number): number {
  return (b[at] << 8) | b[at + 1];
}

function u32(b: Buffer, at: number): number {
  return b[at] * 0x1000000 + ((b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]);
}
