import { afterEach, beforeEach, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { HeaderMap } from '../../plugin-sdk/api/header-map';
import { AccessLog, defaultAccessLogPath } from '../../core/accesslog/access-log';
import { AccessLogSet } from '../../core/accesslog/access-log-set';
import { RequestLogRecord, ResponseFlag } from '../../core/accesslog/request-log-record';

const P = 'servers[0].listeners[0].access_logs[0]';

function record(i: number): RequestLogRecord {
  const r = new RequestLogRecord();
  r.start();
  r.protocol = 'Http1';
  r.responseCode = 200;
  r.bytesSent = i;
  r.requestHeaders = HeaderMap.fromObject({ 'x-request-id': `req-${i}` });
  return r;
}

function readLines(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  assert.ok(text === '' || text.endsWith('\n'), 'the file ends with a complete line');
  return text.split('\n').filter((l) => l !== '');
}

describe('AccessLog', () => {
  let dir: string;
  const open: AccessLog[] = [];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mosn-accesslog-'));
  });
  afterEach(async () => {
    AccessLog.enableAll();
    await Promise.all(open.splice(0).map((l) => l.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function create(config: { log_path?: string; log_format?: string }, options = {}): AccessLog {
    const problems: string[] = [];
    const log = AccessLog.create(config, P, problems, options);
    assert.deepEqual(problems, []);
    assert.ok(log);
    open.push(log);
    return log;
  }

  it('writes every line to a file (parent directories created) and has them all after close', async () => {
    const file = path.join(dir, 'nested', 'access.log');
    const log = create({ log_path: file, log_format: '%bytes_sent% %request_header_x-request-id% %response_code%' });
    assert.equal(log.logPath, file);
    const n = 20_000; // several MB-free batches: far more than one buffer's worth
    for (let i = 0; i < n; i++) log.log(record(i));
    await log.close();
    const lines = readLines(file);
    assert.equal(lines.length, n);
    for (let i = 0; i < n; i++) assert.equal(lines[i], `${i} req-${i} 200`);
    assert.equal(log.dropped, 0);
    assert.equal(log.closed, true);
    await log.close(); // twice is fine
    log.log(record(0)); // after close: ignored
    assert.equal(readLines(file).length, n);
  });

  it('buffers: a line is not written during log(); the periodic flush writes it later', async () => {
    const file = path.join(dir, 'a.log');
    const log = create({ log_path: file, log_format: '%protocol% %response_code%' }, { flushIntervalMs: 20 });
    log.log(record(1));
    assert.equal(fs.readFileSync(file, 'utf8'), '', 'no synchronous write per request');
    const deadline = Date.now() + 3000;
    while (fs.readFileSync(file, 'utf8') === '' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(fs.readFileSync(file, 'utf8'), 'Http1 200\n');
  });

  it('flush() writes out the buffer without closing', async () => {
    const file = path.join(dir, 'f.log');
    const log = create({ log_path: file, log_format: '%response_code%' });
    log.log(record(1));
    log.log(record(2));
    await log.flush();
    assert.deepEqual(readLines(file), ['200', '200']);
    assert.equal(log.closed, false);
  });

  it('uses MOSN\'s default format when log_format is missing', async () => {
    const file = path.join(dir, 'default.log');
    const log = create({ log_path: file });
    const r = record(5);
    r.connectionId = 3;
    r.setResponseFlag(ResponseFlag.UpstreamRequestTimeout);
    r.markFinished();
    log.log(r);
    await log.close();
    const [line] = readLines(file);
    // start_time, trace_id "-", then two spaces (MOSN's format), connection id 3, no upstream connection...
    assert.match(
      line,
      /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d\.\d{3} -  3 - 0s 0s 5 0 Http1 200 [\d.]+(ns|µs|ms|s) true 200 - - - -$/,
    );
  });

  it('shares one writer between logs on the same path; the file stays open until the last closes', async () => {
    const file = path.join(dir, 'shared.log');
    const a = create({ log_path: file, log_format: 'a %bytes_sent%' });
    const b = create({ log_path: path.join(dir, '.', 'shared.log'), log_format: 'b %bytes_sent%' });
    a.log(record(1));
    b.log(record(2));
    await a.close();
    b.log(record(3));
    await b.close();
    assert.deepEqual(readLines(file), ['a 1', 'b 2', 'b 3']);
  });

  it('an empty log_path takes the default path given by the listener (MOSN: <logs>/<listener>_access.log)', async () => {
    const expected = defaultAccessLogPath(path.join(dir, 'logs'), 'serverListener');
    assert.equal(expected, path.join(dir, 'logs', 'serverListener_access.log'));
    const log = create({ log_path: '', log_format: '%protocol%' }, { defaultLogPath: expected });
    log.log(record(1));
    await log.close();
    assert.deepEqual(readLines(expected), ['Http1']);
  });

  it('reports an unknown variable with the JSON path and opens nothing', () => {
    const file = path.join(dir, 'never.log');
    const problems: string[] = [];
    const log = AccessLog.create({ log_path: file, log_format: '%start_time% %foo%' }, P, problems);
    assert.equal(log, undefined);
    assert.deepEqual(problems, ['servers[0].listeners[0].access_logs[0].log_format: unknown variable %foo%']);
  });

  it('reports a log_path that cannot be opened, and syslog outputs', () => {
    const blocker = path.join(dir, 'a-file');
    fs.writeFileSync(blocker, '');
    const problems: string[] = [];
    assert.equal(AccessLog.create({ log_path: path.join(blocker, 'x.log') }, P, problems), undefined);
    assert.equal(AccessLog.create({ log_path: 'syslog' }, P, problems), undefined);
    assert.equal(problems.length, 2);
    assert.match(problems[0], /^servers\[0\]\.listeners\[0\]\.access_logs\[0\]\.log_path: cannot open ".*x\.log": .*(ENOTDIR|EEXIST)/);
    assert.match(problems[1], /log_path: "syslog": syslog output is not supported/);
  });

  it('survives a file that cannot be opened after all: counts errors and drops, closes, exits cleanly', async () => {
    // The config-time check passes; the writer's own (asynchronous) open then fails, as when the
    // directory changes in between. Simulated by failing fs.open for this file.
    const file = path.join(dir, 'late.log');
    const realFs = require('node:fs') as { open: (...args: unknown[]) => void };
    const realOpen = realFs.open;
    realFs.open = (...args: unknown[]) => {
      if (args[0] === file) {
        const cb = args[args.length - 1] as (err: Error) => void;
        const err = Object.assign(new Error(`EACCES: permission denied, open '${file}'`), { code: 'EACCES' });
        process.nextTick(cb, err);
        return;
      }
      realOpen.apply(realFs, args);
    };
    const seen: string[] = [];
    let log: AccessLog;
    try {
      log = create({ log_path: file, log_format: '%protocol%' }, { onError: (e: Error) => seen.push(e.message) });
      log.log(record(1));
      const deadline = Date.now() + 3000;
      while (log.errors === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    } finally {
      realFs.open = realOpen;
    }
    assert.equal(log.errors, 1);
    assert.deepEqual(seen, [`EACCES: permission denied, open '${file}'`]);
    log.log(record(2));
    assert.equal(log.dropped, 1, 'lines after the failure are dropped and counted');
    await log.flush();
    await log.close();
    assert.equal(fs.readFileSync(file, 'utf8'), '');

    // A process that exits with such a log open must not crash in its exit hook.
    const modulePath = require.resolve('../../core/accesslog/access-log');
    const recordPath = require.resolve('../../core/accesslog/request-log-record');
    const childFile = path.join(dir, 'child.log');
    const script = `
      const fs = require('node:fs');
      const realOpen = fs.open;
      fs.open = (...args) => args[0] === ${JSON.stringify(childFile)}
        ? process.nextTick(args[args.length - 1], Object.assign(new Error('EACCES'), { code: 'EACCES' }))
        : realOpen.apply(fs, args);
      const { AccessLog } = require(${JSON.stringify(modulePath)});
      const { RequestLogRecord } = require(${JSON.stringify(recordPath)});
      const log = AccessLog.create({ log_path: ${JSON.stringify(childFile)} }, 'x', []);
      log.log(new RequestLogRecord());
      setTimeout(() => { if (log.errors !== 1) process.exit(3); log.log(new RequestLogRecord()); process.exit(0); }, 100);
    `;
    const out = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(out.status, 0, out.stderr);
  });

  it('reopenAll moves later lines to a new file after rotation', async () => {
    const file = path.join(dir, 'rotate.log');
    const log = create({ log_path: file, log_format: '%bytes_sent%' });
    log.log(record(1));
    await log.flush();
    fs.renameSync(file, file + '.1');
    AccessLog.reopenAll();
    await new Promise((r) => setTimeout(r, 20));
    log.log(record(2));
    await log.close();
    assert.deepEqual(readLines(file + '.1'), ['1']);
    assert.deepEqual(readLines(file), ['2']);
  });

  it('disableAll stops writing until enableAll', async () => {
    const file = path.join(dir, 'toggle.log');
    const log = create({ log_path: file, log_format: '%bytes_sent%' });
    AccessLog.disableAll();
    assert.equal(AccessLog.allDisabled, true);
    log.log(record(1));
    AccessLog.enableAll();
    log.log(record(2));
    await log.close();
    assert.deepEqual(readLines(file), ['2']);
  });

  it('writes to stdout and flushes buffered lines when the process exits without close()', () => {
    const modulePath = require.resolve('../../core/accesslog/access-log');
    const recordPath = require.resolve('../../core/accesslog/request-log-record');
    for (const ending of ['', 'process.exit(0);']) {
      const script = `
        const { AccessLog } = require(${JSON.stringify(modulePath)});
        const { RequestLogRecord } = require(${JSON.stringify(recordPath)});
        const problems = [];
        const log = AccessLog.create({ log_path: 'stdout', log_format: 'line %bytes_sent% %protocol%' }, 'x', problems);
        if (problems.length) throw new Error(problems.join('; '));
        const r = new RequestLogRecord();
        r.protocol = 'bolt';
        for (let i = 0; i < 3; i++) { r.bytesSent = i; log.log(r); }
        ${ending}
      `;
      const out = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10_000 });
      assert.equal(out.status, 0, out.stderr);
      assert.equal(out.stdout, 'line 0 bolt\nline 1 bolt\nline 2 bolt\n', `ending ${JSON.stringify(ending)}`);
    }
  });
});

describe('AccessLogSet', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mosn-accesslogset-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes a record to each log of a listener', async () => {
    const one = path.join(dir, 'one.log');
    const two = path.join(dir, 'two.log');
    const problems: string[] = [];
    const set = AccessLogSet.create(
      [
        { log_path: one, log_format: '1 %response_code%' },
        { log_path: two, log_format: '2 %request_header_x-request-id%' },
      ],
      'servers[0].listeners[0].access_logs',
      problems,
    );
    assert.deepEqual(problems, []);
    assert.ok(set);
    assert.equal(set.size, 2);
    set.log(record(7));
    await set.close();
    assert.deepEqual(readLines(one), ['1 200']);
    assert.deepEqual(readLines(two), ['2 req-7']);
  });

  it('is empty without access_logs, and reports bad entries by index', () => {
    const problems: string[] = [];
    assert.equal(AccessLogSet.create(undefined, 'l.access_logs', problems), AccessLogSet.EMPTY);
    AccessLogSet.EMPTY.log(new RequestLogRecord());
    const set = AccessLogSet.create(
      [{ log_path: path.join(dir, 'ok.log') }, { log_path: path.join(dir, 'bad.log'), log_format: '%nope%' }],
      'servers[0].listeners[1].access_logs',
      problems,
    );
    assert.equal(set, undefined);
    assert.deepEqual(problems, ['servers[0].listeners[1].access_logs[1].log_format: unknown variable %nope%']);
  });
});
