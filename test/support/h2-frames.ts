/** Raw HTTP/2 bytes for tests that play a broken peer (RFC 9113 §4.1 frame layout). */

export const PREFACE = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';
export const EMPTY_SETTINGS = Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]);
export const SETTINGS_ACK = Buffer.from([0, 0, 0, 4, 1, 0, 0, 0, 0]);

export const FrameType = { DATA: 0, HEADERS: 1, SETTINGS: 4, GOAWAY: 7 } as const;
export const ErrorCode = { PROTOCOL_ERROR: 1, FRAME_SIZE_ERROR: 6, COMPRESSION_ERROR: 9 } as const;

export function frame(type: number, flags: number, streamId: number, payload: Buffer, lengthOverride?: number): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(lengthOverride ?? payload.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(streamId, 5);
  return Buffer.concat([head, payload]);
}

/** The frames in `bytes` (starting at `at`), as far as they are complete. */
export function* frames(bytes: Buffer, at = 0): Generator<{ type: number; streamId: number; payload: Buffer }> {
  while (at + 9 <= bytes.length) {
    const len = bytes.readUIntBE(at, 3);
    if (at + 9 + len > bytes.length) return;
    yield { type: bytes[at + 3], streamId: bytes.readUInt32BE(at + 5) & 0x7fffffff, payload: bytes.subarray(at + 9, at + 9 + len) };
    at += 9 + len;
  }
}

/** The error code of the first GOAWAY frame in `bytes` (from `at`), or undefined. */
export function goawayCode(bytes: Buffer, at = 0): number | undefined {
  for (const f of frames(bytes, at)) if (f.type === FrameType.GOAWAY) return f.payload.readUInt32BE(4);
  return undefined;
}
