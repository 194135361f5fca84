import type { Logger } from '../api/logger';

/** One line a plugin logged in the harness. */
export interface TestLogRecord {
  level: 'error' | 'warn' | 'info' | 'debug' | 'trace';
  msg: string | undefined;
  /** Fields of the line, with those of the child logger it came through. */
  fields: Record<string, unknown>;
}

/** A Logger that keeps every line (shared with its children) so tests can assert on logging. */
export interface TestLogger extends Logger {
  readonly records: TestLogRecord[];
}

export function createTestLogger(records: TestLogRecord[] = [], bindings: Record<string, unknown> = {}): TestLogger {
  const line =
    (level: TestLogRecord['level']) =>
    (obj: object | string, msg?: string): void => {
      if (typeof obj === 'string') records.push({ level, msg: obj, fields: { ...bindings } });
      else records.push({ level, msg, fields: { ...bindings, ...obj } });
    };
  return {
    records,
    error: line('error'),
    warn: line('warn'),
    info: line('info'),
    debug: line('debug'),
    trace: line('trace'),
    child: (more) => createTestLogger(records, { ...bindings, ...more }),
  };
}
