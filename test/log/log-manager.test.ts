import { afterEach, beforeEach, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import pino from 'pino';
import type { Logger as SdkLogger } from '../../plugin-sdk/api/logger';
import { LogManager } from '../../core/log/log-manager';
import { mosnLevelOf, parseMosnLevel, pinoLevelOf } from '../../core/log/mosn-log-level';

function lines(file: string): Record<string, unknown>[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('LogManager', () => {
  let dir: string;
  let file: string;
  let manager: LogManager | undefined;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mosn-log-'));
    file = path.join(dir, 'nested', 'deeper', 'mosn.log');
  });
  afterEach(async () => {
    await manager?.close();
    manager = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes to a file path, creating parent directories, at the configured level', () => {
    manager = new LogManager({ path: file, level: 'WARN' });
    manager.logger.info('hidden');
    manager.logger.warn({ listener: 'egress' }, 'shown');
    const written = lines(file);
    assert.equal(written.length, 1);
    assert.equal(written[0].msg, 'shown');
    assert.equal(written[0].level, 'warn');
    assert.equal(written[0].listener, 'egress');
    assert.equal(typeof written[0].time, 'string');
  });

  it('satisfies the SDK Logger interface, children included', () => {
    manager = new LogManager({ path: file, level: 'INFO' });
    const sdk: SdkLogger = manager.logger;
    sdk.child({ plugin: 'p1' }).info({ a: 1 }, 'from plugin');
    sdk.error('plain string');
    const [first, second] = lines(file);
    assert.equal(first.plugin, 'p1');
    assert.equal(first.a, 1);
    assert.equal(second.msg, 'plain string');
  });

  it('reports levels by path and changes them; children follow', () => {
    manager = new LogManager({ path: file, level: 'INFO' });
    const child = manager.child({ conn: 7 });
    assert.deepEqual(manager.getLevels(), { [file]: 'INFO' });
    child.debug('before');
    assert.equal(manager.setLevel(file, 'DEBUG'), true);
    child.debug('after');
    assert.deepEqual(manager.getLevels(), { [file]: 'DEBUG' });
    assert.equal(manager.setLevel(undefined, 'trace'), true, 'undefined path = server log, lower case accepted');
    assert.deepEqual(manager.getLevels(), { [file]: 'TRACE' });
    assert.equal(manager.setLevel(file, 'VERBOSE'), false);
    assert.equal(manager.setLevel('/other.log', 'INFO'), false);
    assert.deepEqual(lines(file).map((l) => [l.msg, l.conn]), [['after', 7]]);
  });

  it('disables and enables a log, keeping its level', () => {
    manager = new LogManager({ path: file, level: 'INFO' });
    assert.equal(manager.disable(file), true);
    manager.logger.fatal('dropped');
    assert.equal(manager.setLevel(file, 'DEBUG'), true, 'level changes while disabled are kept');
    manager.logger.info('dropped too');
    assert.deepEqual(manager.getLevels(), { [file]: 'DEBUG' });
    assert.equal(manager.enable(file), true);
    manager.logger.debug('back');
    assert.deepEqual(lines(file).map((l) => l.msg), ['back']);
    assert.equal(manager.enable('/nope'), false);
    assert.equal(manager.disable('/nope'), false);
  });

  it('registers more logs by path', () => {
    manager = new LogManager({ path: file, level: 'INFO' });
    const accessFile = path.join(dir, 'access.log');
    const access = pino({ level: 'info' }, pino.destination({ dest: accessFile, sync: true }));
    manager.register(accessFile, access);
    assert.throws(() => manager?.register(accessFile, access), /already registered/);
    assert.deepEqual(manager.getLevels(), { [file]: 'INFO', [accessFile]: 'INFO' });
    assert.equal(manager.disable(accessFile), true);
    access.info('dropped');
    assert.equal(manager.enable(accessFile), true);
    access.info('kept');
    assert.deepEqual(lines(accessFile).map((l) => l.msg), ['kept']);
    assert.equal(manager.unregister(file), false, 'the server log stays');
    assert.equal(manager.unregister(accessFile), true);
    assert.deepEqual(manager.getLevels(), { [file]: 'INFO' });
  });

  it('refuses an unknown level', () => {
    assert.throws(() => new LogManager({ path: file, level: 'LOUD' }), /unknown log level "LOUD"/);
  });

  it('close() is idempotent and the file holds every line', async () => {
    manager = new LogManager({ path: file, level: 'INFO' });
    for (let i = 0; i < 100; i++) manager.logger.info({ i }, 'line');
    await manager.close();
    await manager.close();
    assert.equal(lines(file).length, 100);
  });

  it('writes to stdout and stderr without losing lines on exit', () => {
    const modulePath = require.resolve('../../core/log/log-manager');
    for (const stream of ['stdout', 'stderr'] as const) {
      const script = `
        const { LogManager } = require(${JSON.stringify(modulePath)});
        const m = new LogManager({ path: ${JSON.stringify(stream)}, level: 'INFO' });
        for (let i = 0; i < 500; i++) m.logger.info({ i }, 'line');
        process.exit(0);`;
      const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
      const out = stream === 'stdout' ? run.stdout : run.stderr;
      const got = out.split('\n').filter((l) => l.length > 0);
      assert.equal(got.length, 500, stream);
      assert.equal(JSON.parse(got[499]).i, 499);
    }
  });
});

describe('MOSN level names', () => {
  it('map to pino levels and back', () => {
    assert.equal(parseMosnLevel('warn'), 'WARN');
    assert.equal(parseMosnLevel('NOTICE'), undefined);
    assert.equal(pinoLevelOf('FATAL'), 'fatal');
    assert.equal(pinoLevelOf('TRACE'), 'trace');
    assert.equal(mosnLevelOf('debug'), 'DEBUG');
    assert.equal(mosnLevelOf('silent'), undefined);
  });
});
