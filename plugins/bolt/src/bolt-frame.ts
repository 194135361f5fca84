import { TYPE_REQUEST_ONEWAY, TYPE_RESPONSE, V2_SWITCH_CRC, PROTOCOL_V2 } from './bolt-constants';

const EMPTY = Buffer.alloc(0);

/**
 * One bolt command, v1 or v2 (MOSN's bolt.Request/Response and boltv2's). Decoded frames keep
 * their bytes in `raw` (a view on the read buffer) with the class name and `content` as views
 * into it, so forwarding an unchanged frame copies nothing.
 */
export class BoltFrame {
  /** 1 (bolt) or 2 (boltv2). */
  protocol = 1;
  /** boltv2's ver1 (1: no CRC). */
  ver1 = 1;
  type = 0;
  cmdCode = 0;
  /** ver2: the remoting command's version. */
  version = 1;
  requestId = 0;
  codec = 1;
  /** boltv2's switch byte (bit 0: CRC32 trailer). */
  switchCode = 0;
  /** Requests: the caller's timeout in ms (-1 or 0: none). */
  timeout = 0;
  /** Responses: respstatus. */
  status = 0;
  /**
   * The class name's bytes; for a decoded frame they are read from `raw` (at `classAt`, `classLen`
   * bytes) only when needed, since forwarding never needs them.
   */
  private ownClassBytes: Buffer | undefined;
  classAt = 0;
  classLen = 0;
  /** The header block as `[key, value, key, value, ...]`. */
  headers: string[] = [];
  content: Buffer = EMPTY;
  /** The frame's bytes as decoded; undefined for a frame built here. */
  raw: Buffer | undefined;

  get classBytes(): Buffer {
    if (this.ownClassBytes) return this.ownClassBytes;
    return this.raw && this.classLen > 0 ? this.raw.subarray(this.classAt, this.classAt + this.classLen) : EMPTY;
  }

  set classBytes(bytes: Buffer) {
    this.ownClassBytes = bytes;
  }

  get isResponse(): boolean {
    return this.type === TYPE_RESPONSE;
  }

  get isOneway(): boolean {
    return this.type === TYPE_REQUEST_ONEWAY;
  }

  /** boltv2 with the CRC switch on: a CRC32 of the frame follows it. */
  get hasCrc(): boolean {
    return this.protocol === PROTOCOL_V2 && (this.switchCode & V2_SWITCH_CRC) !== 0;
  }

  /** A copy of the fixed fields (not the bytes). */
  cloneMeta(): BoltFrame {
    const f = new BoltFrame();
    f.protocol = this.protocol;
    f.ver1 = this.ver1;
    f.type = this.type;
    f.cmdCode = this.cmdCode;
    f.version = this.version;
    f.requestId = this.requestId;
    f.codec = this.codec;
    f.switchCode = this.switchCode;
    f.timeout = this.timeout;
    f.status = this.status;
    f.classBytes = this.classBytes;
    return f;
  }
}
