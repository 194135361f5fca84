/**
 * The bolt header block (SOFARPC's SimpleMapSerializer): repeated `u32 keyLen, key, i32 valueLen,
 * value`, UTF-8. A value length of -1 is Java's null (read as ''), as sofa-bolt-node writes it.
 */

/** Decodes a header block into `[key, value, ...]`; throws with the reason when it is malformed. */
export function decodeHeaderBlock(block: Buffer): string[] {
  const out: string[] = [];
  let at = 0;
  const end = block.length;
  while (at < end) {
    if (end - at < 4) throw new Error(`header block: ${end - at} stray bytes where a key length belongs`);
    const keyLen = block.readUInt32BE(at);
    at += 4;
    if (keyLen > end - at) throw new Error(`header block: key length ${keyLen} runs past the block (${end - at} bytes left)`);
    const key = block.toString('utf8', at, at + keyLen);
    at += keyLen;
    if (end - at < 4) throw new Error(`header block: key ${JSON.stringify(key)} has no value length`);
    const valueLen = block.readInt32BE(at);
    at += 4;
    if (valueLen < -1 || valueLen > end - at) throw new Error(`header block: value length ${valueLen} of key ${JSON.stringify(key)} is invalid (${end - at} bytes left)`);
    const value = valueLen > 0 ? block.toString('utf8', at, at + valueLen) : '';
    if (valueLen > 0) at += valueLen;
    out.push(key, value);
  }
  return out;
}

/** Bytes a header block of these entries takes. */
export function headerBlockLength(flat: readonly string[]): number {
  let n = 0;
  for (let i = 0; i < flat.length; i++) n += 4 + Buffer.byteLength(flat[i]);
  return n;
}

/** Writes the entries at `offset` of `into`; returns the offset after them. */
export function writeHeaderBlock(flat: readonly string[], into: Buffer, offset: number): number {
  let at = offset;
  for (let i = 0; i < flat.length; i++) {
    const len = into.write(flat[i], at + 4, 'utf8');
    into.writeUInt32BE(len, at);
    at += 4 + len;
  }
  return at;
}
