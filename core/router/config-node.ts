import { parseDuration } from '../../plugin-sdk/api/duration';
import { joinPath } from '../../plugin-sdk/schema/schema-errors';

/**
 * One object of the router config with its dotted path, reading fields type-checked. A wrong
 * field is reported as `path: reason` into the shared problems list and read as absent, so one
 * pass over a config reports every problem instead of stopping at the first (as the schema does).
 * JSON null reads as absent: Go's decoder treats it as the zero value, and so do we.
 */
export class ConfigNode {
  private constructor(
    readonly value: Readonly<Record<string, unknown>>,
    readonly path: string,
    readonly problems: string[],
  ) {}

  /** The node for `value`, or undefined (and a problem) when it is not a JSON object. */
  static of(value: unknown, path: string, problems: string[]): ConfigNode | undefined {
    if (isPlainObject(value)) return new ConfigNode(value, path, problems);
    problems.push(`${path}: must be an object, got ${describe(value)}`);
    return undefined;
  }

  /** The path of a field of this node. */
  at(key: string): string {
    return joinPath(this.path, key);
  }

  /** Reports `path.key: reason` (or `path: reason` with key ''). */
  problem(key: string, reason: string): void {
    this.problems.push(`${key ? this.at(key) : this.path}: ${reason}`);
  }

  has(key: string): boolean {
    const v = this.value[key];
    return v !== undefined && v !== null;
  }

  raw(key: string): unknown {
    const v = this.value[key];
    return v === null ? undefined : v;
  }

  string(key: string): string | undefined {
    const v = this.raw(key);
    if (v === undefined || typeof v === 'string') return v;
    this.problem(key, `must be a string, got ${describe(v)}`);
    return undefined;
  }

  boolean(key: string): boolean | undefined {
    const v = this.raw(key);
    if (v === undefined || typeof v === 'boolean') return v;
    this.problem(key, `must be a boolean, got ${describe(v)}`);
    return undefined;
  }

  integer(key: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v;
    this.problem(key, `must be an integer from ${min}${max === Number.MAX_SAFE_INTEGER ? '' : ` to ${max}`}, got ${describe(v)}`);
    return undefined;
  }

  /**
   * A Go duration string in milliseconds. MOSN's DurationConfig runs time.ParseDuration on the
   * JSON text with quotes trimmed, so a bare 0 is accepted and any other number is not.
   */
  duration(key: string): number | undefined {
    const v = this.raw(key);
    if (v === undefined || v === 0) return v;
    const ms = typeof v === 'string' ? parseDuration(v) : undefined;
    if (ms !== undefined) return ms;
    this.problem(key, `${describe(v)} is not a valid duration (write it like "5s", "1m30s" or "500ms")`);
    return undefined;
  }

  object(key: string): ConfigNode | undefined {
    const v = this.raw(key);
    return v === undefined ? undefined : ConfigNode.of(v, this.at(key), this.problems);
  }

  /** The items of an array field with their paths; a non-array is reported and reads as []. */
  items(key: string): { value: unknown; path: string }[] {
    const v = this.raw(key);
    if (v === undefined) return [];
    if (!Array.isArray(v)) {
      this.problem(key, `must be an array, got ${describe(v)}`);
      return [];
    }
    return v.map((value, i) => ({ value, path: `${this.at(key)}[${i}]` }));
  }

  /** An array of objects; items that are not objects are reported and skipped. */
  objects(key: string): ConfigNode[] {
    const out: ConfigNode[] = [];
    for (const item of this.items(key)) {
      const node = ConfigNode.of(item.value, item.path, this.problems);
      if (node) out.push(node);
    }
    return out;
  }

  /** An array of strings; other items are reported and skipped. */
  strings(key: string): string[] {
    const out: string[] = [];
    for (const item of this.items(key)) {
      if (typeof item.value === 'string') out.push(item.value);
      else this.problems.push(`${item.path}: must be a string, got ${describe(item.value)}`);
    }
    return out;
  }
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A value as a problem line quotes it. */
export function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'an array';
  if (isPlainObject(v)) return 'an object';
  return JSON.stringify(v);
}
