import type { PluginTemplate } from './plugin-template';

/** A stream filter that stamps a request header and can answer locally. */
export const streamFilterTemplate: PluginTemplate = {
  kind: 'stream_filter',
  description: (name) => `Stream filter ${name}: adds a configured header to each request; answers 403 itself to requests carrying x-${name}-deny.`,
  configSchema: {
    type: 'object',
    required: ['header'],
    additionalProperties: false,
    properties: {
      header: { type: 'string', minLength: 1 },
      value: { type: 'string' },
    },
  },
  source: (name) => `import { StreamFilterStatus, definePlugin } from 'mosn-plugin-sdk';
import type { HeaderMap, StreamFilterFactory, StreamReceiverFilter, StreamReceiverFilterHandler } from 'mosn-plugin-sdk';

/** The config block of \`${name}\` in a listener's stream_filters (plugin.json's configSchema checks it first). */
interface Config {
  /** The request header to add. */
  header: string;
  /** Its value (default "${name}"). */
  value?: string;
}

/** Requests carrying this header are answered 403 by the filter itself. */
const DENY_HEADER = 'x-${name}-deny';

class StampFilter implements StreamReceiverFilter {
  private handler!: StreamReceiverFilterHandler;

  constructor(
    private readonly header: string,
    private readonly value: string,
  ) {}

  setReceiveFilterHandler(handler: StreamReceiverFilterHandler): void {
    this.handler = handler;
  }

  onReceive(headers: HeaderMap): StreamFilterStatus {
    if (headers.has(DENY_HEADER)) {
      this.handler.sendLocalReply(403, 'denied by ${name}\\n');
      return StreamFilterStatus.Terminate;
    }
    headers.set(this.header, this.value);
    return StreamFilterStatus.Continue;
  }
}

const factory: StreamFilterFactory<Config> = {
  // Once per listener: parse the config here, keep per-request work small.
  createFilterChainFactory(config) {
    const value = config.value ?? '${name}';
    return {
      // Once per request: add this request's filter instances.
      createFilterChain(chain) {
        chain.addReceiverFilter(new StampFilter(config.header, value), 'BeforeRoute');
      },
    };
  },
};

export = definePlugin({
  activate(context) {
    context.registerStreamFilter('${name}', factory);
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

  it('adds the configured header to a request', async () => {
    const filter = plugin.streamFilter('${name}', { header: 'x-hello', value: 'world' });
    const result = await filter.request({ ':method': 'GET', ':path': '/', host: 'example.com' });
    assert.equal(result.outcome, 'continue');
    assert.equal(result.headers.get('x-hello'), 'world');
  });

  it('answers 403 itself when the request asks to be denied', async () => {
    const result = await plugin.streamFilter('${name}', { header: 'x-hello' }).request({ ':path': '/', 'x-${name}-deny': '1' });
    assert.equal(result.outcome, 'local_reply');
    assert.equal(result.localReply?.status, 403);
  });

  it('refuses a config without a header', () => {
    assert.deepEqual(plugin.validateConfig('stream_filter', '${name}', {}), ['config.header: is required']);
  });
});
`,
};
