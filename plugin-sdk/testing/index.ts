/**
 * mosn-plugin-sdk/testing: an in-process kernel harness for plugin tests. Load the built bundle as
 * the kernel would, then push a request's headers through a stream filter or bytes through a
 * network filter on a fake connection, and assert on what came out. No listener, no socket.
 *
 * ```ts
 * const plugin = await loadPluginForTest();            // the folder `mosn-plugin test` runs in
 * const result = await plugin.streamFilter('my_filter', { header: 'x-hello' }).request({ ':path': '/' });
 * assert.equal(result.headers.get('x-hello'), 'world');
 * await plugin.dispose();
 * ```
 */
export { loadPluginForTest, TestPlugin } from './test-plugin';
export type { LoadPluginOptions, XProtocolRegistration } from './test-plugin';
export { StreamFilterHarness, TestStream } from './stream-filter-harness';
export type { LocalReply, StreamFilterHarnessOptions, StreamResult, TestHeaders } from './stream-filter-harness';
export { NetworkFilterHarness } from './network-filter-harness';
export type { NetworkFilterHarnessOptions } from './network-filter-harness';
export { FakeConnection } from './fake-connection';
export { TestResources } from './test-resources';
export { createTestLogger } from './test-logger';
export type { TestLogger, TestLogRecord } from './test-logger';
