import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadHttp1 } from './http1-fixture';

describe('http1 protocol factory (loaded from the built bundle by the plugin host)', () => {
  it('registers as protocol Http1 with ping-pong pooling', async () => {
    const factory = await loadHttp1();
    assert.equal(factory.poolMode, 'ping-pong');
    assert.equal(typeof factory.createServerConnection, 'function');
    assert.equal(typeof factory.createClientConnection, 'function');
  });

  it('matches HTTP/1 first bytes for Auto listeners', async () => {
    const { match } = await loadHttp1();
    assert.ok(match);
    const m = (s: string) => match(Buffer.from(s, 'latin1'));
    assert.equal(m('GET / HTTP/1.1\r\n'), 'match');
    assert.equal(m('POST '), 'match');
    assert.equal(m('M-SEARCH * HTTP/1.1'), 'match');
    assert.equal(m('OPTIONS'), 'need-more');
    assert.equal(m('G'), 'need-more');
    assert.equal(m(''), 'need-more');
    assert.equal(m('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), 'mismatch', 'the HTTP/2 preface');
    assert.equal(m('get / HTTP/1.1'), 'mismatch');
    assert.equal(m('FOO / HTTP/1.1'), 'mismatch');
    assert.equal(m('\x16\x03\x01\x02\x00'), 'mismatch', 'TLS');
    assert.equal(m('\x01\x01\x00'), 'mismatch', 'bolt');
    assert.equal(m('ABCDEFGHIJKLMNOPQRSTUVWXYZ'), 'mismatch');
  });
});
