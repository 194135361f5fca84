import * as zlib from 'node:zlib';

/** One regular file in an archive: a relative path with `/` separators, and its bytes. */
export interface ArchiveEntry {
  readonly path: string;
  readonly data: Buffer;
}

const BLOCK = 512;

/*
 * Just enough of POSIX ustar to pack and unpack a plugin (a handful of regular files), so that
 * `pack` and `install` need no dependency. Output is deterministic (mtime 0, uid/gid 0, mode
 * 0644, entries in the given order): the same files always give the same bytes and sha256.
 */

/** A gzipped ustar archive of `entries`. */
export function createTgz(entries: readonly ArchiveEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    blocks.push(header(e.path, e.data.length));
    blocks.push(e.data);
    const pad = (BLOCK - (e.data.length % BLOCK)) % BLOCK;
    if (pad > 0) blocks.push(Buffer.alloc(pad));
  }
  blocks.push(Buffer.alloc(BLOCK * 2));
  // mtime 0 in the gzip header too (zlib writes 0 unless told otherwise).
  return zlib.gzipSync(Buffer.concat(blocks), { level: 9 });
}

/** The regular files of a gzipped ustar archive; throws on a malformed one. */
export function readTgz(archive: Buffer): ArchiveEntry[] {
  const tar = zlib.gunzipSync(archive);
  const entries: ArchiveEntry[] = [];
  let offset = 0;
  while (offset + BLOCK <= tar.length) {
    const h = tar.subarray(offset, offset + BLOCK);
    if (h.every((b) => b === 0)) break;
    if (checksum(h) !== parseOctal(h.subarray(148, 156))) throw new Error(`archive header at byte ${offset} has a bad checksum`);
    const name = text(h.subarray(0, 100));
    const prefix = text(h.subarray(345, 500));
    const size = parseOctal(h.subarray(124, 136));
    const type = String.fromCharCode(h[156] || 0x30);
    offset += BLOCK;
    if (offset + size > tar.length) throw new Error(`archive entry ${name} is truncated`);
    if (type === '0') entries.push({ path: prefix ? `${prefix}/${name}` : name, data: Buffer.from(tar.subarray(offset, offset + size)) });
    offset += Math.ceil(size / BLOCK) * BLOCK;
  }
  return entries;
}

function header(filePath: string, size: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  let name = filePath;
  let prefix = '';
  if (Buffer.byteLength(name) > 100) {
    const cut = filePath.lastIndexOf('/', filePath.length - 1);
    prefix = filePath.slice(0, cut);
    name = filePath.slice(cut + 1);
    if (cut < 0 || Buffer.byteLength(name) > 100 || Buffer.byteLength(prefix) > 155) throw new Error(`path too long for the archive: ${filePath}`);
  }
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100, 8, 'ascii');
  h.write('0000000\0', 108, 8, 'ascii');
  h.write('0000000\0', 116, 8, 'ascii');
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 12, 'ascii');
  h.write('00000000000\0', 136, 12, 'ascii');
  h.write('        ', 148, 8, 'ascii');
  h.write('0', 156, 1, 'ascii');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  h.write(`${checksum(h).toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return h;
}

/** Sum of the header's bytes with the checksum field read as spaces. */
function checksum(h: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i];
  return sum;
}

function parseOctal(field: Buffer): number {
  const s = text(field).trim();
  return s === '' ? 0 : parseInt(s, 8);
}

function text(field: Buffer): string {
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? field.length : end).toString('utf8');
}
