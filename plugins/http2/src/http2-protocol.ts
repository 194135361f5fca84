import type { ProtocolFactory } from 'mosn-plugin-sdk';
import { Http2ClientConnection } from './client-codec';
import { Http2ServerConnection } from './server-codec';

/** The client connection preface (RFC 9113 §3.4), the bytes an h2c-with-prior-knowledge client sends first. */
export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** `Auto` listeners: a connection speaks HTTP/2 when it starts with the connection preface. */
export function matchHttp2(firstBytes: Buffer): 'match' | 'mismatch' | 'need-more' {
  const n = Math.min(firstBytes.length, PREFACE.length);
  if (firstBytes.compare(PREFACE, 0, n, 0, n) !== 0) return 'mismatch';
  return n === PREFACE.length ? 'match' : 'need-more';
}

/**
 * The `Http2` protocol: HTTP/2 on Node's nghttp2 binding. Multiplex pooling: one upstream
 * connection per host carries every stream (another opens when it is full or going away).
 */
export const http2Protocol: ProtocolFactory = {
  poolMode: 'multiplex',
  createServerConnection(connection, callbacks, options) {
    return new Http2ServerConnection(connection, callbacks, options);
  },
  createClientConnection(connection, options) {
    return new Http2ClientConnection(connection, options);
  },
  match: matchHttp2,
};
