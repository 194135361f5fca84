/** A structured logger (pino-compatible subset). Pass an object first to add fields to the line. */
export interface Logger {
  error(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  debug(obj: object | string, msg?: string): void;
  trace(obj: object | string, msg?: string): void;
  /** A logger whose lines carry the given fields too. */
  child(bindings: Record<string, unknown>): Logger;
}
