import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FactoryRegistry } from '../../core/host/factory-registry';
import { createAutoProtocol } from '../../core/stream/auto-protocol';
import { IoBuffer } from '../../plugin-sdk';
import type { ProtocolFactory, ServerStreamConnection } from '../../plugin-sdk';
import { codecOptions, FakeClientConnection, FakeConnection, RecordingCallbacks, recordingLogger } from './fake-connections';

/** A protocol that records the bytes its server connections get; `match` decides by the given rule. */
function fakeProtocol(match: (b: Buffer) => 'match' | 'mismatch' | 'need-more') {
  const seen: Buffer[] = [];
  const factory: ProtocolFactory = {
    poolMode: 'multiplex',
    createServerConnection(): ServerStreamConnection {
      return {
        activeStreams: 0,
        dispatch(buffer: IoBuffer) {
          seen.push(buffer.take());
        },
        goAway() {},
        onConnectionClose() {},
      };
    },
    createClientConnection() {
      throw new Error('unused');
    },
    match,
  };
  return { factory, seen };
}

function setup() {
  const registry = new FactoryRegistry();
  // "alpha" needs two bytes: "AA"; "beta" is one byte "B"; "gamma" never decides.
  const alpha = fakeProtocol((b) => (b.length < 2 ? (b[0] === 0x41 || b.length === 0 ? 'need-more' : 'mismatch') : b[0] === 0x41 && b[1] === 0x41 ? 'match' : 'mismatch'));
  const beta = fakeProtocol((b) => (b.length === 0 ? 'need-more' : b[0] === 0x42 ? 'match' : 'mismatch'));
  const gamma = fakeProtocol((b) => (b[0] === 0x47 ? 'need-more' : 'mismatch'));
  const entry = (name: string, factory: unknown) => ({ kind: 'protocol' as const, name, factory, pluginName: 'test', pluginVersion: '1.0.0', validateConfig: () => [] });
  const auto = createAutoProtocol(registry);
  registry.registerAll([entry('Auto', auto), entry('alpha', alpha.factory), entry('beta', beta.factory), entry('gamma', gamma.factory)]);
  const logger = recordingLogger();
  const conn = new FakeConnection();
  const server = auto.createServerConnection(conn, new RecordingCallbacks(), codecOptions(logger));
  const buffer = new IoBuffer();
  const feed = (s: string, end = false) => {
    buffer.append(Buffer.from(s, 'latin1'));
    server.dispatch(buffer, end);
  };
  return { auto, alpha, beta, gamma, logger, conn, feed };
}

describe('Auto protocol', () => {
  it('holds the first bytes until a protocol recognises them, then hands over everything', () => {
    const t = setup();
    t.feed('A');
    assert.equal(t.alpha.seen.length, 0);
    t.feed('Ahello');
    assert.deepEqual(t.alpha.seen.map(String), ['AAhello']);
    t.feed('more');
    assert.deepEqual(t.alpha.seen.map(String), ['AAhello', 'more']);
    assert.equal(t.conn.state, 'open');
  });

  it('first bytes nobody knows: closed, with a log line naming the known protocols', () => {
    const t = setup();
    t.feed('Zzz');
    assert.equal(t.conn.state, 'closed');
    const line = t.logger.lines.find((l) => /Auto: unknown protocol/.test(l.msg));
    assert.ok(line);
    assert.match(String(line.fields.reason), /no registered protocol recognises the first bytes \(known: alpha, beta, gamma\)/);
    assert.equal(line.fields.firstBytes, '5a7a7a');
  });

  it('a client that closes before its protocol is clear, or sends too much undecided, is closed with the reason', () => {
    const early = setup();
    early.feed('A', true);
    assert.equal(early.conn.state, 'closed');
    assert.match(String(early.logger.lines.at(-1)!.fields.reason), /closed after 1 bytes, too few to tell alpha/);

    const undecided = setup();
    undecided.feed('G'.repeat(63));
    assert.equal(undecided.conn.state, 'open');
    undecided.feed('G');
    assert.equal(undecided.conn.state, 'closed');
  });

  it('cannot open upstream connections (Auto upstream is resolved by the proxy per connection)', () => {
    const t = setup();
    assert.throws(() => t.auto.createClientConnection(new FakeClientConnection(), codecOptions(t.logger)), /Auto/);
  });
});
