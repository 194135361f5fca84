import { BODY_LEN_AT, FLAG_AT, HEADER_LEN, ID_AT, MAGIC_HIGH, MAGIC_LOW, STATUS_AT } from './dubbo-constants';
import type { DubboFrame } from './dubbo-frame';

/** The bytes of a frame: its raw bytes when it was decoded and not rebuilt, else header + body. */
export function encodeDubboFrame(frame: DubboFrame): Buffer {
  if (frame.raw) return frame.raw;
  const out = Buffer.allocUnsafe(HEADER_LEN + frame.body.length);
  out[0] = MAGIC_HIGH;
  out[1] = MAGIC_LOW;
  out[FLAG_AT] = frame.flag;
  out[STATUS_AT] = frame.status;
  writeDubboRequestId(out, frame.requestId);
  out.writeUInt32BE(frame.body.length, BODY_LEN_AT);
  frame.body.copy(out, HEADER_LEN);
  return out;
}

/** Writes `id` (0 ≤ id ≤ 2^53 - 1) as the frame's full 8-byte big-endian request id, in place. */
export function writeDubboRequestId(raw: Buffer, id: number): void {
  const high = Math.floor(id / 0x1_0000_0000);
  raw.writeUInt32BE(high, ID_AT);
  raw.writeUInt32BE(id - high * 0x1_0000_0000, ID_AT + 4);
}
