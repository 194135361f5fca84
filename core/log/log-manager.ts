import pino from 'pino';
import type { Logger } from 'pino';
import { openLogDestination, type LogDestination } from './log-destination';
import { mosnLevelOf, parseMosnLevel, pinoLevelOf, type MosnLevelName } from './mosn-log-level';

export interface LogManagerOptions {
  /** MOSN's default_log_path: "stdout", "stderr" or a file path. Empty means "stdout". */
  path: string;
  /** MOSN level name (FATAL/ERROR/WARN/INFO/DEBUG/TRACE). */
  level: string;
}

/** Called by close() for a registered log that owns something to flush or close. */
export type LogCloser = () => Promise<void>;

/** A log known by its path, as MOSN's logger manager knows its loggers. */
interface ManagedLog {
  readonly logger: Logger;
  /** The level the log has when enabled; kept while it is disabled so enable restores it. */
  level: MosnLevelName;
  disabled: boolean;
  readonly close?: LogCloser;
}

/**
 * The process's logs by path: the server (default) log it creates, plus logs registered later
 * (listener or access logs). Level changes and enable/disable act on the pino logger itself; child
 * loggers follow because pino children read the level through their parent unless given their own.
 */
export class LogManager {
  /** The server log. Hand out children of it rather than new loggers. */
  readonly logger: Logger;
  /** The path the server log was opened with; the admin API addresses it by this name. */
  readonly defaultPath: string;
  private readonly logs = new Map<string, ManagedLog>();
  private closing?: Promise<void>;

  constructor(opts: LogManagerOptions) {
    const level = parseMosnLevel(opts.level);
    if (!level) throw new Error(`unknown log level "${opts.level}"`);
    this.defaultPath = opts.path === '' ? 'stdout' : opts.path;
    const destination: LogDestination = openLogDestination(this.defaultPath);
    this.logger = pino(
      {
        level: pinoLevelOf(level),
        timestamp: pino.stdTimeFunctions.isoTime,
        // Level names in lines, so a grep for "debug" works without knowing pino's numbers.
        formatters: { level: (label) => ({ level: label }) },
      },
      destination.stream,
    );
    this.logs.set(this.defaultPath, { logger: this.logger, level, disabled: false, close: destination.close });
  }

  child(bindings: Record<string, unknown>): Logger {
    return this.logger.child(bindings);
  }

  /** Adds a log under `path`; its current level is taken as its enabled level. */
  register(path: string, logger: Logger, close?: LogCloser): void {
    if (this.logs.has(path)) throw new Error(`log "${path}" is already registered`);
    const disabled = logger.level === 'silent';
    const level = mosnLevelOf(logger.level) ?? 'INFO';
    this.logs.set(path, { logger, level, disabled, close });
  }

  /** Forgets a registered log (without closing it). The server log cannot be removed. */
  unregister(path: string): boolean {
    if (path === this.defaultPath) return false;
    return this.logs.delete(path);
  }

  /** Log path → MOSN level name, the shape of MOSN's /api/v1/get_loglevel. */
  getLevels(): Record<string, string> {
    const levels: Record<string, string> = {};
    for (const [path, log] of this.logs) levels[path] = log.level;
    return levels;
  }

  /** Sets the level of the log at `path` (the server log when undefined or empty). */
  setLevel(path: string | undefined, level: string): boolean {
    const name = parseMosnLevel(level);
    const log = this.logs.get(path ? path : this.defaultPath);
    if (!name || !log) return false;
    log.level = name;
    if (!log.disabled) log.logger.level = pinoLevelOf(name);
    return true;
  }

  enable(path: string): boolean {
    return this.toggle(path, false);
  }

  /** A disabled log writes nothing until enabled again; its level is kept. */
  disable(path: string): boolean {
    return this.toggle(path, true);
  }

  /** Flushes and closes every log that owns a destination. Safe to call more than once. */
  close(): Promise<void> {
    if (!this.closing) {
      const closers = [...this.logs.values()].flatMap((log) => (log.close ? [log.close] : []));
      this.closing = Promise.all(closers.map((close) => close())).then(() => undefined);
    }
    return this.closing;
  }

  private toggle(path: string, disabled: boolean): boolean {
    const log = this.logs.get(path);
    if (!log) return false;
    log.disabled = disabled;
    log.logger.level = disabled ? 'silent' : pinoLevelOf(log.level);
    return true;
  }
}
