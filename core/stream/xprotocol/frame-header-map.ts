import { HeaderMap } from '../../../plugin-sdk';
import type { XProtocolCodec } from '../../../plugin-sdk';

/**
 * The headers of a frame decoded by the xprotocol engine. It carries the frame and the codec that
 * decoded it, so the stream on the other side of the proxy can forward the frame's own bytes
 * (rewriting only the request id), and it notes every change made to it: a changed map means a
 * filter or route touched the headers and the frame must be rebuilt (MOSN's `Header.Changed`).
 */
export class FrameHeaderMap extends HeaderMap {
  /** True once anything added, set or removed a header after the engine filled the map. */
  changed = false;
  /**
   * A header the engine added that is not on the wire (`x-mosn-global-timeout` from the frame's
   * timeout field); left out when the frame is rebuilt.
   */
  engineHeader: string | undefined;

  constructor(
    readonly codec: XProtocolCodec,
    readonly frame: object,
  ) {
    super();
  }

  override set(name: string, value: string): void {
    this.changed = true;
    super.set(name, value);
  }

  override add(name: string, value: string): void {
    this.changed = true;
    super.add(name, value);
  }

  override remove(name: string): boolean {
    const removed = super.remove(name);
    if (removed) this.changed = true;
    return removed;
  }

  /** The headers to put on the wire when the frame is rebuilt: no pseudo-headers, nothing engine-made. */
  wireHeaders(): HeaderMap {
    const out = new HeaderMap();
    const skip = this.engineHeader?.toLowerCase();
    this.forEach((value, name) => {
      if (name.charCodeAt(0) === 0x3a /* ':' */ || name.toLowerCase() === skip) return;
      out.add(name, value);
    });
    return out;
  }
}

/** Whether frames decoded by `from` can be forwarded through `to` (the same codec, or one family). */
export function sameFamily(from: XProtocolCodec, to: XProtocolCodec): boolean {
  return from === to || (from.family !== undefined && from.family === to.family);
}
