const FRAME_HEADER = 9;
const GOAWAY = 7;
/** A GOAWAY's fixed payload: last stream id (4) and error code (4). */
const GOAWAY_HEAD = FRAME_HEADER + 8;
/** The client connection preface ("PRI * HTTP/2.0…"), written before the first frame. */
export const CLIENT_MAGIC_BYTES = 24;

/**
 * Follows the frames a session writes to spot a GOAWAY carrying an error code.
 *
 * nghttp2 answers some connection errors (a SETTINGS length not a multiple of 6, a broken HPACK
 * block) by queueing such a GOAWAY and ignoring all later input, but reports no error to Node:
 * Node only stops reading and the session sits there with its socket open. RFC 9113 §5.4.1 says
 * the endpoint MUST close the connection after that GOAWAY, so the codec does it when this sees one.
 * Only frame headers are looked at: payloads are skipped by length, without copying.
 */
export class ErrorGoawayWatch {
  /** Payload bytes of the current frame still to pass. */
  private skip: number;
  /** The current frame's header (and, for a GOAWAY, its fixed payload), gathered across writes. */
  private readonly head = Buffer.alloc(GOAWAY_HEAD);
  private have = 0;
  private want = FRAME_HEADER;

  constructor(leadingBytes = 0) {
    this.skip = leadingBytes;
  }

  /** Follows `chunk`; returns the error code of a GOAWAY it completes, if non-zero. */
  scan(chunk: Buffer): number | undefined {
    let at = 0;
    const end = chunk.length;
    while (at < end) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, end - at);
        this.skip -= n;
        at += n;
        continue;
      }
      const n = Math.min(this.want - this.have, end - at);
      chunk.copy(this.head, this.have, at, at + n);
      this.have += n;
      at += n;
      if (this.have < this.want) return undefined;
      const length = this.head.readUIntBE(0, 3);
      if (this.want === FRAME_HEADER && this.head[3] === GOAWAY && length >= 8) {
        this.want = GOAWAY_HEAD;
        continue;
      }
      this.have = 0;
      if (this.want === GOAWAY_HEAD) {
        this.want = FRAME_HEADER;
        this.skip = length - 8;
        const code = this.head.readUInt32BE(FRAME_HEADER + 4);
        if (code !== 0) return code;
      } else {
        this.skip = length;
      }
    }
    return undefined;
  }
}
