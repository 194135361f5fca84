import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { evaluateBundle } from '../../core/host/bundle-evaluator';
import { CODEC_EXCEPTION_STATUS, HeaderMap, IoBuffer, XDecodeError } from '../../plugin-sdk';
import type { PluginModule, XDecodeLimits, XProtocolCodec } from '../../plugin-sdk';
import { REPO_ROOT } from '../support/paths';
import { frame, heartbeatFrame, parseFrames, requestFrame, responseBody } from './dubbo-wire';

type Codec = XProtocolCodec<object>;
const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'dubbo');

/** The codec the BUILT dubbo plugin registers (its bundle evaluated as the kernel does). */
function loadCodec(): Codec {
  const file = path.join(REPO_ROOT, 'plugins', 'dubbo', 'dist', 'index.js');
  const plugin = evaluateBundle(fs.readFileSync(file, 'utf8'), file) as PluginModule;
  const codecs: Record<string, Codec> = {};
  void plugin.activate({ registerXProtocol: (name: string, codec: Codec) => (codecs[name] = codec) } as never);
  assert.deepEqual(Object.keys(codecs), ['dubbo']);
  return codecs.dubbo;
}

const codec = loadCodec();
const limits = (max = 1 << 20): XDecodeLimits => ({ maxFrameBytes: max, wantedBytes: 0 });

function decode(bytes: Buffer, max?: number): object | XDecodeError<object> | undefined {
  const buf = new IoBuffer();
  buf.append(bytes);
  return codec.decode(buf, limits(max));
}

function decodeOne(bytes: Buffer): object {
  const f = decode(bytes);
  assert.ok(f && !(f instanceof XDecodeError), `decode failed: ${f instanceof XDecodeError ? f.reason : 'need more'}`);
  return f;
}

function headersOf(f: object): Record<string, string> {
  const h = new HeaderMap();
  codec.readHeaders(f, h);
  return h.toObject();
}

function fixture(name: string): Buffer {
  return fs.readFileSync(path.join(FIXTURES, name));
}

describe('dubbo codec (built bundle)', () => {
  it('request-2.6.2.bin: dubbo version, service, version, method and the attachments as headers', () => {
    const bytes = fixture('request-2.6.2.bin');
    const f = decodeOne(bytes);
    assert.equal(codec.kind(f), 'request');
    assert.equal(codec.getRequestId(f), 76);
    assert.deepEqual(headersOf(f), {
      dubbo: '2.6.2',
      service: 'com.raycloud.notify.api.service.NotifyJobRequest',
      path: 'com.raycloud.notify.api.service.NotifyJobRequest',
      version: '2.0.1-vpc-test',
      method: 'stopNotifyJob',
      'a.s.u': '/auth/test',
      'a.s.t': '5356258898771314',
      'a.s.d': 'kefu.kuaimai.com',
      dubboapplication: 'com-raycloud-admin-x',
      interface: 'com.raycloud.notify.api.service.NotifyJobRequest',
      timeout: '5000',
    });
    assert.equal(codec.timeoutMs(f), 5000, 'the timeout attachment bounds the proxy');
    assert.ok(codec.rawFrame(f)?.equals(bytes));
    assert.equal(codec.body(f).length, bytes.length - 16);
  });

  it('request-complex.bin (which made MOSN panic) decodes: its four arguments are skipped, the attachments read', () => {
    const f = decodeOne(fixture('request-complex.bin'));
    const h = headersOf(f);
    assert.equal(h.service, 'com.dmall.dsf.zone.proxy.service.ProxyInterface');
    assert.equal(h.method, 'unitTestByUnit');
    assert.equal(h.version, '0.0.0');
    assert.equal(h.dubbo, '2.0.2');
    assert.equal(h.application, 'zone-config-consumer');
    assert.equal(h['remote.zone'], 'Gz01');
    assert.equal(h['remote.flag_code'], undefined, 'null attachments are left out');
    assert.equal(codec.timeoutMs(f), 3000);
  });

  it('service is the interface attachment when the path differs; group and other string attachments are headers', () => {
    const f = decodeOne(
      requestFrame(5, {
        service: 'ctx/com.example.Echo',
        method: 'echo',
        version: '1.0.0',
        types: 'Ljava/lang/String;I[J[[Lcom/example/Thing;Z',
        args: ['a', 7, { $class: '[long', $: [1, 2] }, null, true],
        attachments: { interface: 'com.example.Echo', group: 'blue', count: 3 as unknown as string },
      }),
    );
    const h = headersOf(f);
    assert.equal(h.service, 'com.example.Echo');
    assert.equal(h.path, 'ctx/com.example.Echo');
    assert.equal(h.group, 'blue');
    assert.equal(h.version, '1.0.0');
    assert.equal(h.count, undefined, 'a non-string attachment is no header');
  });

  it('arguments of every hessian2 kind are stepped over exactly: the attachments after them are read', () => {
    const values: [string, unknown][] = [
      ['Ljava/lang/String;', 'short'],
      ['Ljava/lang/String;', 'x'.repeat(1000)],
      ['Ljava/lang/String;', 'héllo wörld ☃ 𝄞'.repeat(50)],
      ['Ljava/lang/String;', 'y'.repeat(70_000)], // chunked ('R' ... 'S')
      ['Ljava/lang/String;', ''],
      ['Ljava/lang/String;', null],
      ['I', { $class: 'int', $: 0 }],
      ['I', { $class: 'int', $: -2000 }],
      ['I', { $class: 'int', $: 200_000 }],
      ['I', { $class: 'int', $: 2 ** 31 - 1 }],
      ['J', { $class: 'long', $: 7 }],
      ['J', { $class: 'long', $: -1000 }],
      ['J', { $class: 'long', $: 100_000 }],
      ['J', { $class: 'long', $: 2 ** 31 - 1 }],
      ['J', { $class: 'long', $: 2 ** 40 }],
      ['D', { $class: 'double', $: 0 }],
      ['D', { $class: 'double', $: 1 }],
      ['D', { $class: 'double', $: 12 }],
      ['D', { $class: 'double', $: 1000 }],
      ['D', { $class: 'double', $: 1.5 }],
      ['D', { $class: 'double', $: Math.PI }],
      ['Z', true],
      ['Z', false],
      ['Ljava/util/Date;', new Date(1_700_000_000_000)],
      ['Ljava/util/Date;', new Date(1_700_000_040_000)],
      ['[B', Buffer.alloc(10, 1)],
      ['[B', Buffer.alloc(500, 2)],
      ['[B', Buffer.alloc(70_000, 3)],
      ['Ljava/util/List;', [1, 'two', { a: 'b' }]],
      ['Ljava/lang/String;', 'after a list'],
    ];
    for (let n = 1; n <= values.length; n++) {
      // Every prefix of the list, and each value alone: each ends at a different kind.
      for (const picked of [values.slice(0, n), [values[n - 1]]]) {
        const f = decodeOne(
          requestFrame(n, {
            service: 'com.example.Kinds',
            method: 'take',
            types: picked.map(([t]) => t).join(''),
            args: picked.map(([, v]) => v),
            attachments: { group: `g${n}`, 'x-trace': 'ünïcode ok' },
          }),
        );
        const h = headersOf(f);
        const what = picked.map(([t]) => t).join('');
        assert.equal(h.group, `g${n}`, what);
        assert.equal(h['x-trace'], 'ünïcode ok', what);
      }
    }
  });

  it('a service name that is not plain ASCII is read by hessian.js', () => {
    const h = headersOf(decodeOne(requestFrame(1, { service: 'com.example.Dienst€', method: 'größe', types: 'I', args: [{ $class: 'int', $: 1 }] })));
    assert.equal(h.service, 'com.example.Dienst€');
    assert.equal(h.method, 'größe');
  });

  it('a string argument running past the end of the body is a broken body, not a crash', () => {
    const whole = requestFrame(1, { service: 's', method: 'm', types: 'Ljava/lang/String;', args: ['z'.repeat(100)] });
    // Cut the body inside the argument and fix the length field.
    const cut = Buffer.from(whole.subarray(0, 16 + 40));
    cut.writeUInt32BE(40, 12);
    const err = decode(cut);
    assert.ok(err instanceof XDecodeError && err.frame !== undefined);
    assert.match(err.reason, /runs past the end of the body/);
  });

  it('request ids are 64-bit on the wire: exact up to 2^53 - 1, all 8 bytes written', () => {
    const f = decodeOne(requestFrame(2n ** 40n + 5n, { service: 's', method: 'm' }));
    assert.equal(codec.getRequestId(f), 2 ** 40 + 5);
    for (const id of [0, 1, 0xffffffff, 2 ** 32, Number.MAX_SAFE_INTEGER]) {
      codec.setRequestId(f, id);
      assert.equal(codec.rawFrame(f)!.readBigUInt64BE(4), BigInt(id), `id ${id}`);
      const raw = Buffer.from(codec.rawFrame(f)!);
      raw.fill(0xff, 4, 12);
      codec.rewriteRequestId(raw, id);
      assert.equal(raw.readBigUInt64BE(4), BigInt(id));
    }
    assert.equal(codec.maxRequestId, Number.MAX_SAFE_INTEGER);
    const tooBig = decode(requestFrame(2n ** 53n, { service: 's', method: 'm' }));
    assert.ok(tooBig instanceof XDecodeError && tooBig.frame === undefined);
    assert.match(tooBig.reason, /request id 9007199254740992 is beyond 2\^53 - 1/);
  });

  it('needs the whole frame; announces the length it waits for; refuses a length beyond the limit before the bytes come', () => {
    const bytes = requestFrame(1, { service: 's', method: 'm' });
    assert.equal(decode(bytes.subarray(0, 1)), undefined);
    const l = limits();
    const buf = new IoBuffer();
    buf.append(bytes.subarray(0, 20));
    assert.equal(codec.decode(buf, l), undefined);
    assert.equal(l.wantedBytes, bytes.length);
    const big = frame({ flag: 0xc2, id: 1, body: Buffer.alloc(0) });
    big.writeUInt32BE(2000, 12);
    const err = decode(big, 1000);
    assert.ok(err instanceof XDecodeError && err.frame === undefined);
    assert.match(err.reason, /dubbo frame of 2016 bytes exceeds the maximum frame size \(1000 bytes\)/);
    assert.equal(codec.maxFrameBytes, 16 + 8 * 1024 * 1024, "Dubbo's own 8 MiB payload limit");
  });

  it('wrong magic is no dubbo frame', () => {
    const err = decode(Buffer.from('dabc0000', 'hex'));
    assert.ok(err instanceof XDecodeError && err.frame === undefined);
    assert.match(err.reason, /wrong dubbo magic 0xdabc/);
    assert.equal(codec.match(Buffer.from([0xda])), 'need-more');
    assert.equal(codec.match(Buffer.from([0xda, 0xbb, 0xc2])), 'need-more');
    assert.equal(codec.match(fixture('request-2.6.2.bin').subarray(0, 16)), 'match');
    assert.equal(codec.match(Buffer.from('GET / HTTP/1.1')), 'mismatch');
    assert.equal(codec.match(Buffer.from([0xda, 0x00])), 'mismatch');
  });

  it('a garbage hessian body or another serialization: an error carrying the frame, answered 40 with the reason', () => {
    const garbage = decode(frame({ flag: 0xc2, id: 9, body: Buffer.from('ffeeddccbbaa', 'hex') }));
    assert.ok(garbage instanceof XDecodeError && garbage.frame !== undefined);
    assert.match(garbage.reason, /hessian2 request body could not be read/);
    let reply = codec.hijack(garbage.frame, CODEC_EXCEPTION_STATUS);
    codec.setRequestId(reply, 9);
    let [r] = parseFrames(codec.encode(reply)).frames;
    assert.equal(r.flag, 0x02);
    assert.equal(r.status, 40);
    assert.equal(r.id, 9n);

    const kryo = decode(requestFrame(10, { service: 's', method: 'm' }, { serialization: 8 }));
    assert.ok(kryo instanceof XDecodeError && kryo.frame !== undefined);
    assert.match(kryo.reason, /serialization id 8 not supported/);
    reply = codec.hijack(kryo.frame, CODEC_EXCEPTION_STATUS);
    [r] = parseFrames(codec.encode(reply)).frames;
    assert.equal(r.status, 40);
    assert.match(r.body.toString('latin1'), /serialization id 8 not supported/);

    const badTypes = decode(requestFrame(11, { service: 's', method: 'm', types: 'Ljava/lang/String' }));
    assert.ok(badTypes instanceof XDecodeError && badTypes.frame !== undefined);
    assert.match(badTypes.reason, /parameter types "Ljava\/lang\/String": class name at 0 has no ';'/);
  });

  it('heartbeats: two-way events are answered (flag 0x22, status 20, body "NN"); readonly events are goaway', () => {
    const hb = decodeOne(heartbeatFrame(77));
    assert.equal(codec.isHeartbeat(hb), true);
    assert.equal(codec.kind(hb), 'request');
    assert.deepEqual(headersOf(hb), {}, 'events are not parsed');
    const reply = parseFrames(codec.encode(codec.heartbeatReply(hb))).frames[0];
    assert.deepEqual([reply.flag, reply.status, reply.id, reply.body.toString('hex')], [0x22, 20, 77n, '4e4e']);
    assert.equal(codec.kind(decodeOne(heartbeatFrame(78, false))), 'oneway');
    const trigger = parseFrames(codec.encode(codec.heartbeatRequest(5))).frames[0];
    assert.deepEqual([trigger.flag, trigger.id, trigger.body.toString('hex')], [0xe2, 5n, '4e']);
    const readonly = decodeOne(frame({ flag: 0xa2, id: 3, body: Buffer.from([0x01, 0x52]) }));
    assert.equal(codec.isHeartbeat(readonly), false);
    assert.equal(codec.isGoAway?.(readonly), true);
  });

  it('hijack follows MOSN\'s status table; response status maps back for retries and metrics', () => {
    const req = decodeOne(requestFrame(1, { service: 's', method: 'm' }));
    const cases: [number, number, string][] = [
      [404, 60, '404|router unavailable'],
      [502, 60, '502|no health upstream'],
      [503, 40, '503|upstream overflow'],
      [504, 31, '504|timeout'],
      [403, 80, '403|permission denied'],
      [500, 70, '500|internal error'],
      [CODEC_EXCEPTION_STATUS, 70, '0|codec exception'],
      [418, 70, '418|status not defined'],
    ];
    for (const [http, status, message] of cases) {
      const reply = codec.hijack(req, http);
      codec.setRequestId(reply, 123);
      const [r] = parseFrames(codec.encode(reply)).frames;
      assert.deepEqual([r.flag, r.status, r.id], [0x02, status, 123n], `hijack ${http}`);
      // A hessian2 string: one length byte for short ones, then the text.
      assert.equal(r.body.subarray(1).toString(), message);
    }
    const status = (s: number) => codec.responseStatus(decodeOne(frame({ flag: 0x02, status: s, id: 1, body: responseBody('x', s === 20) })));
    assert.deepEqual([20, 30, 31, 40, 50, 60, 70, 80, 90, 100].map(status), [200, 504, 504, 400, 500, 502, 500, 500, 500, 503]);
  });

  it('responses are not parsed; a oneway request is oneway; rebuild keeps the header fields with the new body', () => {
    const res = decodeOne(frame({ flag: 0x02, status: 20, id: 4, body: Buffer.from('not even hessian') }));
    assert.equal(codec.kind(res), 'response');
    assert.deepEqual(headersOf(res), {});
    const oneway = decodeOne(requestFrame(6, { service: 's', method: 'm' }, { oneway: true }));
    assert.equal(codec.kind(oneway), 'oneway');
    const rebuilt = codec.rebuild(oneway, new HeaderMap(), Buffer.from('abc'));
    codec.setRequestId(rebuilt, 2 ** 33);
    const [r] = parseFrames(codec.encode(rebuilt)).frames;
    assert.deepEqual([r.flag, r.id, r.body.toString()], [0x82, 2n ** 33n, 'abc']);
  });
});
