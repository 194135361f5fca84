import type { FactoryKind } from '../../api/plugin';

/** What `mosn-plugin new --kind K` writes for kind K; `name` is the plugin's (and its factory's) name. */
export interface PluginTemplate {
  readonly kind: FactoryKind;
  /** plugin.json's description. */
  description(name: string): string;
  /** The factory's configSchema in plugin.json (protocols take no config block). */
  readonly configSchema?: object;
  /** src/index.ts */
  source(name: string): string;
  /** test/<name>.test.ts, run by `mosn-plugin test` against the SDK's harness. */
  test(name: string): string;
}
