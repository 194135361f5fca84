import { CRC_LEN, PROTOCOL_V1, TYPE_RESPONSE, V1_REQUEST_HEADER_LEN, V1_RESPONSE_HEADER_LEN, V2_REQUEST_HEADER_LEN, V2_RESPONSE_HEADER_LEN } from './bolt-constants';
import type { BoltFrame } from './bolt-frame';
import { crc32 } from './crc32';
import { headerBlockLength, writeHeaderBlock } from './header-block';

/**
 * The bytes of a frame: its raw bytes when it was decoded and not rebuilt, else encoded from its
 * fields (MOSN's encoder slow path), v1 or v2 after the frame's own protocol code.
 */
export function encodeBoltFrame(frame: BoltFrame): Buffer {
  if (frame.raw) return frame.raw;
  const isV1 = frame.protocol === PROTOCOL_V1;
  const isResponse = frame.type === TYPE_RESPONSE;
  const fixedLen = isV1 ? (isResponse ? V1_RESPONSE_HEADER_LEN : V1_REQUEST_HEADER_LEN) : isResponse ? V2_RESPONSE_HEADER_LEN : V2_REQUEST_HEADER_LEN;
  const headerLen = headerBlockLength(frame.headers);
  const classBytes = frame.classBytes;
  const classLen = classBytes.length;
  const contentLen = frame.content.length;
  const crc = frame.hasCrc ? CRC_LEN : 0;
  const out = Buffer.allocUnsafe(fixedLen + classLen + headerLen + contentLen + crc);
  let at = 0;
  out[at++] = frame.protocol;
  if (!isV1) out[at++] = frame.ver1;
  out[at++] = frame.type;
  out.writeUInt16BE(frame.cmdCode, at);
  at += 2;
  out[at++] = frame.version;
  out.writeUInt32BE(frame.requestId >>> 0, at);
  at += 4;
  out[at++] = frame.codec;
  if (!isV1) out[at++] = frame.switchCode;
  if (isResponse) {
    out.writeUInt16BE(frame.status, at);
    at += 2;
  } else {
    out.writeInt32BE(frame.timeout | 0, at);
    at += 4;
  }
  out.writeUInt16BE(classLen, at);
  out.writeUInt16BE(headerLen, at + 2);
  out.writeUInt32BE(contentLen, at + 4);
  at += 8;
  at += classBytes.copy(out, at);
  at = writeHeaderBlock(frame.headers, out, at);
  at += frame.content.copy(out, at);
  if (crc) out.writeUInt32BE(crc32(out.subarray(0, at)), at);
  return out;
}

/** Fast path: the request id of raw frame bytes, rewritten in place (and the CRC, when there is one). */
export function rewriteBoltRequestId(raw: Buffer, id: number): void {
  if (raw[0] === PROTOCOL_V1) {
    raw.writeUInt32BE(id >>> 0, 5);
    return;
  }
  raw.writeUInt32BE(id >>> 0, 6);
  if ((raw[11] & 0x01) !== 0) raw.writeUInt32BE(crc32(raw.subarray(0, raw.length - CRC_LEN)), raw.length - CRC_LEN);
}
