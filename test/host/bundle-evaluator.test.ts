import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import * as sdk from '../../plugin-sdk';
import { evaluateBundle } from '../../core/host/bundle-evaluator';

const FILE = path.join(path.sep, 'plugins', 'sample', 'dist', 'index.js');

describe('evaluateBundle', () => {
  it('returns module.exports, with exports, __filename and __dirname as in CommonJS', () => {
    const exports = evaluateBundle('exports.a = 1; module.exports.file = __filename; exports.dir = __dirname; exports.self = this === exports;', FILE) as Record<string, unknown>;
    assert.deepEqual(exports, { a: 1, file: FILE, dir: path.dirname(FILE), self: true });
    assert.deepEqual(evaluateBundle('module.exports = 42;', FILE), 42);
  });

  it("resolves mosn-plugin-sdk to the host's own SDK module", () => {
    const exports = evaluateBundle('const s = require("mosn-plugin-sdk"); module.exports = { s, status: s.FilterStatus };', FILE) as { s: unknown; status: unknown };
    assert.equal(exports.s, sdk);
    assert.equal(exports.status, sdk.FilterStatus);
  });

  it('gives node built-ins, with or without the node: prefix', () => {
    const exports = evaluateBundle('module.exports = [require("node:crypto"), require("events"), require("fs/promises")];', FILE) as unknown[];
    assert.deepEqual(exports, [require('node:crypto'), require('node:events'), require('node:fs/promises')]);
  });

  it('refuses anything else: dependencies belong in the bundle', () => {
    assert.throws(() => evaluateBundle('require("left-pad");', FILE), { message: 'bundle requires "left-pad"; bundle your dependencies' });
    assert.throws(() => evaluateBundle('require("./other.js");', FILE), { message: 'bundle requires "./other.js"; bundle your dependencies' });
  });

  it('names the bundle in stack traces and syntax errors', () => {
    const exports = evaluateBundle('module.exports = function fail() {\n  throw new Error("inside");\n};', FILE) as () => void;
    assert.throws(exports, (err: Error) => err.stack?.includes(`${FILE}:2:`) === true);
    assert.throws(() => evaluateBundle('let = ;', FILE), (err: Error) => err instanceof SyntaxError && err.stack?.startsWith(`${FILE}:1`) === true);
  });

  it('keeps no reference to the code once the caller drops the exports', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const evaluated = new WeakRef(evaluateBundle('const big = Buffer.alloc(1 << 20); module.exports = { activate() { return big.length; } };', FILE) as object);
    for (let i = 0; i < 10 && evaluated.deref() !== undefined; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      gc();
    }
    assert.equal(evaluated.deref(), undefined);
  });
});
