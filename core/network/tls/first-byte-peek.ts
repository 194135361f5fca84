import type * as net from 'node:net';

/**
 * Reads the first chunk of an accepted (paused) socket, puts it back, pauses the socket again
 * and reports its first byte; undefined when the peer closed, failed or stayed silent for
 * `timeoutMs`. Whoever reads the socket next gets every byte.
 */
export function peekFirstByte(socket: net.Socket, timeoutMs: number, done: (firstByte: number | undefined, firstChunk: Buffer | undefined) => void): void {
  let settled = false;
  const finish = (chunk: Buffer | undefined): void => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('end', onGone);
    socket.off('close', onGone);
    socket.off('error', onGone);
    done(chunk?.[0], chunk);
  };
  const onData = (chunk: Buffer): void => {
    socket.pause();
    socket.unshift(chunk);
    finish(chunk);
  };
  const onGone = (): void => finish(undefined);
  const timer = setTimeout(onGone, timeoutMs);
  socket.on('data', onData);
  socket.once('end', onGone);
  socket.once('close', onGone);
  socket.once('error', onGone);
  socket.resume();
}
