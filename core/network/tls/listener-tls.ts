import type * as net from 'node:net';
import * as tls from 'node:tls';
import type { Logger, TlsInfo } from '../../../plugin-sdk';
import { joinHostPort } from '../socket-connection';
import { peekFirstByte } from './first-byte-peek';
import type { ServerTlsConfig } from './server-tls-config';
import { SocketTlsInfo } from './tls-info';
import type { ListenerTlsStats } from './tls-stats';

/** First byte of a TLS record carrying a handshake message (a ClientHello, for a new client). */
const TLS_HANDSHAKE_RECORD = 0x16;

export interface ListenerTlsOptions {
  /** Serve a connection that does not start with a TLS handshake in plaintext (MOSN's inspector). */
  inspector: boolean;
  /** How long a client may take to send its first byte, and then to finish the handshake. */
  handshakeTimeoutMs: number;
  stats: ListenerTlsStats;
  logger: Logger;
  /** Called with the socket to build the connection on: the TLS socket, or the raw one for plaintext. */
  ready: (socket: net.Socket, originalDestination: string | undefined, tls: TlsInfo | undefined) => void;
}

/**
 * TLS termination for one listener. An accepted socket (after the listener filters) is peeked:
 * a TLS handshake goes to a never-listening tls.Server of this listener, which runs the handshake
 * (SNI picks the certificate) on that socket; anything else is refused with a log line, or served
 * in plaintext with `inspector`. Client certificates are judged when the handshake completes.
 */
export class ListenerTls {
  private readonly server: tls.Server;
  /** original_dst results waiting for their handshake, by the connection's address 4-tuple. */
  private readonly destinations = new Map<string, string>();

  constructor(
    private readonly config: ServerTlsConfig,
    private readonly options: ListenerTlsOptions,
  ) {
    const selector = config.selector;
    this.server = tls.createServer({
      ...config.serverOptions,
      SNICallback: (name, cb) => cb(null, selector.select(name)),
    });
    this.server.on('secureConnection', (socket: tls.TLSSocket) => this.onSecure(socket));
    this.server.on('tlsClientError', (err: NodeJS.ErrnoException & { reason?: string }, socket: tls.TLSSocket) => this.onHandshakeError(err, socket));
  }

  /** Takes over an accepted, paused socket. */
  accept(socket: net.Socket, originalDestination: string | undefined): void {
    // Once wrapped, failures surface on the TLS socket; the raw one must not throw unhandled.
    socket.on('error', ignore);
    const remote = joinHostPort(socket.remoteAddress, socket.remotePort);
    peekFirstByte(socket, this.options.handshakeTimeoutMs, (first, chunk) => {
      const o = this.options;
      if (socket.destroyed) return;
      if (first === undefined) {
        o.logger.debug({ remote }, 'connection closed (or silent) before its first byte; no TLS handshake');
        socket.destroy();
        return;
      }
      if (first !== TLS_HANDSHAKE_RECORD) {
        if (o.inspector) {
          o.stats.inspectorPlaintext.inc();
          o.ready(socket, originalDestination, undefined);
          return;
        }
        o.stats.plaintextRefused.inc();
        o.logger.warn({ remote, firstBytes: preview(chunk!) }, 'plaintext client on a TLS listener refused: the first byte is not a TLS handshake record');
        socket.destroy();
        return;
      }
      if (originalDestination !== undefined) {
        const key = fourTuple(socket);
        this.destinations.set(key, originalDestination);
        socket.once('close', () => this.destinations.delete(key));
      }
      this.server.emit('connection', socket);
    });
  }

  private onSecure(socket: tls.TLSSocket): void {
    const mode = this.config.clientAuth;
    if (mode === 'require-and-verify' || mode === 'verify-if-given') {
      const cert = socket.getPeerX509Certificate();
      if (cert === undefined && mode === 'require-and-verify') return this.refuse(socket, 'client certificate required, none was sent');
      if (cert !== undefined && !socket.authorized) return this.refuse(socket, `client certificate not trusted (${String(socket.authorizationError)})`);
    }
    this.options.stats.handshakes.inc();
    // The connection resumes reading once its filter chain is built.
    socket.pause();
    const key = fourTuple(socket);
    const destination = this.destinations.get(key);
    if (destination !== undefined) this.destinations.delete(key);
    this.options.ready(socket, destination, new SocketTlsInfo(socket));
  }

  private refuse(socket: tls.TLSSocket, reason: string): void {
    this.options.stats.handshakeFailures.inc();
    this.options.logger.warn(
      { remote: joinHostPort(socket.remoteAddress, socket.remotePort), sni: socket.servername || undefined, reason },
      `TLS handshake refused: ${reason}`,
    );
    socket.destroy();
  }

  private onHandshakeError(err: NodeJS.ErrnoException & { reason?: string }, socket: tls.TLSSocket): void {
    this.options.stats.handshakeFailures.inc();
    const reason = err.code === 'ECONNRESET' && err.message === 'socket hang up' ? 'the client closed the connection during the handshake' : (err.reason ?? err.message);
    this.options.logger.warn(
      { remote: joinHostPort(socket.remoteAddress, socket.remotePort) || undefined, code: err.code, reason },
      `TLS handshake failed: ${reason}`,
    );
    socket.destroy();
  }
}

function fourTuple(socket: net.Socket): string {
  return `${socket.remoteAddress}|${socket.remotePort}|${socket.localAddress}|${socket.localPort}`;
}

/** The first bytes of a refused connection for the log: printable ASCII kept, the rest as dots. */
function preview(chunk: Buffer): string {
  return chunk.subarray(0, 16).toString('latin1').replace(/[^\x20-\x7e]/g, '.');
}

function ignore(): void {}
