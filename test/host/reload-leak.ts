/**
 * Leak check of plugin reloads: `node --expose-gc dist/test/host/reload-leak.js [CYCLES]`.
 *
 * Reloads a plugin that opens a timer, an interval and a listening server through its context
 * CYCLES times (default 1000), then compares, after GC, the heap and the active handles with the
 * start. Prints the figures as one JSON line; exits 1 when the heap grew by more than 5 MiB or
 * a handle was left behind, 2 when run without --expose-gc.
 *
 * Not a *.test.ts: reload-leak.test.ts runs it in a child process (it needs the flag).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Logger } from '../../plugin-sdk';
import { FactoryRegistry } from '../../core/host/factory-registry';
import { PluginHost } from '../../core/host/plugin-host';
import { MetricsRegistry } from '../../core/metrics/metrics-registry';

const HEAP_LIMIT_BYTES = 5 * 1024 * 1024;

/** The plugin, written as the CommonJS bundle `mosn-plugin build` would make (no esbuild here: its service would add handles). */
const BUNDLE = `"use strict";
const { definePlugin } = require("mosn-plugin-sdk");
// Some weight per generation, so a leaked generation shows in the heap.
const ballast = new Array(2000).fill(0).map((_, i) => ({ i, s: "generation ballast " + i }));
module.exports = definePlugin({
  async activate(ctx) {
    ctx.registerNetworkFilter("leaky", { createFilterChainFactory: () => ({ createFilterChain() {}, ballast }) });
    ctx.setTimeout(() => undefined, 3600000);
    ctx.setInterval(() => undefined, 3600000);
    const server = ctx.createServer();
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  },
});
`;

const SILENT: Logger = { error() {}, warn() {}, info() {}, debug() {}, trace() {}, child: () => SILENT };

function writePlugin(pluginsDir: string): void {
  const dir = path.join(pluginsDir, 'leaky');
  fs.mkdirSync(path.join(dir, 'dist'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'dist', 'index.js'), BUNDLE);
  const manifest = {
    name: 'leaky',
    version: '1.0.0',
    main: 'dist/index.js',
    engines: { mosn: '^1.0.0' },
    // A schema, so every generation compiles one with its own Ajv instance.
    provides: [{ kind: 'network_filter', name: 'leaky', configSchema: { type: 'object', properties: { port: { type: 'integer', minimum: 1 } } } }],
    sha256: createHash('sha256').update(BUNDLE).digest('hex'),
  };
  fs.writeFileSync(path.join(dir, 'plugin.json'), JSON.stringify(manifest, null, 2));
}

async function settle(gc: () => void): Promise<void> {
  for (let i = 0; i < 6; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  gc();
}

function handles(): string[] {
  return process.getActiveResourcesInfo().slice().sort();
}

export interface LeakFigures {
  cycles: number;
  seconds: number;
  heapStartBytes: number;
  heapEndBytes: number;
  heapDeltaBytes: number;
  handlesBeforeLoad: string[];
  handlesStart: string[];
  handlesEnd: string[];
  handlesAfterDispose: string[];
  ok: boolean;
}

async function main(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) {
    process.stderr.write('run with node --expose-gc\n');
    return 2;
  }
  const cycles = Number(process.argv[2] ?? 1000);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mosn-reload-leak-'));
  try {
    writePlugin(root);
    const registry = new FactoryRegistry();
    const host = new PluginHost({ dir: root, registry, logger: SILENT, metrics: new MetricsRegistry() });
    await settle(gc);
    const handlesBeforeLoad = handles();
    await host.loadAll();
    // Warm up: the first reloads fill caches that stay (compiled code of the host, ajv's own).
    for (let i = 0; i < 20; i++) await reloadOnce(host);
    await settle(gc);
    const heapStart = process.memoryUsage().heapUsed;
    const handlesStart = handles();
    const started = Date.now();
    for (let i = 0; i < cycles; i++) await reloadOnce(host);
    const seconds = (Date.now() - started) / 1000;
    await settle(gc);
    const heapEnd = process.memoryUsage().heapUsed;
    const handlesEnd = handles();
    await host.disposeAll();
    await settle(gc);
    const handlesAfterDispose = handles();
    const figures: LeakFigures = {
      cycles,
      seconds,
      heapStartBytes: heapStart,
      heapEndBytes: heapEnd,
      heapDeltaBytes: heapEnd - heapStart,
      handlesBeforeLoad,
      handlesStart,
      handlesEnd,
      handlesAfterDispose,
      ok:
        heapEnd - heapStart <= HEAP_LIMIT_BYTES &&
        JSON.stringify(handlesEnd) === JSON.stringify(handlesStart) &&
        JSON.stringify(handlesAfterDispose) === JSON.stringify(handlesBeforeLoad),
    };
    process.stdout.write(`${JSON.stringify(figures)}\n`);
    return figures.ok ? 0 : 1;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** One forced reload; resolves once the superseded generation is disposed (its server closed). */
async function reloadOnce(host: PluginHost): Promise<void> {
  const old = host.generation('leaky');
  const result = await host.reload(['leaky']);
  if (!result.ok) throw new Error(`reload refused: ${JSON.stringify(result.refused)}`);
  await old?.whenDisposed();
}

if (require.main === module) {
  main().then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
