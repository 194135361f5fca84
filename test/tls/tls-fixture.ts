import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { REPO_ROOT } from '../support/paths';

/** The committed test certificates (test/fixtures/tls, made by make-certs.sh). */
export const TLS_DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'tls');

/** Path of a fixture file, e.g. `file('ca.pem')`. */
export function file(name: string): string {
  return path.join(TLS_DIR, name);
}

/** Content of a fixture file. */
export function pem(name: string): string {
  return fs.readFileSync(file(name), 'utf8');
}

/** A listener tls_context serving `name`.pem (file paths, as MOSN configs usually have them). */
export function serverContext(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { status: true, cert_chain: file(`${name}.pem`), private_key: file(`${name}-key.pem`), ...extra };
}

export interface TlsClientResult {
  socket: tls.TLSSocket;
  /** The certificate the server presented. */
  cert: { subject: string; subjectAltName: string | undefined };
}

/** Connects with Node's TLS client; resolves after the handshake, rejects on a handshake error. */
export function tlsConnect(port: number, options: tls.ConnectionOptions = {}): Promise<TlsClientResult> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca: pem('ca.pem'), ...options }, () => {
      socket.off('error', reject);
      const x = socket.getPeerX509Certificate();
      resolve({ socket, cert: { subject: x?.subject ?? '', subjectAltName: x?.subjectAltName } });
    });
    socket.once('error', reject);
  });
}

/**
 * Sends `data` over a connection and resolves with what comes back before the peer closes, or
 * with the error that ended it. With TLS 1.3 a server refuses a client certificate after the
 * client already saw its handshake finish, so a refusal shows as an error or an empty close.
 */
export function exchange(socket: tls.TLSSocket, data: string): Promise<{ received: string; error?: Error }> {
  return new Promise((resolve) => {
    let received = '';
    socket.on('data', (d: Buffer) => {
      received += d.toString();
      if (received.length >= data.length) socket.end();
    });
    socket.once('error', (error) => resolve({ received, error }));
    socket.once('close', () => resolve({ received }));
    socket.write(data);
  });
}

/** Resolves when `predicate` holds for a line of the log, polling (the log is written asynchronously). */
export async function waitForLogLine(lines: () => Record<string, unknown>[], predicate: (l: Record<string, unknown>) => boolean, timeoutMs = 3000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = lines().find(predicate);
    if (found) return found;
    if (Date.now() > deadline) throw new Error('log line not found');
    await new Promise((r) => setTimeout(r, 20));
  }
}
