import type { PluginTemplate } from './plugin-template';

/** A network filter that answers each chunk read with a prefix and the chunk. */
export const networkFilterTemplate: PluginTemplate = {
  kind: 'network_filter',
  description: (name) => `Network filter ${name}: answers every chunk it reads with a configured prefix and the chunk; closes when the peer does.`,
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: { prefix: { type: 'string' } },
  },
  source: (name) => `import { FilterStatus, definePlugin } from 'mosn-plugin-sdk';
import type { Connection, IoBuffer, NetworkFilterFactory, ReadFilter, ReadFilterCallbacks } from 'mosn-plugin-sdk';

/** The config block of \`${name}\` in a listener's filter chain (plugin.json's configSchema checks it first). */
interface Config {
  /** Written before each chunk echoed back (default "${name}: "). */
  prefix?: string;
}

class EchoFilter implements ReadFilter {
  private connection!: Connection;

  constructor(private readonly prefix: Buffer) {}

  initializeReadFilterCallbacks(callbacks: ReadFilterCallbacks): void {
    this.connection = callbacks.connection;
  }

  onData(buffer: IoBuffer, endStream: boolean): FilterStatus {
    // Draining the buffer consumes the bytes; what a filter leaves stays for the next call.
    if (buffer.length > 0) this.connection.write(Buffer.concat([this.prefix, buffer.take()]));
    if (endStream) this.connection.close('FlushWrite');
    return FilterStatus.Stop;
  }
}

const factory: NetworkFilterFactory<Config> = {
  // Once per listener: parse the config here.
  createFilterChainFactory(config) {
    const prefix = Buffer.from(config.prefix ?? '${name}: ');
    return {
      // Once per connection: add this connection's filter instances.
      createFilterChain(_connection, manager) {
        manager.addReadFilter(new EchoFilter(prefix));
      },
    };
  },
};

export = definePlugin({
  activate(context) {
    context.registerNetworkFilter('${name}', factory);
  },
});
`,
  test: (name) => `import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadPluginForTest, type TestPlugin } from 'mosn-plugin-sdk/testing';

describe('${name}', () => {
  let plugin: TestPlugin;
  before(async () => {
    plugin = await loadPluginForTest();
  });
  after(() => plugin.dispose());

  it('answers each chunk with the prefix and the chunk', async () => {
    const conn = plugin.networkFilter('${name}', { prefix: '> ' });
    await conn.receive('ping\\n');
    await conn.receive('pong\\n');
    assert.equal(conn.writtenText(), '> ping\\n> pong\\n');
  });

  it('closes when the peer half-closes', async () => {
    const conn = plugin.networkFilter('${name}');
    await conn.receive('bye', true);
    assert.equal(conn.writtenText(), '${name}: bye');
    assert.equal(conn.connection.closeType, 'FlushWrite');
  });

  it('refuses an unknown config field', () => {
    assert.deepEqual(plugin.validateConfig('network_filter', '${name}', { prefx: 'x' }), ['config.prefx: is not an allowed field']);
  });
});
`,
};
