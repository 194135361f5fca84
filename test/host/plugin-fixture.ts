import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Logger, ProvidedFactory } from '../../plugin-sdk';
import { buildPlugin } from '../../plugin-sdk/cli/plugin-builder';

/** A plugin folder to write in a test: plugin.json fields plus the source of src/index.ts. */
export interface PluginSpec {
  name: string;
  version?: string;
  main?: string;
  engines?: { mosn: string };
  provides: ProvidedFactory[];
  source: string;
}

let tempRoot: string | undefined;

/** A fresh temporary plugins directory; all of them go when the process exits. */
export function makePluginsDir(): string {
  if (!tempRoot) {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mosn-plugins-'));
    process.on('exit', () => fs.rmSync(root, { recursive: true, force: true }));
    tempRoot = root;
  }
  return fs.mkdtempSync(path.join(tempRoot, 'dir-'));
}

/** Writes `<pluginsDir>/<folder>/{plugin.json,src/index.ts}` (folder defaults to the name). */
export function writePlugin(pluginsDir: string, spec: PluginSpec, folder = spec.name): string {
  const dir = path.join(pluginsDir, folder);
  fs.mkdirSync(path.join(dir, 'src'), { recursive: true });
  const manifest = {
    name: spec.name,
    version: spec.version ?? '1.0.0',
    main: spec.main ?? 'dist/index.js',
    engines: spec.engines ?? { mosn: '^1.0.0' },
    provides: spec.provides,
  };
  fs.writeFileSync(path.join(dir, 'plugin.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, 'src', 'index.ts'), spec.source);
  return dir;
}

/** Writes a plugin folder and builds it with the real `mosn-plugin build` code. */
export async function writeBuiltPlugin(pluginsDir: string, spec: PluginSpec, folder?: string): Promise<string> {
  const dir = writePlugin(pluginsDir, spec, folder);
  await buildPlugin(dir);
  return dir;
}

/** Reads a plugin folder's plugin.json. */
export function readManifestJson(dir: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(dir, 'plugin.json'), 'utf8')) as Record<string, unknown>;
}

/** Rewrites a plugin folder's plugin.json. */
export function writeManifestJson(dir: string, manifest: Record<string, unknown>): void {
  fs.writeFileSync(path.join(dir, 'plugin.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** Replaces the built bundle with `code` and records its sha256, as if a broken build had made it. */
export function replaceBundle(dir: string, code: string): void {
  const manifest = readManifestJson(dir);
  const main = path.join(dir, String(manifest.main));
  fs.mkdirSync(path.dirname(main), { recursive: true });
  fs.writeFileSync(main, code);
  manifest.sha256 = createHash('sha256').update(code).digest('hex');
  writeManifestJson(dir, manifest);
}

/** One line a {@link RecordingLogger} received, with the bindings of the child it came through. */
export interface LogRecord {
  level: 'error' | 'warn' | 'info' | 'debug' | 'trace';
  fields: Record<string, unknown>;
  msg?: string;
}

/** An SDK Logger that keeps every line in `records`, shared with its children. */
export interface RecordingLogger extends Logger {
  readonly records: LogRecord[];
}

/** Makes a {@link RecordingLogger}. */
export function recordingLogger(records: LogRecord[] = [], bindings: Record<string, unknown> = {}): RecordingLogger {
  const line =
    (level: LogRecord['level']) =>
    (obj: object | string, msg?: string): void => {
      if (typeof obj === 'string') records.push({ level, fields: { ...bindings }, msg: obj });
      else records.push({ level, fields: { ...bindings, ...obj }, msg });
    };
  return {
    records,
    error: line('error'),
    warn: line('warn'),
    info: line('info'),
    debug: line('debug'),
    trace: line('trace'),
    child: (more) => recordingLogger(records, { ...bindings, ...more }),
  };
}

/** A network filter `sample_filter` whose config needs a string `cluster`. */
export const SAMPLE_FILTER: ProvidedFactory = {
  kind: 'network_filter',
  name: 'sample_filter',
  configSchema: {
    type: 'object',
    required: ['cluster'],
    properties: { cluster: { type: 'string' } },
    additionalProperties: false,
  },
};

/** Source of a plugin registering `sample_filter`; the factory exposes the SDK's FilterStatus it saw. */
export const SAMPLE_FILTER_SOURCE = `
import { FilterStatus, definePlugin } from 'mosn-plugin-sdk';

const sampleFilter = {
  statusEnum: FilterStatus,
  createFilterChainFactory(config: { cluster: string }) {
    return {
      createFilterChain(_connection: unknown, manager: { addReadFilter(f: { onData(): FilterStatus }): void }) {
        manager.addReadFilter({ onData: () => FilterStatus.Continue });
      },
      cluster: config.cluster,
    };
  },
};

export = definePlugin({
  activate(ctx) {
    ctx.logger.info('activating');
    ctx.registerNetworkFilter('sample_filter', sampleFilter);
  },
});
`;

/** Source of a plugin that registers each of `names` as a network filter (an echo-less no-op). */
export function networkFiltersSource(names: string[], after = ''): string {
  return `
import { definePlugin } from 'mosn-plugin-sdk';
const factory = { createFilterChainFactory: () => ({ createFilterChain() {} }) };
export = definePlugin({
  async activate(ctx) {
    for (const name of ${JSON.stringify(names)}) ctx.registerNetworkFilter(name, factory);
    ${after}
  },
});
`;
}

/** `provides` entries for network filters named `names`, without config schemas. */
export function networkFilters(...names: string[]): ProvidedFactory[] {
  return names.map((name) => ({ kind: 'network_filter', name }));
}
