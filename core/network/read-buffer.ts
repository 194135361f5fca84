import type * as net from 'node:net';

/**
 * Reads into one shared buffer (net's `onread` option) for the sockets the kernel connects
 * itself. By default Node allocates a 64 KiB buffer for every read, shrinks it to what was read,
 * wraps it in an ArrayBuffer and a Buffer, and pushes it through the Readable stream machinery
 * (buffering state, a 'data' event, a nextTick to read more): ~1.5 µs a read. With `onread` libuv
 * reads straight into this buffer and Node calls back with the byte count; the bytes are copied
 * out into a right-sized Buffer (small ones come from Node's pool), since the buffer is reused by
 * the next read of any socket. The copy is cheaper than the default path up to tens of KiB a read;
 * a bulk transfer pays ~0.05 µs a KiB more.
 *
 * Sharing is safe because a read's callback runs, and returns, before libuv performs another read.
 * Accepted sockets are made by net.Server, which has no such option; they keep the default path.
 */
const SHARED = Buffer.allocUnsafeSlow(64 * 1024);

/** The `onread` option handing each read's bytes, copied, to `deliver`. */
export function sharedBufferReads(deliver: (chunk: Buffer) => void): net.OnReadOpts {
  return {
    buffer: SHARED,
    callback(n: number): boolean {
      const chunk = Buffer.allocUnsafe(n);
      SHARED.copy(chunk, 0, 0, n);
      deliver(chunk);
      return true;
    },
  };
}
