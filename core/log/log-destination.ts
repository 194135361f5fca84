import pino from 'pino';
import type { DestinationStream } from 'pino';

/** Where a log writes, and how to let go of it without losing lines. */
export interface LogDestination {
  readonly stream: DestinationStream;
  /** Flushes; closes the file when the log owns one (never stdout/stderr). */
  close(): Promise<void>;
}

/**
 * Opens MOSN's log path: "stdout", "stderr" or a file path (parent directories are created).
 * Writes are synchronous so that nothing is lost when the process exits right after a line; the
 * server log is not on the hot path at the levels it normally runs at.
 */
export function openLogDestination(path: string): LogDestination {
  const fd = path === 'stdout' ? 1 : path === 'stderr' ? 2 : undefined;
  if (fd !== undefined) {
    const stream = pino.destination({ dest: fd, sync: true });
    return { stream, close: async () => stream.flushSync() };
  }
  const stream = pino.destination({ dest: path, sync: true, mkdir: true });
  return {
    stream,
    close: () =>
      new Promise<void>((resolve) => {
        stream.once('close', () => resolve());
        stream.once('error', () => resolve());
        stream.end();
      }),
  };
}
