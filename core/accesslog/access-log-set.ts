import { AccessLog, type AccessLogConfig, type AccessLogOptions } from './access-log';
import type { RequestLogRecord } from './request-log-record';

/**
 * The access logs of one listener (`access_logs[]`), built once per listener config and used by
 * every stream of it. The proxy calls `log(record)` when a stream ends (MOSN: downStream.writeLog).
 */
export class AccessLogSet {
  /** A set with no logs, for listeners without access_logs (`log` is then a no-op). */
  static readonly EMPTY: AccessLogSet = new AccessLogSet([]);

  private constructor(private readonly logs: readonly AccessLog[]) {}

  /**
   * Builds the logs of `configs`; `path` is the JSON path of the access_logs array (e.g.
   * "servers[0].listeners[0].access_logs"), each entry reported as `${path}[i]`. If any entry
   * has a problem, the ones already opened are closed and undefined is returned.
   */
  static create(
    configs: readonly AccessLogConfig[] | undefined,
    path: string,
    problems: string[],
    options: AccessLogOptions = {},
  ): AccessLogSet | undefined {
    if (configs === undefined || configs.length === 0) return AccessLogSet.EMPTY;
    if (!Array.isArray(configs)) {
      problems.push(`${path}: must be an array`);
      return undefined;
    }
    const before = problems.length;
    const logs: AccessLog[] = [];
    for (let i = 0; i < configs.length; i++) {
      const log = AccessLog.create(configs[i], `${path}[${i}]`, problems, options);
      if (log) logs.push(log);
    }
    if (problems.length > before) {
      for (const l of logs) void l.close();
      return undefined;
    }
    return new AccessLogSet(logs);
  }

  get size(): number {
    return this.logs.length;
  }

  /** The logs, in config order. */
  get entries(): readonly AccessLog[] {
    return this.logs;
  }

  /** Writes the record to every log of the set. */
  log(record: RequestLogRecord): void {
    const logs = this.logs;
    for (let i = 0; i < logs.length; i++) logs[i].log(record);
  }

  flush(): Promise<void> {
    return Promise.all(this.logs.map((l) => l.flush())).then(() => undefined);
  }

  /** Closes every log (files shared with other listeners stay open for them). */
  close(): Promise<void> {
    return Promise.all(this.logs.map((l) => l.close())).then(() => undefined);
  }
}
