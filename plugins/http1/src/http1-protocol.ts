import type { ProtocolFactory } from 'mosn-plugin-sdk';
import { Http1ClientConnection } from './client-codec';
import { METHODS } from './llhttp';
import { Http1ServerConnection } from './server-codec';

/** Longest method name llhttp knows, plus the space after it. */
const MAX_METHOD = METHODS.reduce((n, m) => Math.max(n, m.length), 0) + 1;

/**
 * `Auto` listeners: a connection speaks HTTP/1 when it starts with a method llhttp knows and a
 * space. `PRI` is HTTP/2's connection preface, not an HTTP/1 request.
 */
export function matchHttp1(firstBytes: Buffer): 'match' | 'mismatch' | 'need-more' {
  const n = Math.min(firstBytes.length, MAX_METHOD);
  for (let i = 0; i < n; i++) {
    const c = firstBytes[i];
    if (c === 0x20) {
      if (i === 0) return 'mismatch';
      const method = firstBytes.toString('latin1', 0, i);
      return method !== 'PRI' && METHODS.includes(method) ? 'match' : 'mismatch';
    }
    if (!((c >= 0x41 && c <= 0x5a) || c === 0x2d || c === 0x5f)) return 'mismatch';
  }
  if (firstBytes.length >= MAX_METHOD) return 'mismatch';
  const prefix = firstBytes.toString('latin1');
  return METHODS.some((m) => m.startsWith(prefix)) ? 'need-more' : 'mismatch';
}

/**
 * The `Http1` protocol: HTTP/1.1 (and 1.0 peers) over llhttp. Ping-pong pooling: an upstream
 * connection carries one request at a time and is kept alive between them.
 */
export const http1Protocol: ProtocolFactory = {
  poolMode: 'ping-pong',
  createServerConnection(connection, callbacks, options) {
    return new Http1ServerConnection(connection, callbacks, options);
  },
  createClientConnection(connection, options) {
    return new Http1ClientConnection(connection, options);
  },
  match: matchHttp1,
};
