import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { compileAccessLogFormat, DEFAULT_ACCESS_LOG_FORMAT, type AccessLogFormatter } from './access-log-format';
import type { RequestLogRecord } from './request-log-record';

/** One entry of a listener's `access_logs` (MOSN v2.AccessLog: log_path, log_format). */
export interface AccessLogConfig {
  log_path?: string;
  log_format?: string;
}

export interface AccessLogOptions {
  /**
   * Where to write when log_path is empty. MOSN uses "<log base>/<listener name>_access.log"
   * (see `defaultAccessLogPath`); without this option an empty log_path means stderr, as in
   * MOSN's logger for an empty output.
   */
  defaultLogPath?: string;
  /** Bytes buffered before a write is issued (default 8 KiB; must stay under 16 KiB). */
  minLength?: number;
  /** Bytes buffered at most while writes are slow; lines beyond are dropped and counted (default 16 MiB). */
  maxLength?: number;
  /** A buffer that did not reach minLength is written after this many ms (default 1000). */
  flushIntervalMs?: number;
  /** 'problem' (default) or 'dash' (MOSN's behaviour: unknown variables print "-"). */
  unknownVariables?: 'problem' | 'dash';
  /** Told about write errors (disk full, closed pipe...). The access log keeps going. */
  onError?: (err: Error, logPath: string) => void;
}

/** MOSN's log path for an access log with no log_path: "<config dir's parent>/logs/<listener>_access.log". */
export function defaultAccessLogPath(logBaseDir: string, listenerName: string): string {
  return nodePath.join(logBaseDir, `${listenerName}_access.log`);
}

const DEFAULT_MIN_LENGTH = 8 * 1024;
const DEFAULT_MAX_LENGTH = 16 * 1024 * 1024;
const DEFAULT_FLUSH_INTERVAL_MS = 1000;

// sonic-boom is pino's destination (a dependency of pino, hoisted). Used directly rather than through
// pino.destination(): pino's exit hook calls flushSync() on every destination and throws ("sonic
// boom is not ready yet") at exit for a file whose asynchronous open failed or is still pending.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const SonicBoomCtor = require('sonic-boom') as typeof import('sonic-boom').SonicBoom;
type Destination = InstanceType<typeof SonicBoomCtor>;

/** A buffered, asynchronous destination shared by every access log writing to the same place. */
class SharedWriter {
  refs = 0;
  dropped = 0;
  errors = 0;
  lastError: Error | undefined = undefined;
  /** The file is open (always true for stdout/stderr). Until then writes are buffered. */
  ready: boolean;
  /** Opening the file failed: nothing can be written (lines are counted as dropped). */
  broken = false;
  private closed?: Promise<void>;
  private timer: NodeJS.Timeout | undefined;
  /** One entry per access log that asked (the same function may be there several times). */
  private readonly errorHandlers: ((err: Error, logPath: string) => void)[] = [];

  constructor(
    readonly key: string,
    readonly stream: Destination,
    private readonly isFd: boolean,
    flushIntervalMs: number,
  ) {
    this.ready = isFd;
    if (flushIntervalMs > 0) {
      // A buffer below minLength is written at the latest after this interval (SonicBoom's own
      // periodicFlush would keep running for a file that never opened).
      this.timer = setInterval(() => {
        if (this.ready && !this.broken && !this.closed) {
          try {
            this.stream.flush();
          } catch {
            // destroyed: nothing to flush
          }
        }
      }, flushIntervalMs);
      this.timer.unref();
    }
    stream.on('ready', () => {
      this.ready = true;
    });
    stream.on('drop', () => {
      this.dropped++;
    });
    // Without a listener an 'error' would throw out of the event loop.
    stream.on('error', (err: Error & { code?: string }) => {
      this.errors++;
      this.lastError = err;
      // The open failed, or the reader of our pipe went away: stop writing.
      if (!this.ready || err.code === 'EPIPE') {
        this.broken = true;
        this.stopTimer();
      }
      for (const h of this.errorHandlers.slice()) {
        try {
          h(err, key);
        } catch {
          // a reporting hook must not break logging
        }
      }
    });
  }

  private stopTimer(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  write(line: string): void {
    if (this.broken) {
      this.dropped++;
      return;
    }
    this.stream.write(line);
  }

  addErrorHandler(h: ((err: Error, logPath: string) => void) | undefined): void {
    if (h) this.errorHandlers.push(h);
  }

  removeErrorHandler(h: ((err: Error, logPath: string) => void) | undefined): void {
    if (!h) return;
    const i = this.errorHandlers.indexOf(h);
    if (i >= 0) this.errorHandlers.splice(i, 1);
  }

  /** Writes what is buffered; resolves once it reached the file/pipe. */
  flush(): Promise<void> {
    if (this.closed) return this.closed;
    if (this.broken) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        this.stream.off('error', done);
        resolve();
      };
      this.stream.once('error', done);
      try {
        this.stream.flush(done);
      } catch {
        done();
      }
    });
  }

  /** Reopens the file by its path (after rotation moved it away); no-op for stdout/stderr. */
  reopen(): void {
    if (this.isFd || this.closed || this.broken) return;
    try {
      this.stream.reopen();
    } catch {
      // destroyed meanwhile
    }
  }

  /** At process exit: writes the buffer synchronously (no event loop any more). */
  flushAtExit(): void {
    if (this.closed || this.broken || !this.ready) return;
    try {
      this.stream.flushSync();
    } catch {
      // exiting anyway
    }
  }

  /** Flushes and closes (stdout/stderr are flushed, never closed: SonicBoom leaves fds 1 and 2 open). */
  close(): Promise<void> {
    if (!this.closed) {
      this.stopTimer();
      const stream = this.stream;
      this.closed = new Promise<void>((resolve) => {
        if (this.broken && !this.ready) {
          // Never opened: there is no fd to close (and SonicBoom would wait for 'ready' forever).
          stream.removeAllListeners('ready');
          resolve();
          return;
        }
        stream.once('close', () => resolve());
        stream.once('error', () => resolve());
        try {
          stream.end();
        } catch {
          resolve();
        }
      });
    }
    return this.closed;
  }
}

const writers = new Map<string, SharedWriter>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Lines still buffered when the process exits without close() are written synchronously.
  process.on('exit', () => {
    for (const w of writers.values()) w.flushAtExit();
  });
}

function normaliseTarget(logPath: string): { key: string; fd?: number; file?: string } | { unsupported: string } {
  switch (logPath) {
    case 'stdout':
    case '/dev/stdout':
      return { key: 'stdout', fd: 1 };
    case 'stderr':
    case '/dev/stderr':
      return { key: 'stderr', fd: 2 };
    case 'syslog':
      return { unsupported: 'syslog output is not supported; use a file, "stdout" or "stderr"' };
    default:
      if (/^(tcp|udp|unix):\/\//.test(logPath) || logPath.startsWith('syslog')) {
        return { unsupported: 'syslog output is not supported; use a file, "stdout" or "stderr"' };
      }
      return { key: nodePath.resolve(logPath), file: nodePath.resolve(logPath) };
  }
}

/**
 * One MOSN access log: a compiled format and a buffered writer. `log()` renders the record and
 * hands the line to the writer's buffer — no I/O happens in the call; the buffer is written when
 * it holds `minLength` bytes, every `flushIntervalMs`, on `close()`, and at process exit.
 */
export class AccessLog {
  private static disabled = false;

  /** The log_path in effect ("stdout", "stderr" or an absolute file path). */
  readonly logPath: string;
  /** The log_format in effect (MOSN's default when the config has none). */
  readonly format: string;
  /** The compiled format; the same function for every line. */
  readonly formatter: AccessLogFormatter;
  private writer: SharedWriter | undefined;
  private readonly onError: ((err: Error, logPath: string) => void) | undefined;

  private constructor(logPath: string, format: string, formatter: AccessLogFormatter, writer: SharedWriter, onError?: (err: Error, logPath: string) => void) {
    this.logPath = logPath;
    this.format = format;
    this.formatter = formatter;
    this.writer = writer;
    this.onError = onError;
  }

  /**
   * Builds an access log from a listener's `access_logs[i]`. `path` is that entry's JSON path
   * (e.g. "servers[0].listeners[0].access_logs[0]"); problems are pushed as
   * "<path>.log_format: unknown variable %foo%" and undefined is returned.
   */
  static create(config: AccessLogConfig, path: string, problems: string[], options: AccessLogOptions = {}): AccessLog | undefined {
    const before = problems.length;
    const cfg: AccessLogConfig = config ?? {};
    if (cfg.log_path !== undefined && typeof cfg.log_path !== 'string') {
      problems.push(`${path}.log_path: must be a string`);
    }
    if (cfg.log_format !== undefined && typeof cfg.log_format !== 'string') {
      problems.push(`${path}.log_format: must be a string`);
    }
    if (problems.length > before) return undefined;

    const minLength = options.minLength ?? DEFAULT_MIN_LENGTH;
    const maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
    const flushIntervalMs = options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
    if (!(Number.isInteger(minLength) && minLength >= 0 && minLength < 16 * 1024)) {
      problems.push(`${path}: access log buffer minLength must be an integer in [0, 16384), got ${minLength}`);
    }
    if (!(Number.isInteger(maxLength) && maxLength >= 0)) {
      problems.push(`${path}: access log buffer maxLength must be a non-negative integer, got ${maxLength}`);
    }
    if (!(Number.isInteger(flushIntervalMs) && flushIntervalMs >= 0)) {
      problems.push(`${path}: access log flush interval must be a non-negative integer, got ${flushIntervalMs}`);
    }

    const format = cfg.log_format === undefined || cfg.log_format === '' ? DEFAULT_ACCESS_LOG_FORMAT : cfg.log_format;
    const formatter = compileAccessLogFormat(format, `${path}.log_format`, problems, {
      lineTerminator: '\n',
      unknownVariables: options.unknownVariables,
    });

    const requested = cfg.log_path === undefined || cfg.log_path === '' ? options.defaultLogPath ?? 'stderr' : cfg.log_path;
    const target = normaliseTarget(requested);
    if ('unsupported' in target) {
      problems.push(`${path}.log_path: ${JSON.stringify(requested)}: ${target.unsupported}`);
      return undefined;
    }
    let writer = writers.get(target.key);
    // A writer whose file never opened is not reused: a new config gets a new attempt.
    if (writer !== undefined && writer.broken && target.file !== undefined) writer = undefined;
    if (target.file !== undefined && writer === undefined) {
      // Open once synchronously (config time, not the data path) so a bad path is a config
      // problem with its reason, not an asynchronous error after the listener started.
      try {
        fs.mkdirSync(nodePath.dirname(target.file), { recursive: true });
        fs.closeSync(fs.openSync(target.file, 'a'));
      } catch (err) {
        problems.push(`${path}.log_path: cannot open ${JSON.stringify(requested)}: ${(err as Error).message}`);
      }
    }
    if (problems.length > before || formatter === undefined) return undefined;

    if (writer === undefined) {
      const stream = new SonicBoomCtor({
        dest: target.fd ?? target.file,
        sync: false,
        append: true,
        mkdir: true,
        minLength,
        maxLength,
      });
      writer = new SharedWriter(target.key, stream, target.fd !== undefined, flushIntervalMs);
      writers.set(target.key, writer);
      installExitHook();
    }
    writer.refs++;
    writer.addErrorHandler(options.onError);
    return new AccessLog(target.key, format, formatter, writer, options.onError);
  }

  /** Stops every access log from writing (MOSN's DisableAllAccessLog). */
  static disableAll(): void {
    AccessLog.disabled = true;
  }

  /** Undoes disableAll (MOSN's EnableAllAccessLog). */
  static enableAll(): void {
    AccessLog.disabled = false;
  }

  static get allDisabled(): boolean {
    return AccessLog.disabled;
  }

  /**
   * Reopens every access log file by its path, for log rotation (move the file away, then call
   * this: later lines go to a new file at the configured path; lines buffered at that moment land
   * in one of the two, none is lost).
   */
  static reopenAll(): void {
    for (const w of writers.values()) w.reopen();
  }

  /** Writes one line for the record. Never blocks on I/O; after close() it does nothing. */
  log(record: RequestLogRecord): void {
    const w = this.writer;
    if (w === undefined || AccessLog.disabled) return;
    w.write(this.formatter(record));
  }

  /** Lines dropped because the writer's buffer was full (shared by logs on the same path). */
  get dropped(): number {
    return this.writer?.dropped ?? 0;
  }

  /** Write errors seen on this log's destination. */
  get errors(): number {
    return this.writer?.errors ?? 0;
  }

  get closed(): boolean {
    return this.writer === undefined;
  }

  /** Writes out what is buffered. */
  flush(): Promise<void> {
    return this.writer?.flush() ?? Promise.resolve();
  }

  /**
   * Stops logging; when this was the last log on its path, flushes the buffer and closes the file.
   * Safe to call twice.
   */
  async close(): Promise<void> {
    const w = this.writer;
    if (w === undefined) return;
    this.writer = undefined;
    w.removeErrorHandler(this.onError);
    w.refs--;
    if (w.refs > 0) {
      await w.flush();
      return;
    }
    if (writers.get(w.key) === w) writers.delete(w.key);
    await w.close();
  }
}
