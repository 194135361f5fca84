import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParsedHead, parseRequestHead, parseResponseHead } from '../../plugins/http1/src/head-parser';
import {
  HTTPParser,
  K_ON_BODY,
  K_ON_HEADERS,
  K_ON_HEADERS_COMPLETE,
  K_ON_MESSAGE_BEGIN,
  K_ON_MESSAGE_COMPLETE,
  STRICT,
  type NativeParser,
} from '../../plugins/http1/src/llhttp';

/*
 * The JS fast path for message heads must only take heads that strict llhttp accepts and reads
 * the same way (head-parser.ts). Each case here is parsed by both; whenever the fast path accepts,
 * llhttp must accept too and report the same method, target, version, fields, keep-alive and
 * length. A few cases check that the fast path declines what it is meant to leave to llhttp, and
 * a seeded fuzz pass mutates good heads to look for disagreements.
 */

interface Seen {
  error?: string;
  consumed: number;
  versionMinor: number;
  method: number;
  url: string;
  status: number;
  flat: string[];
  keepAlive: boolean;
  upgrade: boolean;
}

/** What strict llhttp makes of a head (stopping right after it, as the codecs do). */
function llhttp(type: number, bytes: Buffer): Seen {
  const parser = new HTTPParser() as NativeParser;
  parser.initialize(type, {}, 0, STRICT);
  const seen: Seen = { consumed: 0, versionMinor: -1, method: -1, url: '', status: 0, flat: [], keepAlive: false, upgrade: false };
  parser[K_ON_MESSAGE_BEGIN] = () => undefined;
  parser[K_ON_HEADERS] = (flat: string[], url: string) => {
    seen.flat.push(...flat);
    seen.url += url;
  };
  parser[K_ON_HEADERS_COMPLETE] = (
    _major: number,
    minor: number,
    headers: string[] | undefined,
    method: number,
    url: string | undefined,
    status: number,
    _reason: string,
    upgrade: boolean,
    keepAlive: boolean,
  ) => {
    if (headers) seen.flat.push(...headers);
    if (url) seen.url += url;
    Object.assign(seen, { versionMinor: minor, method, status, upgrade, keepAlive });
    return 2; // no body, stop after this message
  };
  parser[K_ON_BODY] = () => undefined;
  parser[K_ON_MESSAGE_COMPLETE] = () => undefined;
  const result = parser.execute(bytes);
  parser.close();
  if (typeof result !== 'number') seen.error = result.code;
  else seen.consumed = result;
  return seen;
}

function contentLengthOf(flat: string[]): number {
  for (let i = 0; i < flat.length; i += 2) if (flat[i].toLowerCase() === 'content-length') return Number(flat[i + 1]);
  return -1;
}

/** Parses with both; when the fast path accepts, llhttp must agree. Returns whether it accepted. */
function agree(kind: 'request' | 'response', text: string | Buffer): boolean {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
  const out = new ParsedHead();
  const accepted = kind === 'request' ? parseRequestHead(bytes, 0, 64 * 1024, out) : parseResponseHead(bytes, 0, 64 * 1024, out);
  if (!accepted) return false;
  const seen = llhttp(kind === 'request' ? HTTPParser.REQUEST : HTTPParser.RESPONSE, bytes);
  const what = JSON.stringify(bytes.toString('latin1'));
  assert.equal(seen.error, undefined, `fast path took a head llhttp refuses (${seen.error}): ${what}`);
  assert.equal(seen.upgrade, false, `fast path took an upgrade: ${what}`);
  assert.equal(out.length, seen.consumed, `head length: ${what}`);
  assert.equal(out.versionMinor, seen.versionMinor, `version: ${what}`);
  assert.deepEqual(out.flat, seen.flat, `fields: ${what}`);
  assert.equal(out.keepAlive, seen.keepAlive, `keep-alive: ${what}`);
  assert.equal(out.contentLength, contentLengthOf(seen.flat), `content-length: ${what}`);
  if (kind === 'request') {
    assert.equal(out.methodIndex, seen.method, `method: ${what}`);
    assert.equal(out.target, seen.url, `target: ${what}`);
  } else {
    assert.equal(out.status, seen.status, `status: ${what}`);
  }
  return true;
}

const REQUEST_FIELDS: string[][] = [
  ['Host: a.example'],
  ['host:a', 'X-Empty:', 'X-Tab:\tv', 'Accept: */*'],
  ['Host: a', 'Content-Length: 5'],
  ['Host: a', 'content-length: 05'],
  ['Host: a', 'Connection: close'],
  ['Host: a', 'Connection: keep-alive'],
  ['Host: a', 'Connection: Keep-Alive, foo'],
  ['Host: a', 'Connection: foo , close'],
  ['Host: a', 'Connection: closed'],
  ['Host: a', 'User-Agent: Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0', 'Cookie: a=1; b=2'],
  [],
];

describe('http1 head fast path', () => {
  it('reads ordinary requests exactly as llhttp does', () => {
    let accepted = 0;
    for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']) {
      for (const target of ['/', '/a/b?x=1&y=%20z', "/p;q=1/~!$&'()*+,=:@"]) {
        for (const version of ['HTTP/1.1', 'HTTP/1.0']) {
          for (const fields of REQUEST_FIELDS) {
            const head = `${method} ${target} ${version}\r\n${fields.map((f) => `${f}\r\n`).join('')}\r\n`;
            assert.ok(agree('request', head), `declined an ordinary head: ${JSON.stringify(head)}`);
            accepted++;
          }
        }
      }
    }
    assert.ok(accepted > 400);
  });

  it('reads ordinary responses exactly as llhttp does', () => {
    for (const version of ['HTTP/1.1', 'HTTP/1.0']) {
      for (const status of ['200 OK', '404 Not Found', '503 ', '201 x\ty', '204 No Content', '304 Not Modified']) {
        const bodiless = status.startsWith('204') || status.startsWith('304');
        for (const fields of [['Server: t'], ['Connection: close'], ['Connection: keep-alive', 'Date: Sat, 21 Nov 2026 15:37:01 GMT']]) {
          const all = bodiless ? fields : [...fields, 'Content-Length: 1024'];
          const head = `${version} ${status}\r\n${all.map((f) => `${f}\r\n`).join('')}\r\n`;
          assert.ok(agree('response', head), `declined an ordinary head: ${JSON.stringify(head)}`);
        }
      }
    }
  });

  it('stops at the end of the head and reports its length', () => {
    const out = new ParsedHead();
    const bytes = Buffer.from('POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabcGET / HTTP/1.1\r\n', 'latin1');
    assert.ok(parseRequestHead(bytes, 0, 0, out));
    assert.equal(bytes.subarray(out.length, out.length + 3).toString(), 'abc');
    assert.equal(out.contentLength, 3);
    const second = Buffer.from('xxGET /y HTTP/1.1\r\nHost: b\r\n\r\n', 'latin1');
    assert.ok(parseRequestHead(second, 2, 0, out));
    assert.equal(out.target, '/y');
    assert.equal(out.length, second.length - 2);
  });

  it('leaves to llhttp what it does not mirror', () => {
    const declined = [
      'GET / HTTP/1.1\r\nHost: a\r\n', // not complete
      'CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n',
      'get / HTTP/1.1\r\nHost: a\r\n\r\n',
      'GET * HTTP/1.1\r\nHost: a\r\n\r\n',
      'GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n',
      'GET /a"b HTTP/1.1\r\nHost: a\r\n\r\n',
      'GET / HTTP/2.0\r\nHost: a\r\n\r\n',
      'GET / HTTP/1.1\nHost: a\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a\n\r\n',
      'GET / HTTP/1.1\r\nHost : a\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a \r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a\r\n b\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a\x01b\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: caf\xe9\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a\r\nContent-Length: +1\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a\r\nProxy-Connection: close\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a\r\nConnection: close,\tfoo\r\n\r\n',
    ];
    const out = new ParsedHead();
    for (const head of declined) assert.equal(parseRequestHead(Buffer.from(head, 'latin1'), 0, 0, out), false, JSON.stringify(head));
    const declinedResponses = [
      'HTTP/1.1 200 OK\r\nServer: t\r\n\r\n', // delimited by the close
      'HTTP/1.1 100 Continue\r\n\r\n',
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: ws\r\nConnection: upgrade\r\n\r\n',
      'HTTP/1.1 200\r\nContent-Length: 1\r\n\r\n',
      'HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n',
      'HTTP/1.1 600 X\r\nContent-Length: 1\r\n\r\n',
    ];
    for (const head of declinedResponses) assert.equal(parseResponseHead(Buffer.from(head, 'latin1'), 0, 0, out), false, JSON.stringify(head));
    // Longer than the header limit: llhttp answers 431.
    const big = Buffer.from(`GET / HTTP/1.1\r\nHost: a\r\nX: ${'y'.repeat(100)}\r\n\r\n`, 'latin1');
    assert.equal(parseRequestHead(big, 0, 64, out), false);
    assert.equal(parseRequestHead(big, 0, 0, out), true);
  });

  it('never disagrees with llhttp on mutated heads', () => {
    // A seeded generator, so a failure reproduces.
    let seed = 12345;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const interesting = [0x20, 0x3a, 0x0d, 0x0a, 0x09, 0x00, 0x7f, 0x80, 0xff, 0x2c, 0x41, 0x7a, 0x30, 0x2f, 0x3f, 0x22];
    const requests = [
      'GET /a?b=c HTTP/1.1\r\nHost: a.example:8080\r\nContent-Length: 12\r\nConnection: keep-alive\r\n\r\n',
      'POST /x HTTP/1.0\r\nhost: a\r\ncontent-length: 7\r\nconnection: Keep-Alive\r\nX-Y: z\r\n\r\n',
    ];
    const responses = [
      'HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 1024\r\nConnection: keep-alive\r\n\r\n',
      'HTTP/1.0 304 Not Modified\r\nDate: x\r\nConnection: close\r\n\r\n',
    ];
    let accepted = 0;
    for (let round = 0; round < 4000; round++) {
      const kind = round % 2 === 0 ? 'request' : 'response';
      const base = kind === 'request' ? requests[random(requests.length)] : responses[random(responses.length)];
      const bytes = [...Buffer.from(base, 'latin1')];
      const edits = 1 + random(3);
      for (let e = 0; e < edits; e++) {
        const at = random(bytes.length);
        const byte = random(3) === 0 ? random(256) : interesting[random(interesting.length)];
        const op = random(3);
        if (op === 0) bytes[at] = byte;
        else if (op === 1) bytes.splice(at, 0, byte);
        else bytes.splice(at, 1);
      }
      if (agree(kind, Buffer.from(bytes))) accepted++;
    }
    // Some mutations stay ordinary heads (a changed letter in a value, ...): both paths ran.
    assert.ok(accepted > 200, `only ${accepted} mutated heads were taken by the fast path`);
  });
});
