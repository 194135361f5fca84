import type { XProtocolCodec } from '../../../plugin-sdk';
import type { FrameHeaderMap } from './frame-header-map';

const EMPTY = Buffer.alloc(0);

/**
 * The bytes of a forwarded frame (a request going upstream, a response going downstream) with
 * `id` as its request id.
 *
 * Fast path (MOSN's bolt encoder does the same): when no header changed and the body is the
 * frame's own body, the frame's raw bytes are sent with only the id rewritten in place. Nothing
 * is copied or re-encoded. Otherwise the codec rebuilds the frame from the current headers and body.
 *
 * The in-place rewrite is safe because a decoded frame's bytes belong to that frame alone (the
 * read buffer drained them); a retry rewrites them again before its own write.
 */
export function encodeForwarded(codec: XProtocolCodec, headers: FrameHeaderMap, body: Buffer | undefined, id: number): Buffer {
  const frame = headers.frame;
  if (!headers.changed) {
    const raw = codec.rawFrame(frame);
    if (raw !== undefined && isOwnBody(codec.body(frame), body)) {
      codec.rewriteRequestId(raw, id);
      return raw;
    }
  }
  const rebuilt = codec.rebuild(frame, headers.wireHeaders(), body ?? EMPTY);
  codec.setRequestId(rebuilt, id);
  return codec.encode(rebuilt);
}

/** The body sent is the frame's own (the same bytes, not a copy someone may have changed). */
function isOwnBody(own: Buffer, sent: Buffer | undefined): boolean {
  if (sent === undefined) return own.length === 0;
  if (sent === own) return true;
  return sent.length === own.length && sent.buffer === own.buffer && sent.byteOffset === own.byteOffset;
}
