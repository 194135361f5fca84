import type { ReadFilter } from './network-filter';

/**
 * What happened to a connection. Names follow MOSN's `api.ConnectionEvent`.
 * - `Connected`: an outbound connection finished connecting.
 * - `ConnectFailed` / `ConnectTimeout`: an outbound connection could not be made.
 * - `RemoteClose` / `LocalClose`: the connection is closed, by the peer or by this side.
 * - `OnReadErrClose` / `OnWriteErrClose`: the socket failed and was closed.
 * - `IdleTimeout`: nothing was read or written for the idle timeout; the connection is being closed.
 */
export type ConnectionEvent =
  | 'Connected'
  | 'ConnectFailed'
  | 'ConnectTimeout'
  | 'RemoteClose'
  | 'LocalClose'
  | 'OnReadErrClose'
  | 'OnWriteErrClose'
  | 'IdleTimeout';

/** True for the events after which the connection is closed. */
export function isCloseEvent(event: ConnectionEvent): boolean {
  return event !== 'Connected';
}

/**
 * How to close: `FlushWrite` sends what is buffered first (graceful), `NoFlush` resets at once.
 */
export type CloseType = 'FlushWrite' | 'NoFlush';

/** Observes a connection without changing its control flow. */
export interface ConnectionEventListener {
  /** Called for each {@link ConnectionEvent}. */
  onEvent(event: ConnectionEvent, connection: Connection): void;
  /**
   * The connection's write buffer went above its buffer limit: whoever feeds it should stop
   * reading its source (e.g. `readDisable(true)` on the other side of a proxy).
   */
  onAboveWriteBufferHighWatermark?(connection: Connection): void;
  /** The write buffer drained below half the limit: feeding may resume. */
  onBelowWriteBufferLowWatermark?(connection: Connection): void;
}

/** A TCP or unix-socket connection owned by the kernel. */
export interface Connection {
  /** Unique within the process. */
  readonly id: number;
  /** `ip:port`, or `unix:/path` for a unix socket. */
  readonly localAddress: string;
  /** `ip:port` of the peer (for a unix socket, `unix:` plus the listener's path). */
  readonly remoteAddress: string;
  /** `connecting` (outbound only), `open`, `closed`. */
  readonly state: 'connecting' | 'open' | 'closed';
  /** Bytes read from the socket so far. */
  readonly bytesRead: number;
  /** Bytes handed to the socket so far. */
  readonly bytesWritten: number;
  /** Per-connection buffer limit in bytes (reads pause and watermarks fire around it). */
  readonly bufferLimit: number;
  /** Whether the write buffer is above {@link bufferLimit} right now. */
  readonly aboveWriteBufferHighWatermark: boolean;
  /**
   * What the TLS handshake settled, once it is done; undefined on a plaintext connection (and on
   * an outbound one before `Connected`). Filters and protocols see decrypted bytes either way.
   */
  readonly tls?: TlsInfo;

  /** Sends data through the write filter chain, then to the socket. */
  write(data: Buffer): void;
  /** Half-closes: sends FIN after the data written so far. Reading goes on. */
  end(): void;
  /** Closes the connection. Default `FlushWrite`. */
  close(type?: CloseType): void;
  /**
   * Stops (true) or resumes (false) reading from the socket. Calls are counted: reading resumes
   * when every disable has been matched by an enable.
   */
  readDisable(disable: boolean): void;
  /** Sets (or with 0 clears) the idle timeout in milliseconds. */
  setIdleTimeout(ms: number): void;
  /** Adds an observer of this connection's events. */
  addEventListener(listener: ConnectionEventListener): void;
  /** Removes an observer added with {@link addEventListener}. */
  removeEventListener(listener: ConnectionEventListener): void;
}

/** The facts of a connection's finished TLS handshake (read-only). */
export interface TlsInfo {
  /** The negotiated ALPN protocol (`h2`, `http/1.1`…); undefined when none was negotiated. */
  readonly alpnProtocol: string | undefined;
  /**
   * The SNI server name: on a downstream connection the one the client asked for, on an upstream
   * one the one this side sent. Undefined when there was none.
   */
  readonly serverName: string | undefined;
  /** The TLS version, as OpenSSL names it: `TLSv1.2`, `TLSv1.3`. */
  readonly version: string;
  /** The cipher suite, as OpenSSL names it (e.g. `TLS_AES_256_GCM_SHA384`, `ECDHE-RSA-AES128-GCM-SHA256`). */
  readonly cipher: string;
  /**
   * True when the peer presented a certificate and it verified against the configured CA
   * (`ca_cert`; the system roots on an upstream connection without one). False when it sent
   * none, when verification failed but the connection was allowed (`insecure_skip`, or a listener
   * that only requests client certificates), or when nothing was checked.
   */
  readonly peerCertificateVerified: boolean;
  /** The certificate the peer presented; undefined when it sent none. */
  readonly peerCertificate: PeerCertificate | undefined;
}

/** The parts of a peer certificate that filters decide on. */
export interface PeerCertificate {
  /** The subject as `key=value` pairs joined by `, `, e.g. `O=acme, CN=client-a`. */
  readonly subject: string;
  /** The subject's common name, or '' when it has none. */
  readonly commonName: string;
  /**
   * Subject alternative names, each with its type as OpenSSL prints it: `DNS:a.example.com`,
   * `IP Address:127.0.0.1`, `URI:spiffe://cluster.local/ns/default/sa/app`.
   */
  readonly subjectAltNames: readonly string[];
  /** The issuer, in the same form as {@link subject}. */
  readonly issuer: string;
  /** SHA-256 fingerprint, colon-separated hex bytes (uppercase), as Node prints it. */
  readonly fingerprint256: string;
  /** Serial number in hex (uppercase). */
  readonly serialNumber: string;
  /** Validity bounds as Node prints them (e.g. `Nov 21 17:28:11 2026 GMT`). */
  readonly validFrom: string;
  readonly validTo: string;
}

/** An outbound connection made by the kernel toward an upstream host. */
export interface ClientConnection extends Connection {
  /** The upstream host's address (as configured). */
  readonly hostAddress: string;
  /** The cluster the host belongs to. */
  readonly clusterName: string;
  /** Adds a read filter that receives the bytes the upstream sends. Add before {@link connect}. */
  addReadFilter(filter: ReadFilter): void;
  /**
   * Starts connecting; `Connected`, `ConnectFailed` or `ConnectTimeout` follows (the cluster's
   * `connect_timeout` applies).
   */
  connect(): void;
}
