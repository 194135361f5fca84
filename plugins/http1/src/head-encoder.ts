import type { HeaderMap } from 'mosn-plugin-sdk';
import { STATUS_CODES } from 'node:http';

/*
 * Header policy of the HTTP/1 codec, both directions.
 *
 * Decoding keeps everything: a decoded HeaderMap holds the pseudo-headers and then every header
 * as received (case and order kept), hop-by-hop ones (connection, keep-alive, transfer-encoding,
 * upgrade, ...) included, so filters and the access log see what the peer sent.
 *
 * Encoding decides framing itself and never trusts framing headers it is handed:
 * - names starting with ':' are skipped (pseudo-headers have no place on an HTTP/1 wire);
 * - hop-by-hop headers are dropped: connection, keep-alive, proxy-connection, te,
 *   transfer-encoding, upgrade, trailer, and every name the map's own Connection header lists;
 *   the encoder writes its own Connection / Upgrade / Transfer-Encoding lines;
 * - content-length is taken as the body length when it is a plain number (the first one; others
 *   are dropped), otherwise the encoder chooses: `Content-Length: 0` when the message ends with
 *   its headers and may have a body, else chunked (or, toward an HTTP/1.0 client, a body
 *   delimited by closing the connection);
 * - a name that is not an RFC 9110 token, or a value holding CR, LF or NUL, is dropped (and
 *   counted), so no map can split a message or inject a header. (Other control bytes in a value
 *   are passed on; a strict peer refuses them, as llhttp does here.)
 *
 * Cost: checking each value with a regex or a char loop costs ~4 ns per character in JS (about 2 µs
 * for a typical head), so values are checked at once on the finished head instead: it must hold
 * exactly one CR and one LF per line written (String#indexOf is native) and no NUL; only a head
 * that fails this is rebuilt header by header. Names are checked once each against the token
 * grammar and remembered in a bounded set.
 */

/** What {@link scanHeaders} found. One shared instance, valid until the next call. */
export interface HeadScan {
  /** `Name: value\r\n` lines of the headers to send, in map order. */
  lines: string;
  /** The body length the map declares, or -1. */
  contentLength: number;
  /** The content-length header's name as the map spells it (when contentLength >= 0). */
  contentLengthName: string;
  /** Whether the map has a host header (kept in `lines`). */
  hasHost: boolean;
  /** The first upgrade header value (not in `lines`). */
  upgrade: string | undefined;
  /** The connection header value(s), joined (not in `lines`). */
  connection: string | undefined;
  /** Entries dropped for an invalid name or value. */
  invalid: number;
  /** Lines in `lines`. */
  count: number;
}

/** Set per scan: the caller writes Host itself (from :authority), so host entries are dropped. */
let skipHost = false;

const SCAN: HeadScan = {
  lines: '',
  contentLength: -1,
  contentLengthName: '',
  hasHost: false,
  upgrade: undefined,
  connection: undefined,
  invalid: 0,
  count: 0,
};

/** Extra hop-by-hop names from the map's Connection header (lowercased), while scanning. */
let extraHop: string[] | undefined;

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Bytes a field value may not hold: CR, LF, NUL. */
const BAD_VALUE = /[\r\n\0]/;
const DIGITS = /^[0-9]{1,15}$/;

/** Header names known to be tokens (bounded: past the limit names are checked every time). */
const knownNames = new Set<string>();
const KNOWN_NAMES_LIMIT = 2048;

function validName(name: string): boolean {
  if (knownNames.has(name)) return true;
  if (!TOKEN.test(name)) return false;
  if (knownNames.size < KNOWN_NAMES_LIMIT) knownNames.add(name);
  return true;
}

/** Set while rebuilding a head that failed the line check: values are checked one by one. */
let checkValues = false;

/**
 * Collects the header lines to send from `headers` with the policy above. Returns the shared
 * scan result (valid until the next call; the codecs use it synchronously).
 */
export function scanHeaders(headers: HeaderMap, dropHost = false): HeadScan {
  const s = SCAN;
  skipHost = dropHost;
  s.lines = '';
  s.contentLength = -1;
  s.contentLengthName = '';
  s.hasHost = false;
  s.upgrade = undefined;
  s.connection = undefined;
  s.invalid = 0;
  s.count = 0;
  const connection = headers.get('connection');
  extraHop = connection === undefined ? undefined : connectionListed(connection);
  headers.forEach(visit);
  if (s.count > 0 && !wellFormed(s.lines, s.count)) {
    // Some value holds CR, LF or NUL: build the lines again, checking each value.
    s.lines = '';
    s.contentLength = -1;
    s.hasHost = false;
    s.upgrade = undefined;
    s.connection = undefined;
    s.invalid = 0;
    s.count = 0;
    checkValues = true;
    headers.forEach(visit);
    checkValues = false;
  }
  extraHop = undefined;
  return s;
}

/** Whether `lines` holds exactly `count` CRLF line ends and nothing else of CR, LF or NUL. */
function wellFormed(lines: string, count: number): boolean {
  return occurrences(lines, '\n') === count && occurrences(lines, '\r') === count && lines.indexOf('\0') < 0;
}

function occurrences(s: string, ch: string): number {
  let n = 0;
  let at = s.indexOf(ch);
  while (at >= 0) {
    n++;
    at = s.indexOf(ch, at + 1);
  }
  return n;
}

/** Names a Connection header lists beyond close / keep-alive / upgrade (lowercased). */
function connectionListed(value: string): string[] | undefined {
  switch (value) {
    case 'close':
    case 'Close':
    case 'keep-alive':
    case 'Keep-Alive':
    case 'upgrade':
    case 'Upgrade':
      return undefined;
  }
  let out: string[] | undefined;
  for (const part of value.split(',')) {
    const token = part.trim().toLowerCase();
    if (token === '' || token === 'close' || token === 'keep-alive' || token === 'upgrade') continue;
    (out ??= []).push(token);
  }
  return out;
}

function visit(value: string, name: string): void {
  const s = SCAN;
  const len = name.length;
  if (len === 0 || name.charCodeAt(0) === 58 /* ':' */) return;
  switch (len) {
    case 2:
      if (is(name, 'te', 'TE')) return;
      break;
    case 4:
      if (is(name, 'host', 'Host')) {
        s.hasHost = true;
        if (skipHost) return;
      }
      break;
    case 7:
      if (is(name, 'upgrade', 'Upgrade')) {
        if (s.upgrade === undefined) s.upgrade = value;
        return;
      }
      if (is(name, 'trailer', 'Trailer')) return;
      break;
    case 10:
      if (is(name, 'connection', 'Connection')) {
        s.connection = s.connection === undefined ? value : `${s.connection}, ${value}`;
        return;
      }
      if (is(name, 'keep-alive', 'Keep-Alive')) return;
      break;
    case 14:
      if (is(name, 'content-length', 'Content-Length')) {
        if (s.contentLength < 0 && DIGITS.test(value)) {
          s.contentLength = Number(value);
          s.contentLengthName = name;
        }
        return;
      }
      break;
    case 16:
      if (is(name, 'proxy-connection', 'Proxy-Connection')) return;
      break;
    case 17:
      if (is(name, 'transfer-encoding', 'Transfer-Encoding')) return;
      break;
  }
  if (extraHop !== undefined && extraHop.includes(name.toLowerCase())) return;
  if (!validName(name) || (checkValues && BAD_VALUE.test(value))) {
    s.invalid++;
    return;
  }
  s.lines += name + ': ' + value + '\r\n';
  s.count++;
}

/**
 * Case-insensitive name check with the two usual spellings tried first; a different first letter
 * rules a name out before lowercasing it (callers have compared lengths already).
 */
export function is(name: string, lower: string, title: string): boolean {
  if (name === lower || name === title) return true;
  if (name.length !== lower.length || (name.charCodeAt(0) | 0x20) !== lower.charCodeAt(0)) return false;
  return name.toLowerCase() === lower;
}

/** Whether a comma-separated header value lists `token` (case-insensitive). */
export function hasToken(value: string | undefined, token: string): boolean {
  if (value === undefined) return false;
  const v = value.toLowerCase();
  let from = 0;
  for (;;) {
    const i = v.indexOf(token, from);
    if (i < 0) return false;
    const before = i === 0 ? 44 : v.charCodeAt(i - 1);
    const after = i + token.length >= v.length ? 44 : v.charCodeAt(i + token.length);
    if ((before === 44 || before === 32 || before === 9) && (after === 44 || after === 32 || after === 9)) return true;
    from = i + 1;
  }
}

const statusLines: string[] = [];

/** `HTTP/1.1 <code> <reason>\r\n`, cached per code. */
export function statusLine(code: number): string {
  let line = statusLines[code];
  if (line === undefined) {
    line = `HTTP/1.1 ${code} ${STATUS_CODES[code] ?? 'Unknown'}\r\n`;
    statusLines[code] = line;
  }
  return line;
}

/** The `:status` of a response map as a number, or 0 when missing or not three digits. */
export function statusOf(headers: HeaderMap): number {
  const v = headers.get(':status');
  if (v === undefined || v.length !== 3) return 0;
  const n = Number(v);
  return Number.isInteger(n) && n >= 100 ? n : 0;
}

/** Request-target and method checks for the request line the client side writes. */
const REQUEST_TARGET = /^[\x21-\x7e\x80-\xff]+$/;

export function validRequestLine(method: string, target: string): boolean {
  return TOKEN.test(method) && REQUEST_TARGET.test(target);
}

/** Lowercase hex of a chunk size followed by CRLF. */
export function chunkSizeLine(size: number): string {
  return size.toString(16) + '\r\n';
}
