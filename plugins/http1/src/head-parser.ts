import { METHODS } from './llhttp';

/*
 * A JavaScript fast path for the usual HTTP/1 message head, in front of llhttp.
 *
 * Going through Node's llhttp binding costs an execute() call plus three callbacks from C++ per
 * message (message begin, headers complete, message complete), each a few hundred nanoseconds,
 * and the header strings are made one by one in C++ (~3 µs for a typical response head). Here the
 * bytes are scanned in place (typed-array reads), then the head becomes one latin1 string and
 * every name and value a substring of it (~0.5 µs).
 *
 * The fast path accepts only heads it understands completely, all of which strict llhttp accepts
 * and reads the same way; for anything else it declines and the codec hands the very same bytes to
 * llhttp, which stays the authority for odd input and for every error. It declines:
 * - a head not complete in the chunk, or longer than the header size limit;
 * - a method other than GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH; a request-target not in
 *   origin form or holding anything but RFC 3986 path/query characters; a version other than
 *   HTTP/1.0 and HTTP/1.1; a status other than 200-599, or a status line without a reason;
 * - a field name that is not a token, a space before the colon, obs-fold, a value with control
 *   bytes, obs-text or trailing whitespace, a bare CR or LF;
 * - Transfer-Encoding, Upgrade, Proxy-Connection, a Connection header listing `upgrade`, more
 *   than one Content-Length or a Content-Length that is not plain digits;
 * - a response that would be delimited by the connection closing (no Content-Length and not
 *   204 or 304), a 204 or 304 with a Content-Length.
 * So what it accepts has no body or a Content-Length body, which the codecs read themselves.
 */

/** What a fast parse found. One instance per codec, overwritten by each parse. */
export class ParsedHead {
  /** Bytes of the head, through its empty line. */
  length = 0;
  versionMinor = 1;
  /** Request: the method's index in llhttp's METHODS. */
  methodIndex = 0;
  /** Request: the request-target. */
  target = '';
  /** Response: the status code. */
  status = 0;
  /** Fields as received: [name, value, name, value, ...] (a new array per head). */
  flat: string[] = [];
  /** The Content-Length value, or -1. */
  contentLength = -1;
  /** What llhttp's should_keep_alive says for this head. */
  keepAlive = true;
  /** Offsets found by the scan: name start, name end, value start, value end per field (reused). */
  readonly marks: number[] = [];
  markCount = 0;
}

const TOKEN = 1;
const VALUE = 2;
const TARGET = 4;

/** Character classes of the bytes 0-255. */
const CHARS = new Uint8Array(256);
for (let c = 0x20; c <= 0x7e; c++) CHARS[c] |= VALUE;
CHARS[0x09] |= VALUE;
for (const ch of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") CHARS[ch.charCodeAt(0)] |= TOKEN;
for (const ch of "-._~!$&'()*+,;=:@/?%0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") CHARS[ch.charCodeAt(0)] |= TARGET;

const CR = 13;
const LF = 10;
const SP = 32;
const HTAB = 9;

/** The methods the fast path takes, with their llhttp index. */
const FAST_METHODS: readonly { name: string; index: number }[] = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']
  .map((name) => ({ name, index: METHODS.indexOf(name) }))
  .filter((m) => m.index >= 0);

type Latin1Slice = (this: Buffer, start: number, end: number) => string;
/** Buffer's own latin1 decoder (what `toString('latin1', ...)` ends in, without its argument handling). */
const nativeLatin1Slice = (Buffer.prototype as unknown as { latin1Slice?: Latin1Slice }).latin1Slice;

function latin1(buf: Buffer, start: number, end: number): string {
  return nativeLatin1Slice !== undefined ? nativeLatin1Slice.call(buf, start, end) : buf.toString('latin1', start, end);
}

/** Parses a request head at `at` into `out`; false: decline (llhttp gets the bytes). */
export function parseRequestHead(buf: Buffer, at: number, maxBytes: number, out: ParsedHead): boolean {
  const limit = maxBytes > 0 ? Math.min(buf.length, at + maxBytes) : buf.length;
  let p = at;
  while (p < limit && buf[p] >= 0x41 && buf[p] <= 0x5a) p++; // A-Z
  if (p >= limit || buf[p] !== SP) return false;
  const methodIndex = methodAt(buf, at, p - at);
  if (methodIndex < 0) return false;
  const targetStart = ++p;
  if (p >= limit || buf[p] !== 47 /* '/' */) return false;
  while (p < limit && (CHARS[buf[p]] & TARGET) !== 0) p++;
  const targetEnd = p;
  // " HTTP/1.x\r\n"
  if (p + 10 >= limit || buf[p] !== SP || !isHttp1(buf, p + 1)) return false;
  const minor = buf[p + 8] - 48;
  if ((minor !== 0 && minor !== 1) || buf[p + 9] !== CR || buf[p + 10] !== LF) return false;
  out.status = 0;
  out.versionMinor = minor;
  const end = scanFields(buf, p + 11, limit, out, false);
  if (end < 0) return false;
  const h = latin1(buf, at, end);
  out.methodIndex = methodIndex;
  out.target = h.slice(targetStart - at, targetEnd - at);
  finish(h, at, end, out);
  return true;
}

/** Parses a response head at `at` into `out`; false: decline (llhttp gets the bytes). */
export function parseResponseHead(buf: Buffer, at: number, maxBytes: number, out: ParsedHead): boolean {
  const limit = maxBytes > 0 ? Math.min(buf.length, at + maxBytes) : buf.length;
  // "HTTP/1.x NNN "
  if (at + 13 >= limit || !isHttp1(buf, at) || buf[at + 8] !== SP || buf[at + 12] !== SP) return false;
  const minor = buf[at + 7] - 48;
  const d0 = buf[at + 9] - 48;
  const d1 = buf[at + 10] - 48;
  const d2 = buf[at + 11] - 48;
  if ((minor !== 0 && minor !== 1) || d0 < 2 || d0 > 5 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) return false;
  // The reason phrase: any text up to the line end.
  let p = at + 13;
  while (p < limit && (CHARS[buf[p]] & VALUE) !== 0) p++;
  if (p + 1 >= limit || buf[p] !== CR || buf[p + 1] !== LF) return false;
  out.status = d0 * 100 + d1 * 10 + d2;
  out.versionMinor = minor;
  const end = scanFields(buf, p + 2, limit, out, true);
  if (end < 0) return false;
  finish(latin1(buf, at, end), at, end, out);
  return true;
}

/** "HTTP/1." at `p`. */
function isHttp1(buf: Buffer, p: number): boolean {
  return buf[p] === 72 && buf[p + 1] === 84 && buf[p + 2] === 84 && buf[p + 3] === 80 && buf[p + 4] === 47 && buf[p + 5] === 49 && buf[p + 6] === 46;
}

/** The llhttp index of the method spelled by `len` bytes at `at`, or -1 when the fast path does not take it. */
function methodAt(buf: Buffer, at: number, len: number): number {
  for (let i = 0; i < FAST_METHODS.length; i++) {
    const m = FAST_METHODS[i];
    if (m.name.length === len && bytesAre(buf, at, m.name)) return m.index;
  }
  return -1;
}

function bytesAre(buf: Buffer, at: number, text: string): boolean {
  for (let i = 0; i < text.length; i++) if (buf[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** Case-insensitive match of a token at `at` against a lowercase name of the same length. */
function nameIs(buf: Buffer, at: number, lower: string): boolean {
  // OR-ing 0x20 lowercases letters and leaves '-' and digits alone; no other token byte maps to them.
  for (let i = 0; i < lower.length; i++) if ((buf[at + i] | 0x20) !== lower.charCodeAt(i)) return false;
  return true;
}

const CONN_CLOSE = 1;
const CONN_KEEP_ALIVE = 2;
const CONN_UPGRADE = 4;
/** Something in the value the fast path does not mirror: decline. */
const CONN_UNSURE = 8;

/**
 * Scans the header fields from `p` through the empty line, recording their offsets in `out`.
 * Returns the offset after the head, or -1 to decline.
 */
function scanFields(buf: Buffer, p: number, limit: number, out: ParsedHead, response: boolean): number {
  const marks = out.marks;
  let m = 0;
  let contentLength = -1;
  let connection = 0;
  for (;;) {
    if (p + 1 >= limit) return -1;
    if (buf[p] === CR) {
      if (buf[p + 1] !== LF) return -1;
      p += 2;
      break;
    }
    const nameStart = p;
    while (p < limit && (CHARS[buf[p]] & TOKEN) !== 0) p++;
    if (p === nameStart || p >= limit || buf[p] !== 58 /* ':' */) return -1;
    const nameEnd = p++;
    while (p < limit && (buf[p] === SP || buf[p] === HTAB)) p++;
    const valueStart = p;
    while (p < limit && (CHARS[buf[p]] & VALUE) !== 0) p++;
    if (p + 1 >= limit || buf[p] !== CR || buf[p + 1] !== LF) return -1;
    const valueEnd = p;
    // Trailing whitespace: leave its trimming to llhttp.
    if (valueEnd > valueStart && (buf[valueEnd - 1] === SP || buf[valueEnd - 1] === HTAB)) return -1;
    p += 2;
    switch (nameEnd - nameStart) {
      case 7:
        if (nameIs(buf, nameStart, 'upgrade')) return -1;
        break;
      case 10:
        if (nameIs(buf, nameStart, 'connection')) connection |= connectionTokens(buf, valueStart, valueEnd);
        break;
      case 14:
        if (nameIs(buf, nameStart, 'content-length')) {
          if (contentLength >= 0) return -1;
          contentLength = digits(buf, valueStart, valueEnd);
          if (contentLength < 0) return -1;
        }
        break;
      case 16:
        if (nameIs(buf, nameStart, 'proxy-connection')) return -1;
        break;
      case 17:
        if (nameIs(buf, nameStart, 'transfer-encoding')) return -1;
        break;
    }
    marks[m++] = nameStart;
    marks[m++] = nameEnd;
    marks[m++] = valueStart;
    marks[m++] = valueEnd;
  }
  if ((connection & (CONN_UPGRADE | CONN_UNSURE)) !== 0) return -1;
  if (response) {
    const status = out.status;
    const bodiless = status === 204 || status === 304;
    if (bodiless ? contentLength >= 0 : contentLength < 0) return -1;
  }
  out.markCount = m;
  out.contentLength = contentLength;
  // llhttp_should_keep_alive: HTTP/1.1 unless "close", HTTP/1.0 only with "keep-alive" (and no
  // message taken here needs the connection's end to delimit it).
  out.keepAlive = out.versionMinor === 1 ? (connection & CONN_CLOSE) === 0 : (connection & CONN_KEEP_ALIVE) !== 0;
  return p;
}

/** The fields as strings: substrings of the head's one latin1 string `h` (which starts at `at`). */
function finish(h: string, at: number, end: number, out: ParsedHead): void {
  const marks = out.marks;
  const n = out.markCount;
  const flat = new Array<string>(n >> 1);
  for (let i = 0, j = 0; i < n; i += 2, j++) flat[j] = h.slice(marks[i] - at, marks[i + 1] - at);
  out.flat = flat;
  out.length = end - at;
}

/** A Content-Length value of 1 to 15 digits, or -1. */
function digits(buf: Buffer, start: number, end: number): number {
  if (end <= start || end - start > 15) return -1;
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** The tokens llhttp looks for in a Connection value: close, keep-alive, upgrade (case-insensitive, comma-separated). */
function connectionTokens(buf: Buffer, start: number, end: number): number {
  let flags = 0;
  let p = start;
  while (p < end) {
    while (p < end && (buf[p] === SP || buf[p] === 44 /* ',' */)) p++;
    const tokenStart = p;
    while (p < end && buf[p] !== 44 && buf[p] !== SP) {
      // A tab inside the list: not worth mirroring llhttp's exact handling of it.
      if (buf[p] === HTAB) return CONN_UNSURE;
      p++;
    }
    const len = p - tokenStart;
    if (len === 5 && nameIs(buf, tokenStart, 'close')) flags |= CONN_CLOSE;
    else if (len === 10 && nameIs(buf, tokenStart, 'keep-alive')) flags |= CONN_KEEP_ALIVE;
    else if (len === 7 && nameIs(buf, tokenStart, 'upgrade')) flags |= CONN_UPGRADE;
  }
  return flags;
}
