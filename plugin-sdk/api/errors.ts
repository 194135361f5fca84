/**
 * Thrown by a factory that refuses its configuration. `path` is relative to the plugin's config
 * block (e.g. `cluster` or `weighted_clusters.clusters[1].name`); the kernel prefixes it with the
 * block's own location, so the user reads one full JSON path and a reason.
 */
export class ConfigError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(path ? `${path}: ${reason}` : reason);
    this.name = 'ConfigError';
  }

  /** Works across two copies of the SDK (a plugin that bundled its own). */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as { name?: unknown }).name === 'ConfigError' && 'reason' in value;
  }
}
