/**
 * A scanner over hessian2 bytes for the values a request body starts with: strings (read, when
 * plain ASCII) and scalars (skipped without building them). A 1 KiB string argument costs
 * hessian.js about 17 µs to build char by char and this scanner about 1 µs to step over, and the
 * proxy only needs to get past it. Anything else (objects, lists, maps, references) is left to
 * hessian.js: the scanner says "not mine" (-1) and the caller hands hessian.js the bytes from there.
 *
 * Handing over at a value boundary is exact because nothing scanned here is a reference target or
 * a class definition (hessian2 numbers only maps, lists and objects as references).
 */

const NOT_MINE = -1;

/**
 * The offset after the value at `at`, or -1 when it is not a string, binary, number, boolean,
 * date or null. Throws on a string or binary running past the end.
 */
export function skipScalar(b: Buffer, at: number): number {
  const c = b[at];
  if (c === undefined) throw new Error(`hessian2: value expected at ${at}, body ends`);
  if (c <= 0x1f) return skipChars(b, at + 1, c);
  if (c >= 0x30 && c <= 0x33) return skipChars(b, at + 2, ((c - 0x30) << 8) | byteAt(b, at + 1));
  if (c === 0x53 /* S */ || c === 0x52 /* R */) {
    const end = skipChars(b, at + 3, (byteAt(b, at + 1) << 8) | byteAt(b, at + 2));
    return c === 0x53 ? end : skipStringChunk(b, end);
  }
  if (c >= 0x20 && c <= 0x2f) return within(b, at + 1 + (c - 0x20));
  if (c >= 0x34 && c <= 0x37) return within(b, at + 2 + (((c - 0x34) << 8) | byteAt(b, at + 1)));
  if (c === 0x42 /* B */ || c === 0x41 /* A */) {
    const end = within(b, at + 3 + ((byteAt(b, at + 1) << 8) | byteAt(b, at + 2)));
    return c === 0x42 ? end : skipBinaryChunk(b, end);
  }
  const fixed = FIXED_WIDTH[c];
  return fixed === 0 ? NOT_MINE : within(b, at + fixed);
}

/** The plain ASCII string (or null) at `at` and the offset after it, or undefined when it is not one. */
export function readAsciiString(b: Buffer, at: number): { value: string | null; end: number } | undefined {
  const c = b[at];
  if (c === 0x4e /* N */) return { value: null, end: at + 1 };
  let len: number;
  let start: number;
  if (c <= 0x1f) {
    len = c;
    start = at + 1;
  } else if (c >= 0x30 && c <= 0x33) {
    len = ((c - 0x30) << 8) | byteAt(b, at + 1);
    start = at + 2;
  } else if (c === 0x53) {
    len = (byteAt(b, at + 1) << 8) | byteAt(b, at + 2);
    start = at + 3;
  } else {
    return undefined;
  }
  const end = start + len;
  if (end > b.length) return undefined;
  for (let i = start; i < end; i++) if (b[i] >= 0x80) return undefined;
  return { value: b.toString('latin1', start, end), end };
}

/** Steps over `chars` UTF-16 units of hessian's UTF-8 (Java's: a surrogate is its own 3-byte sequence). */
function skipChars(b: Buffer, at: number, chars: number): number {
  let i = at;
  for (let n = 0; n < chars; n++) {
    const lead = b[i];
    if (lead === undefined) throw new Error('hessian2: string runs past the end of the body');
    if (lead < 0x80) i += 1;
    else if (lead < 0xe0) i += 2;
    else if (lead < 0xf0) i += 3;
    else {
      // A 4-byte sequence is two UTF-16 units.
      i += 4;
      n++;
    }
  }
  return within(b, i);
}

function skipStringChunk(b: Buffer, at: number): number {
  const c = b[at];
  if (c === undefined || !(c <= 0x1f || (c >= 0x30 && c <= 0x33) || c === 0x53 || c === 0x52)) {
    throw new Error(`hessian2: string chunk expected at ${at}`);
  }
  return skipScalar(b, at);
}

function skipBinaryChunk(b: Buffer, at: number): number {
  const c = b[at];
  if (c === undefined || !((c >= 0x20 && c <= 0x2f) || (c >= 0x34 && c <= 0x37) || c === 0x42 || c === 0x41)) {
    throw new Error(`hessian2: binary chunk expected at ${at}`);
  }
  return skipScalar(b, at);
}

function byteAt(b: Buffer, at: number): number {
  const v = b[at];
  if (v === undefined) throw new Error('hessian2: value runs past the end of the body');
  return v;
}

function within(b: Buffer, end: number): number {
  if (end > b.length) throw new Error('hessian2: value runs past the end of the body');
  return end;
}

/** Width of the scalar values whose first byte fixes their length; 0 for the rest. */
const FIXED_WIDTH = new Uint8Array(256);
const widths: [number, number, number][] = [
  [0x80, 0xbf, 1], // int, one byte
  [0xc0, 0xcf, 2], // int, two bytes
  [0xd0, 0xd7, 3], // int, three bytes
  [0xd8, 0xef, 1], // long, one byte
  [0xf0, 0xff, 2], // long, two bytes
  [0x38, 0x3f, 3], // long, three bytes
];
for (const [from, to, w] of widths) for (let c = from; c <= to; c++) FIXED_WIDTH[c] = w;
FIXED_WIDTH[0x49] = 5; // I: int
FIXED_WIDTH[0x59] = 5; // Y: long as int32
FIXED_WIDTH[0x4c] = 9; // L: long
FIXED_WIDTH[0x5b] = 1; // double 0.0
FIXED_WIDTH[0x5c] = 1; // double 1.0
FIXED_WIDTH[0x5d] = 2; // double as byte
FIXED_WIDTH[0x5e] = 3; // double as short
FIXED_WIDTH[0x5f] = 5; // double as float
FIXED_WIDTH[0x44] = 9; // D: double
FIXED_WIDTH[0x54] = 1; // T
FIXED_WIDTH[0x46] = 1; // F
FIXED_WIDTH[0x4e] = 1; // N
FIXED_WIDTH[0x4a] = 9; // date, ms
FIXED_WIDTH[0x4b] = 5; // date, minutes
