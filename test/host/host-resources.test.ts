import assert from 'node:assert/strict';
import * as net from 'node:net';
import { describe, it } from 'node:test';
import { networkFilters, writeBuiltPlugin } from './plugin-fixture';
import { hostFixture, waitFor } from './reload-fixture';

const g = globalThis as Record<string, unknown>;

/** Counts of active handles by type (timers, TCP servers and sockets...). */
function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
  return counts;
}

/**
 * A plugin that opens, through its context: a timeout, an interval, a listening server with one
 * accepted connection, an outbound socket to it, and two dispose hooks. It hands the objects to the
 * test through globalThis.__res.
 */
const RESOURCEFUL = `
import { definePlugin } from 'mosn-plugin-sdk';
const factory = { createFilterChainFactory: () => ({ createFilterChain() {} }) };
// Per generation: each evaluation of the bundle has its own module scope.
const order: string[] = [];
export = definePlugin({
  async activate(ctx) {
    ctx.registerNetworkFilter('res', factory);
    ctx.setTimeout(() => order.push('timeout fired'), 60_000);
    ctx.setInterval(() => order.push('tick'), 60_000);
    const server = ctx.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const port = (server.address() as { port: number }).port;
    const accepted = new Promise<void>((resolve) => server.once('connection', () => resolve()));
    const socket = ctx.connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    await accepted;
    ctx.onDispose(() => { order.push('first hook'); });
    ctx.onDispose(async () => { await new Promise((r) => setTimeout(r, 5)); order.push('second hook'); });
    (globalThis as Record<string, unknown>).__res = { ctx, server, socket, order };
  },
  deactivate() { order.push('deactivate'); },
});
`;

interface Res {
  ctx: { setTimeout(cb: () => void, ms: number): unknown };
  server: net.Server;
  socket: net.Socket;
  order: string[];
}

describe('host-owned plugin resources', { timeout: 30_000 }, () => {
  it('closes timers, intervals, servers, accepted and outbound sockets when the generation is disposed', async () => {
    const before = activeResources();
    const f = hostFixture();
    await writeBuiltPlugin(f.dir, { name: 'resourceful', provides: networkFilters('res'), source: RESOURCEFUL });
    try {
      const [report] = await f.host.loadAll();
      assert.equal(report.state, 'loaded', report.error);
      const res = g.__res as Res;
      const gen = f.host.generation('resourceful')!;
      assert.deepEqual(gen.resourceCounts(), { timeouts: 1, intervals: 1, servers: 1, sockets: 2, disposeHooks: 2 });
      assert.ok(res.server.listening);

      await f.host.reload(['resourceful']);
      await gen.whenDisposed();
      assert.deepEqual(res.order, ['deactivate', 'second hook', 'first hook'], 'deactivate, then hooks last-registered first');
      assert.deepEqual(gen.resourceCounts(), { timeouts: 0, intervals: 0, servers: 0, sockets: 0, disposeHooks: 0 });
      assert.equal(res.server.listening, false);
      assert.ok(res.socket.destroyed);
      assert.throws(() => res.ctx.setTimeout(() => undefined, 1), /plugin "resourceful" generation 1 is disposed; setTimeout is no longer available/);
    } finally {
      await f.host.disposeAll();
    }
    await waitFor(() => JSON.stringify(activeResources()) === JSON.stringify(before), 2000, 'handles back to the start');
    delete g.__res;
  });

  it('closes what a failing activate opened before it threw', async () => {
    const before = activeResources();
    const f = hostFixture();
    await writeBuiltPlugin(f.dir, {
      name: 'leaky',
      provides: networkFilters('l'),
      source: `
import { definePlugin } from 'mosn-plugin-sdk';
export = definePlugin({
  activate(ctx) {
    ctx.setInterval(() => undefined, 1000);
    ctx.createServer().listen(0, '127.0.0.1');
    throw new Error('changed my mind');
  },
});
`,
    });
    try {
      const [report] = await f.host.loadAll();
      assert.equal(report.error, 'plugin "leaky": activate failed: Error: changed my mind');
      await waitFor(() => JSON.stringify(activeResources()) === JSON.stringify(before), 2000, 'handles back to the start');
    } finally {
      await f.host.disposeAll();
    }
  });

  it('contains a throw from a timer callback: logged and counted against the plugin', async () => {
    const f = hostFixture();
    await writeBuiltPlugin(f.dir, {
      name: 'ticker',
      provides: networkFilters('t'),
      source: `
import { definePlugin } from 'mosn-plugin-sdk';
export = definePlugin({
  activate(ctx) {
    ctx.registerNetworkFilter('t', { createFilterChainFactory: () => ({ createFilterChain() {} }) });
    ctx.setTimeout(() => { throw new RangeError('tick failed'); }, 1);
    const first = ctx.createServer();
    first.listen(0, '127.0.0.1', () => {
      // The same port again: EADDRINUSE, emitted as 'error' on a server nobody listens to.
      ctx.createServer().listen((first.address() as { port: number }).port, '127.0.0.1');
    });
  },
});
`,
    });
    try {
      await f.host.loadAll();
      await waitFor(() => f.report('ticker').counters.errors >= 2, 2000, 'both errors counted');
      const lines = f.logger.records.filter((r) => r.level === 'error' && r.fields.plugin === 'ticker').map((r) => String(r.msg));
      assert.ok(lines.some((l) => l === 'plugin "ticker": setTimeout callback threw'));
      assert.ok(lines.some((l) => l === 'plugin "ticker": unhandled server error threw'));
      assert.equal(f.report('ticker').state, 'loaded');
    } finally {
      await f.host.disposeAll();
    }
  });
});
