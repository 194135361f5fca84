import * as path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { Logger } from '../../plugin-sdk';

/** How a {@link PluginDirWatcher} waits before it reloads. */
export interface PluginWatcherOptions {
  /** Quiet time after the last change before a reload runs (default 300 ms). */
  debounceMs?: number;
  /** How long a file's size must hold still before chokidar reports the write (default 200 ms). */
  stabilityMs?: number;
  /** How often chokidar checks the size while waiting (default 50 ms). */
  pollMs?: number;
}

export const DEFAULT_WATCH_DEBOUNCE_MS = 300;
const DEFAULT_STABILITY_MS = 200;
const DEFAULT_POLL_MS = 50;

/**
 * Skipped by the watcher: dependencies, VCS data and the temporary files that `mosn-plugin build`
 * (and most editors) write before renaming over the real file.
 */
function ignored(file: string): boolean {
  const base = path.basename(file);
  return /(^|[\\/])(node_modules|\.git)([\\/]|$)/.test(file) || base.endsWith('.tmp') || base.endsWith('~') || base.startsWith('.#');
}

/**
 * Watches the plugins directory and triggers a reload when plugin files land, change or go.
 *
 * Why both waits: chokidar's awaitWriteFinish holds each file's event until the file stops
 * growing, and the debounce folds a burst of events (a `cp -r` of a folder, a build writing the
 * bundle then plugin.json) into one reload, so one drop is one transaction. A bundle caught half
 * written anyway fails its sha256 check, is refused with that reason, and is retried by the event
 * its next write produces. Reloads never overlap: events during one schedule another after it.
 */
export class PluginDirWatcher {
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;
  private readonly debounceMs: number;

  constructor(
    private readonly dir: string,
    private readonly reload: () => Promise<unknown>,
    private readonly logger: Logger,
    private readonly options: PluginWatcherOptions = {},
  ) {
    this.debounceMs = options.debounceMs ?? DEFAULT_WATCH_DEBOUNCE_MS;
  }

  /** Starts watching; resolves once chokidar has read the directory (changes after that count). */
  start(): Promise<void> {
    if (this.watcher) return Promise.resolve();
    const watcher = watch(this.dir, {
      ignoreInitial: true,
      ignored,
      awaitWriteFinish: { stabilityThreshold: this.options.stabilityMs ?? DEFAULT_STABILITY_MS, pollInterval: this.options.pollMs ?? DEFAULT_POLL_MS },
      // plugins/<folder>/<dist>/<file>: deeper trees (sources, fixtures) do not make a bundle.
      depth: 4,
    });
    this.watcher = watcher;
    watcher.on('all', (event, file) => this.changed(event, file));
    watcher.on('error', (err) => this.logger.error({ dir: this.dir, err: String(err) }, 'plugins directory watcher failed'));
    return new Promise((resolve) => watcher.once('ready', () => resolve()));
  }

  /** Stops watching; a scheduled reload is dropped, a running one is awaited. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.watcher?.close();
    this.watcher = undefined;
    await this.running;
  }

  private changed(event: string, file: string): void {
    if (this.closed) return;
    this.logger.debug({ event, file }, 'plugins directory changed');
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.fire(), this.debounceMs);
  }

  private fire(): void {
    this.timer = undefined;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.reload()
      .then(
        () => undefined,
        (err: unknown) => this.logger.error({ dir: this.dir, err: String(err) }, 'plugin reload after a directory change failed'),
      )
      .finally(() => {
        this.running = undefined;
        if (this.again && !this.closed) {
          this.again = false;
          this.fire();
        }
      });
  }
}
