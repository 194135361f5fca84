import type { Logger } from '../../plugin-sdk';
import type { ListenerConfig } from '../config/config-types';
import type { GenerationRelease } from '../host/generation-set';
import type { PluginSwapEvent } from '../host/plugin-swap';
import { listenerFactoryUses, type FactoryUse } from '../host/running-config-check';
import type { Listener } from '../network/listener';
import { buildListener, type BuiltListener, type ListenerBuildContext } from './listener-builder';

/**
 * One running listener and its current build (snapshot). The slot pins every plugin generation
 * the build uses while it is current; connections and streams pin what they took on top of that.
 * A plugin swap that touches a factory the listener names rebuilds it from the new registry and
 * swaps the pointer: new connections and new streams get the new build, open ones keep the old,
 * and the old generations are disposed when the last of them lets go.
 */
export class ListenerSlot {
  private readonly uses: readonly FactoryUse[];
  private release: GenerationRelease;

  constructor(
    readonly config: ListenerConfig,
    /** JSON path of the listener in the config, for problem lines. */
    readonly path: string,
    readonly listener: Listener,
    private built: BuiltListener,
  ) {
    this.uses = listenerFactoryUses(config, path);
    this.release = built.generations.acquire();
  }

  /** Whether the swap added, replaced or removed a factory this listener names. */
  affectedBy(event: PluginSwapEvent): boolean {
    let protocols: Set<string> | undefined;
    for (const use of this.uses) {
      if (use.kind !== 'protocol') {
        if (event.affects(use.kind, use.name)) return true;
        continue;
      }
      // The proxy matches protocol names case-insensitively ("HTTP1" finds "Http1").
      protocols ??= new Set([...event.changedFactories].filter((k) => k.startsWith('protocol/')).map((k) => k.slice('protocol/'.length).toLowerCase()));
      if (protocols.has(use.name.toLowerCase())) return true;
    }
    return false;
  }

  /**
   * Rebuilds from the registry as it is now and makes the result current, in one synchronous
   * step. A build that fails (a plugin's factory refused its config) keeps the previous build
   * serving; the problems are logged and returned.
   */
  rebuild(ctx: ListenerBuildContext, logger: Logger): string[] {
    const problems: string[] = [];
    const built = this.built;
    const next = buildListener(this.config, this.path, ctx, problems, { streamFilters: built.streamFilters, accessLogs: built.accessLogs });
    if (!next) {
      logger.error({ listener: this.listener.name, problems }, `listener ${JSON.stringify(this.listener.name)} could not be rebuilt after a plugin swap; its previous filters keep serving: ${problems.join('; ')}`);
      return problems;
    }
    const release = next.generations.acquire();
    this.listener.replaceChains(next.chains);
    next.streamFilters.current = next.streamFilterSet;
    this.built = next;
    const previous = this.release;
    this.release = release;
    previous();
    logger.info({ listener: this.listener.name }, `listener ${JSON.stringify(this.listener.name)} rebuilt after a plugin swap`);
    return [];
  }

  /** Lets go of the current build's generations (shutdown). */
  close(): void {
    this.release();
  }
}
