import type { PluginTemplate } from './plugin-template';

/** An extension: an object other plugins or the kernel look up by name, with a host-owned timer. */
export const extensionTemplate: PluginTemplate = {
  kind: 'extension',
  description: (name) => `Extension ${name}: counts ticks of a host-owned interval and reports them.`,
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: { interval_ms: { type: 'integer', minimum: 1 } },
  },
  source: (name) => `import { definePlugin } from 'mosn-plugin-sdk';

/** What \`${name}\` offers to whoever looks it up in the extension registry. */
export interface TickCounter {
  /** Ticks of the interval so far. */
  ticks(): number;
}

let ticks = 0;
const counter: TickCounter = { ticks: () => ticks };

export default definePlugin({
  activate(context) {
    // Opened through the context: the host clears it when this generation is disposed (reload,
    // removal, shutdown), so a reload never leaves the old interval running.
    context.setInterval(() => {
      ticks++;
    }, 1000);
    context.onDispose(() => context.logger.info(\`${name} stopping after \${ticks} ticks\`));
    context.register('extension', '${name}', counter);
  },
});
`,
  test: (name) => `import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadPluginForTest } from 'mosn-plugin-sdk/testing';

describe('${name}', () => {
  it('registers its extension, and its interval is closed on dispose', async () => {
    const plugin = await loadPluginForTest();
    const counter = plugin.factory<{ ticks(): number }>('extension', '${name}');
    assert.equal(typeof counter.ticks(), 'number');
    assert.equal(plugin.resources.openCount, 1);
    await plugin.dispose();
    assert.equal(plugin.resources.openCount, 0);
    assert.ok(plugin.logger.records.some((r) => /stopping after/.test(r.msg ?? '')));
  });
});
`,
};
