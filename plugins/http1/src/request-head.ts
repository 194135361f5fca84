import { HeaderMap } from 'mosn-plugin-sdk';
import { is } from './head-encoder';
import { METHODS } from './llhttp';

/** What a request head means to the server codec. One shared instance, valid until the next read. */
export interface RequestHead {
  /** The decoded headers: `:method`, `:path`, `:authority` (when known), `:scheme`, then every field as received. */
  headers: HeaderMap;
  method: string;
  /** The first Upgrade header's value. */
  upgradeValue: string | undefined;
  /** The Content-Length value, or -1. */
  contentLength: number;
  /** A Transfer-Encoding header is present (llhttp decodes the chunked body). */
  chunked: boolean;
  /** Why the request must be refused with 400, or ''. */
  problem: string;
}

const HEAD: RequestHead = {
  headers: undefined as unknown as HeaderMap,
  method: '',
  upgradeValue: undefined,
  contentLength: -1,
  chunked: false,
  problem: '',
};

/**
 * Reads a request head given as llhttp reports it (flat `[name, value, ...]` fields, the method's
 * index, the request-target): one pass over the names for what framing and routing need, the Host
 * rules of RFC 9112 §3.2, then the HeaderMap.
 */
export function readRequestHead(flat: readonly string[], methodIndex: number, target: string, versionMajor: number, versionMinor: number): RequestHead {
  const head = HEAD;
  let host: string | undefined;
  let hosts = 0;
  let upgradeValue: string | undefined;
  let contentLength = -1;
  let chunked = false;
  for (let i = 0; i < flat.length; i += 2) {
    const name = flat[i];
    switch (name.length) {
      case 4:
        if (is(name, 'host', 'Host')) {
          if (hosts++ === 0) host = flat[i + 1];
        }
        break;
      case 7:
        if (upgradeValue === undefined && is(name, 'upgrade', 'Upgrade')) upgradeValue = flat[i + 1];
        break;
      case 14:
        if (is(name, 'content-length', 'Content-Length')) contentLength = Number(flat[i + 1]);
        break;
      case 17:
        if (is(name, 'transfer-encoding', 'Transfer-Encoding')) chunked = true;
        break;
    }
  }
  head.upgradeValue = upgradeValue;
  head.contentLength = contentLength;
  head.chunked = chunked;
  // 400 for an HTTP/1.1 request without Host, and for any with more than one.
  if (hosts > 1 || (hosts === 0 && versionMajor === 1 && versionMinor === 1)) {
    head.problem = hosts === 0 ? 'HTTP/1.1 request without a Host header' : 'more than one Host header';
    return head;
  }
  head.problem = '';
  const method = METHODS[methodIndex] ?? 'GET';
  const map = new HeaderMap();
  map.add(':method', method);
  map.add(':path', target);
  const authority = authorityOf(target) ?? host;
  if (authority !== undefined) map.add(':authority', authority);
  map.add(':scheme', 'http');
  for (let i = 0; i < flat.length; i += 2) map.add(flat[i], flat[i + 1]);
  head.method = method;
  head.headers = map;
  return head;
}

/** The authority of an absolute-form request-target (`http://host:port/path`), if it is one. */
function authorityOf(target: string): string | undefined {
  const c = target.charCodeAt(0);
  if (c === 47 /* '/' */ || c === 42 /* '*' */) return undefined;
  const scheme = target.indexOf('://');
  if (scheme <= 0) return undefined;
  const start = scheme + 3;
  let end = start;
  while (end < target.length) {
    const ch = target.charCodeAt(end);
    if (ch === 47 || ch === 63 || ch === 35) break; // '/', '?', '#'
    end++;
  }
  const authority = target.slice(start, end);
  const at = authority.lastIndexOf('@');
  return at >= 0 ? authority.slice(at + 1) : authority;
}
