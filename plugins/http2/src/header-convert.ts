import { HeaderMap } from 'mosn-plugin-sdk';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http2';

/**
 * Connection-specific headers (RFC 9113 §8.2.2): HTTP/2 forbids them, and Node's http2 refuses to
 * send a message carrying one. They are dropped when a message goes out on HTTP/2, whatever
 * protocol it came in on (HTTP/1.1 → HTTP/2 translation).
 */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'http2-settings']);

/** Request pseudo-headers HTTP/2 knows; responses carry only `:status`. */
const REQUEST_PSEUDO = new Set([':method', ':path', ':authority', ':scheme', ':protocol']);

/** Per-call state of {@link toNodeHeaders}, reused (one conversion runs at a time). */
const scratch = {
  out: {} as OutgoingHttpHeaders,
  request: false,
  /** Extra names the message's own `Connection` header declared hop-by-hop. */
  listed: undefined as Set<string> | undefined,
  host: undefined as string | undefined,
};

function addOne(value: string, name: string): void {
  const s = scratch;
  const key = name.toLowerCase();
  if (key.charCodeAt(0) === 58 /* ':' */) {
    if (s.request ? !REQUEST_PSEUDO.has(key) : key !== ':status') return;
    s.out[key] = value;
    return;
  }
  if (HOP_BY_HOP.has(key)) return;
  if (key === 'te') {
    // Only "trailers" may cross into HTTP/2 (gRPC needs it).
    if (value.trim().toLowerCase() === 'trailers') s.out.te = 'trailers';
    return;
  }
  if (key === 'host') {
    s.host ??= value;
    return;
  }
  if (s.listed !== undefined && s.listed.has(key)) return;
  const prior = s.out[key];
  if (prior === undefined) s.out[key] = value;
  else if (Array.isArray(prior)) prior.push(value);
  else s.out[key] = [prior as string, value];
}

/**
 * A HeaderMap as Node's http2 wants it: lowercase names, repeated names as arrays, pseudo-headers
 * of the message kind only, connection-specific headers dropped, `host` turned into `:authority`
 * when the map has none (an HTTP/1.1 request going out on HTTP/2).
 */
export function toNodeHeaders(headers: HeaderMap, request: boolean): OutgoingHttpHeaders {
  const s = scratch;
  s.out = {};
  s.request = request;
  s.host = undefined;
  const connection = headers.get('connection');
  s.listed = connection === undefined ? undefined : listedNames(connection);
  headers.forEach(addOne);
  const out = s.out;
  if (request && out[':authority'] === undefined && s.host !== undefined) out[':authority'] = s.host;
  s.out = {};
  s.listed = undefined;
  return out;
}

function listedNames(value: string): Set<string> | undefined {
  let set: Set<string> | undefined;
  for (const part of value.split(',')) {
    const name = part.trim().toLowerCase();
    if (name && name !== 'close' && name !== 'keep-alive') (set ??= new Set()).add(name);
  }
  return set;
}

/**
 * Headers Node decoded, as a HeaderMap in wire order. `raw` is Node's flat `[name, value, ...]`
 * list. Several `cookie` fields (HTTP/2 may split them) are joined with "; " as RFC 9113 §8.2.3
 * asks, so an HTTP/1.1 upstream sees one Cookie header.
 */
export function fromNodeHeaders(raw: readonly string[] | undefined, headers: IncomingHttpHeaders): HeaderMap {
  if (raw === undefined) return fromObject(headers);
  const map = HeaderMap.fromFlat(raw);
  const cookies = map.getAll('cookie');
  if (cookies.length > 1) map.set('cookie', cookies.join('; '));
  return map;
}

function fromObject(headers: IncomingHttpHeaders): HeaderMap {
  const map = new HeaderMap();
  for (const name of Object.keys(headers)) {
    const v = headers[name];
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const item of v) map.add(name, item);
    else map.add(name, String(v));
  }
  return map;
}
