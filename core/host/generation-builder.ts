import type { Logger } from '../../plugin-sdk';
import { setMemberMismatch, type PluginSetFile } from '../../plugin-sdk/cli/registry-files';
import type { PluginHealth } from './plugin-health';
import { PluginGeneration } from './plugin-generation';
import { describeError, loadPlugin, PluginLoadError } from './plugin-loader';
import type { ScannedPlugin } from './plugin-scan';

/** Why a folder could not become a generation, with what is known of the plugin. */
export interface BuildRefusal {
  readonly reason: string;
  /** Set only when plugin.json validated (else reports use the folder name). */
  readonly name?: string;
  readonly version?: string;
  /** The files it was refused for (absent: refused because of its batch, not its files). */
  readonly fingerprint?: string;
}

/**
 * Turns a scanned plugin folder into a staged generation: the set's lock (when the host has a
 * set), then the loader's steps (manifest, API range, sha256, schemas, evaluate, activate).
 * Nothing here touches the registry; a staged generation is committed or disposed by the host.
 */
export class GenerationBuilder {
  constructor(
    private readonly apiVersion: string,
    private readonly logger: Logger,
    private readonly health: PluginHealth,
  ) {}

  /** Builds generation `number` of the folder, or says why it cannot. */
  async build(scan: ScannedPlugin, number: number, set: PluginSetFile | undefined): Promise<PluginGeneration | BuildRefusal> {
    if (set && scan.name !== undefined) {
      const mismatch = setMemberMismatch(set, { name: scan.name, version: scan.version, sha256: scan.sha256 });
      if (mismatch) return { reason: mismatch, name: scan.name, version: scan.version, fingerprint: scan.fingerprint };
    }
    try {
      const loaded = await loadPlugin(scan.dir, {
        apiVersion: this.apiVersion,
        logger: this.logger,
        describe: (m) => `plugin ${JSON.stringify(m.name)} generation ${number}`,
        onCallbackError: (m, error, where) => this.callbackFailed(m.name, error, where),
      });
      return new PluginGeneration(loaded, number, scan.fingerprint, this.logger);
    } catch (err) {
      const manifest = err instanceof PluginLoadError ? err.manifest : undefined;
      return { reason: (err as Error).message, name: manifest?.name, version: manifest?.version, fingerprint: scan.fingerprint };
    }
  }

  /** A throw from a plugin callback the host ran (timer, server listener): counted, logged, contained. */
  private callbackFailed(plugin: string, error: unknown, where: string): void {
    this.logger.error({ plugin, where, err: describeError(error) }, `plugin ${JSON.stringify(plugin)}: ${where} threw`);
    this.health.recordError(plugin, error);
  }
}
