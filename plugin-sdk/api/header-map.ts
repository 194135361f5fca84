/**
 * Request or response headers of any protocol. Names compare case-insensitively and keep the
 * case they were added with (HTTP/1 peers see what they sent). Order is kept; a name may repeat.
 *
 * Pseudo-headers carry what is not a header on HTTP/1: `:method`, `:path`, `:authority`,
 * `:scheme` on requests and `:status` on responses (as in HTTP/2). RPC protocols use plain names
 * (e.g. bolt's `service`). Encoders skip names starting with ':' where the wire has no place for them.
 */
export class HeaderMap {
  /** Lowercased names, for lookups. */
  private keys: string[] = [];
  private names: string[] = [];
  private values: string[] = [];

  /** Builds a map from `[name, value, name, value, ...]` (the shape Node's rawHeaders has). */
  static fromFlat(flat: readonly string[]): HeaderMap {
    const h = new HeaderMap();
    for (let i = 0; i + 1 < flat.length; i += 2) h.add(flat[i], flat[i + 1]);
    return h;
  }

  /** Builds a map from an object (array values become repeated headers). */
  static fromObject(obj: Readonly<Record<string, string | readonly string[] | undefined>>): HeaderMap {
    const h = new HeaderMap();
    for (const name of Object.keys(obj)) {
      const v = obj[name];
      if (v === undefined) continue;
      if (typeof v === 'string') h.add(name, v);
      else for (const item of v) h.add(name, item);
    }
    return h;
  }

  /** Number of entries (repeated names count each time). */
  get size(): number {
    return this.keys.length;
  }

  /** The first value of `name`, or undefined. */
  get(name: string): string | undefined {
    const i = this.keys.indexOf(name.toLowerCase());
    return i < 0 ? undefined : this.values[i];
  }

  /** Every value of `name`, in order. */
  getAll(name: string): string[] {
    const key = name.toLowerCase();
    const out: string[] = [];
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] === key) out.push(this.values[i]);
    return out;
  }

  has(name: string): boolean {
    return this.keys.indexOf(name.toLowerCase()) >= 0;
  }

  /** Replaces every value of `name` with one value (kept at the first one's position). */
  set(name: string, value: string): void {
    const key = name.toLowerCase();
    const i = this.keys.indexOf(key);
    if (i < 0) {
      this.push(key, name, value);
      return;
    }
    this.values[i] = value;
    for (let j = this.keys.length - 1; j > i; j--) if (this.keys[j] === key) this.removeAt(j);
  }

  /** Adds a value, keeping existing ones. */
  add(name: string, value: string): void {
    this.push(name.toLowerCase(), name, value);
  }

  /** Removes every value of `name`; returns whether there was one. */
  remove(name: string): boolean {
    const key = name.toLowerCase();
    let found = false;
    for (let j = this.keys.length - 1; j >= 0; j--) {
      if (this.keys[j] === key) {
        this.removeAt(j);
        found = true;
      }
    }
    return found;
  }

  /** Calls `fn` for each entry in order, with the name as added. */
  forEach(fn: (value: string, name: string) => void): void {
    for (let i = 0; i < this.keys.length; i++) fn(this.values[i], this.names[i]);
  }

  /** Entries as `[name, value]`, in order. */
  entries(): [string, string][] {
    return this.keys.map((_k, i) => [this.names[i], this.values[i]]);
  }

  /** A plain object: lowercased names, repeated values joined with ", " (for logs and tests). */
  toObject(): Record<string, string> {
    const o: Record<string, string> = {};
    for (let i = 0; i < this.keys.length; i++) {
      const k = this.keys[i];
      o[k] = k in o ? `${o[k]}, ${this.values[i]}` : this.values[i];
    }
    return o;
  }

  clone(): HeaderMap {
    const h = new HeaderMap();
    h.keys = this.keys.slice();
    h.names = this.names.slice();
    h.values = this.values.slice();
    return h;
  }

  private push(key: string, name: string, value: string): void {
    this.keys.push(key);
    this.names.push(name);
    this.values.push(value);
  }

  private removeAt(i: number): void {
    this.keys.splice(i, 1);
    this.names.splice(i, 1);
    this.values.splice(i, 1);
  }
}
