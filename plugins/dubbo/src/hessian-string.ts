/* eslint-disable @typescript-eslint/no-require-imports */
/** hessian.js ships no type declarations; this is the part used here. */
const { EncoderV2 } = require('hessian.js') as { EncoderV2: new () => { write(v: unknown): unknown; get(): Buffer } };

/** Messages repeat (a handful of statuses): each is encoded once. */
const cache = new Map<string, Buffer>();

/** `text` as a hessian2 string: the body of a dubbo error response. */
export function hessianString(text: string): Buffer {
  let bytes = cache.get(text);
  if (!bytes) {
    const encoder = new EncoderV2();
    encoder.write(text);
    bytes = Buffer.from(encoder.get());
    if (cache.size < 256) cache.set(text, bytes);
  }
  return bytes;
}
