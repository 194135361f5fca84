import * as net from 'node:net';

export interface TestServer {
  server: net.Server;
  address: string;
  port: number;
  /** Connections accepted so far. */
  accepted: number;
  /** Bytes received so far, over all connections. */
  bytesIn: number;
  sockets: Set<net.Socket>;
  close(): Promise<void>;
}

/**
 * A TCP server on 127.0.0.1:0 (allowHalfOpen) whose connections are handled by `onSocket`;
 * it counts connections and bytes.
 */
export async function startTcpServer(onSocket: (socket: net.Socket, server: TestServer) => void): Promise<TestServer> {
  const state: TestServer = {
    server: undefined as unknown as net.Server,
    address: '',
    port: 0,
    accepted: 0,
    bytesIn: 0,
    sockets: new Set(),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of state.sockets) s.destroy();
        state.server.close(() => resolve());
      }),
  };
  state.server = net.createServer({ allowHalfOpen: true }, (socket) => {
    state.accepted++;
    state.sockets.add(socket);
    socket.on('close', () => state.sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.on('data', (d: Buffer) => (state.bytesIn += d.length));
    onSocket(socket, state);
  });
  await new Promise<void>((resolve) => state.server.listen(0, '127.0.0.1', resolve));
  state.port = (state.server.address() as net.AddressInfo).port;
  state.address = `127.0.0.1:${state.port}`;
  return state;
}

/** Echoes bytes back; on the peer's FIN, finishes its own side. */
export function startEchoServer(): Promise<TestServer> {
  return startTcpServer((socket) => {
    socket.pipe(socket);
  });
}

/** Connects with allowHalfOpen and resolves once connected. */
export function connect(port: number, host = '127.0.0.1'): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host, allowHalfOpen: true }, () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
}

/** Resolves with every byte the socket delivers until the peer's FIN (or close). */
export function readAll(socket: net.Socket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.once('end', () => resolve(Buffer.concat(chunks)));
    socket.once('close', () => resolve(Buffer.concat(chunks)));
    socket.once('error', reject);
  });
}

/** Resolves when `n` bytes have arrived (and returns them), without waiting for FIN. */
export function readBytes(socket: net.Socket, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let got = 0;
    const onData = (c: Buffer): void => {
      chunks.push(c);
      got += c.length;
      if (got >= n) {
        socket.off('data', onData);
        resolve(Buffer.concat(chunks));
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.once('close', () => got < n && reject(new Error(`closed after ${got} of ${n} bytes`)));
  });
}

/**
 * Resolves when the peer has closed: FIN received ('end'; our half-open socket may still be
 * writable) or the socket is gone.
 */
export function closed(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed || socket.readableEnded) resolve();
    else {
      socket.once('end', () => resolve());
      socket.once('close', () => resolve());
    }
  });
}

/** A port on 127.0.0.1 with nothing listening (bound and released). */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
