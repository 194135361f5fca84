import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { HeaderMap } from '../../plugin-sdk/api/header-map';
import {
  ACCESS_LOG_VARIABLES,
  DEFAULT_ACCESS_LOG_FORMAT,
  accessLogFormatParseCount,
  compileAccessLogFormat,
  escapeControlChars,
  formatGoDuration,
  formatStartTime,
  parseAccessLogFormat,
  type AccessLogFormatter,
} from '../../core/accesslog/access-log-format';
import { RequestLogRecord, ResponseFlag, formatHostPort } from '../../core/accesslog/request-log-record';

const WHERE = 'servers[0].listeners[0].access_logs[0].log_format';

/** 2024-03-05 06:07:08.009 local time. */
const START = new Date(2024, 2, 5, 6, 7, 8, 9).getTime();

function filled(): RequestLogRecord {
  const r = new RequestLogRecord();
  r.startTime = START;
  r.startHr = 1000;
  r.endHr = 1012.345678;
  r.requestReceivedDurationNs = 1_500; // 1.5µs
  r.responseReceivedDurationNs = 2_250_000; // 2.25ms
  r.requestFinishedDurationNs = 12_000_000; // 12ms
  r.processTimeDurationNs = 750; // 750ns
  r.bytesReceived = 123;
  r.bytesSent = 4567;
  r.protocol = 'Http1';
  r.responseCode = 200;
  r.responseFlags = 0;
  r.upstreamHost = '10.0.0.2:8080';
  r.upstreamCluster = 'backend';
  r.upstreamLocalAddress = '10.0.0.1:50000';
  r.downstreamLocalAddress = '127.0.0.1:2045';
  r.downstreamRemoteAddress = '127.0.0.1:61000';
  r.routeName = 'r1';
  r.requestedServerName = 'example.com';
  r.listenerName = 'serverListener';
  r.traceId = '0a1b2c3d';
  r.connectionId = 7;
  r.upstreamConnectionId = 9;
  r.streamId = 42;
  r.requestHeaders = HeaderMap.fromObject({ ':method': 'GET', 'X-Request-Id': 'abc', service: 'com.foo.Bar' });
  r.responseHeaders = HeaderMap.fromObject({ ':status': '200', Server: 'upstream' });
  return r;
}

function compile(format: string | undefined): AccessLogFormatter {
  const problems: string[] = [];
  const f = compileAccessLogFormat(format, WHERE, problems);
  assert.deepEqual(problems, []);
  assert.ok(f);
  return f;
}

describe('formatGoDuration (Go time.Duration.String)', () => {
  it('prints each unit as Go does', () => {
    const cases: [number, string][] = [
      [0, '0s'],
      [1, '1ns'],
      [999, '999ns'],
      [1_000, '1µs'],
      [1_500, '1.5µs'],
      [1_234_567, '1.234567ms'],
      [2_250_000, '2.25ms'],
      [1_000_000_000, '1s'],
      [1_500_000_000, '1.5s'],
      [60_000_000_000, '1m0s'],
      [61_000_000_001, '1m1.000000001s'],
      [3_600_000_000_000, '1h0m0s'],
      [3_723_500_000_000, '1h2m3.5s'],
      [-1_500, '-1.5µs'],
    ];
    for (const [ns, want] of cases) assert.equal(formatGoDuration(ns), want, `${ns}ns`);
    assert.equal(formatGoDuration(1_500).includes('\u00b5'), true, 'micro sign U+00B5 as Go');
  });
});

describe('formatStartTime (Go layout 2006/01/02 15:04:05.000, local time)', () => {
  it('prints date, time and milliseconds', () => {
    assert.equal(formatStartTime(START), '2024/03/05 06:07:08.009');
    assert.equal(formatStartTime(START + 991), '2024/03/05 06:07:09.000');
    assert.equal(formatStartTime(START + 120), '2024/03/05 06:07:08.129');
    assert.equal(formatStartTime(0), '-');
  });
});

describe('compileAccessLogFormat', () => {
  it('renders every variable', () => {
    const r = filled();
    const want: Record<string, string> = {
      start_time: '2024/03/05 06:07:08.009',
      request_received_duration: '1.5µs',
      response_received_duration: '2.25ms',
      request_finished_duration: '12ms',
      process_time_duration: '750ns',
      bytes_sent: '4567',
      bytes_received: '123',
      protocol: 'Http1',
      response_code: '200',
      duration: '12.345678ms',
      response_flag: 'false',
      response_flags: 'false',
      response_flag_codes: '-',
      upstream_local_address: '10.0.0.1:50000',
      downstream_local_address: '127.0.0.1:2045',
      downstream_remote_address: '127.0.0.1:61000',
      upstream_host: '10.0.0.2:8080',
      upstream_transport_failure_reason: '0x0',
      upstream_cluster: 'backend',
      route_name: 'r1',
      requested_server_name: 'example.com',
      listener_name: 'serverListener',
      trace_id: '0a1b2c3d',
      connection_id: '7',
      upstream_connection_id: '9',
      stream_id: '42',
    };
    assert.deepEqual([...ACCESS_LOG_VARIABLES].sort(), Object.keys(want).sort(), 'every variable has a case here');
    for (const name of ACCESS_LOG_VARIABLES) {
      assert.equal(compile(`[%${name}%]`)(r), `[${want[name]}]`, name);
    }
    // All at once, separated by "|".
    const all = ACCESS_LOG_VARIABLES.map((n) => `%${n}%`).join('|');
    assert.equal(compile(all)(r), ACCESS_LOG_VARIABLES.map((n) => want[n]).join('|'));
  });

  it('names the flags with Envoy\'s short codes in %response_flag_codes% (a mosn-ts addition)', () => {
    const r = filled();
    r.setResponseFlag(ResponseFlag.UpstreamOverflow);
    r.setResponseFlag(ResponseFlag.NoRouteFound);
    assert.equal(compile('%response_flag_codes% %response_flag%')(r), 'UO,NR true');
  });

  it('uses MOSN\'s default format when log_format is empty or missing', () => {
    assert.equal(
      DEFAULT_ACCESS_LOG_FORMAT,
      '%start_time% %trace_id%  %connection_id% %upstream_connection_id% %request_received_duration% %response_received_duration% %bytes_sent% ' +
        '%bytes_received% %protocol% %response_code% %duration% %response_flag% %response_code% %upstream_local_address% ' +
        '%downstream_local_address% %downstream_remote_address% %upstream_host%',
    );
    const line =
      '2024/03/05 06:07:08.009 0a1b2c3d  7 9 1.5µs 2.25ms 4567 123 Http1 200 12.345678ms false 200 10.0.0.1:50000 ' +
      '127.0.0.1:2045 127.0.0.1:61000 10.0.0.2:8080';
    assert.equal(compile(undefined)(filled()), line);
    assert.equal(compile('')(filled()), line);
    assert.equal(compile(DEFAULT_ACCESS_LOG_FORMAT)(filled()), line);
  });

  it('prints "-" for what is not known, as MOSN does', () => {
    const r = new RequestLogRecord();
    const f = compile(
      '%start_time% %trace_id% %connection_id% %upstream_connection_id% %stream_id% %protocol% %upstream_local_address% ' +
        '%downstream_local_address% %downstream_remote_address% %upstream_host% %upstream_cluster% %route_name% ' +
        '%requested_server_name% %listener_name% %request_header_x-a% %response_header_x-b%',
    );
    assert.equal(f(r), Array(16).fill('-').join(' '));
    // Numbers MOSN always prints keep their zero values.
    assert.equal(
      compile('%bytes_sent% %bytes_received% %response_code% %request_received_duration% %duration% %response_flag% %upstream_transport_failure_reason%')(r),
      '0 0 0 0s 0s false 0x0',
    );
  });

  it('prints response flags as MOSN does: %response_flag% true/false, the reason as hex', () => {
    const r = filled();
    r.setResponseFlag(ResponseFlag.NoHealthyUpstream);
    r.setResponseFlag(ResponseFlag.UpstreamRequestTimeout);
    const f = compile('%response_flag% %response_flags% %upstream_transport_failure_reason%');
    assert.equal(f(r), 'true true 0x6');
    r.setResponseFlag(ResponseFlag.DownStreamTerminate);
    assert.equal(f(r), 'true true 0x2006');
    r.upstreamTransportFailureReason = 'connect ECONNREFUSED\n10.0.0.2:8080';
    assert.equal(f(r), 'true true connect ECONNREFUSED\\n10.0.0.2:8080');
  });

  it('reads request and response headers case-insensitively', () => {
    const r = filled();
    const f = compile('%request_header_x-request-id% %request_header_SERVICE% %request_header_:method% %response_header_server% %response_header_:status% %response_header_x-none%');
    assert.equal(f(r), 'abc com.foo.Bar GET upstream 200 -');
    r.requestHeaders = undefined;
    assert.equal(f(r), '- - - upstream 200 -');
  });

  it('escapes control characters of header values so a header cannot forge a line', () => {
    const r = filled();
    r.requestHeaders = HeaderMap.fromObject({ 'x-evil': 'a\nfake line\r\t\u0001' });
    assert.equal(compile('%request_header_x-evil%')(r), 'a\\nfake line\\r\\t\\x01');
    assert.equal(escapeControlChars('plain'), 'plain');
  });

  it('keeps literal text, "\\%" as a percent sign, and UTF-8', () => {
    const r = filled();
    assert.equal(compile('no variables at all')(r), 'no variables at all');
    assert.equal(compile('100\\% [%response_code%] é→%protocol%!')(r), '100% [200] é→Http1!');
    assert.equal(compile('%protocol%%response_code%')(r), 'Http1200');
  });

  it('reports an unknown variable as a config problem with the JSON path', () => {
    const problems: string[] = [];
    const f = compileAccessLogFormat('%start_time% %foo% %bar%', WHERE, problems);
    assert.equal(f, undefined);
    assert.deepEqual(problems, [
      'servers[0].listeners[0].access_logs[0].log_format: unknown variable %foo%',
      'servers[0].listeners[0].access_logs[0].log_format: unknown variable %bar%',
    ]);
  });

  it('reports a header variable without a header name', () => {
    const problems: string[] = [];
    assert.equal(compileAccessLogFormat('%request_header_%', WHERE, problems), undefined);
    assert.match(problems[0], /log_format: variable %request_header_% needs a header name/);
  });

  it('prints "-" for unknown variables when asked for MOSN\'s behaviour', () => {
    const problems: string[] = [];
    const f = compileAccessLogFormat('%RESPONSE_FLAGS% %protocol%', WHERE, problems, { unknownVariables: 'dash' });
    assert.deepEqual(problems, []);
    assert.equal(f?.(filled()), '- Http1');
  });

  it('reports "%%" and an unclosed "%" as MOSN does', () => {
    const problems: string[] = [];
    assert.equal(compileAccessLogFormat('send to %%', WHERE, problems), undefined);
    assert.equal(compileAccessLogFormat('send to %upstream_host', WHERE, problems), undefined);
    assert.equal(problems.length, 2);
    assert.match(problems[0], /^servers\[0\]\.listeners\[0\]\.access_logs\[0\]\.log_format: empty variable definition "%%" at offset 8$/);
    assert.match(problems[1], /log_format: unclosed variable definition at offset 8/);
  });

  it('parses into text and variables', () => {
    assert.deepEqual(parseAccessLogFormat('a %b% c\\%d %e%', WHERE, []), [
      { text: 'a ' },
      { variable: 'b' },
      { text: ' c%d ' },
      { variable: 'e' },
    ]);
  });

  it('appends the line terminator at compile time', () => {
    const f = compileAccessLogFormat('%protocol%', WHERE, [], { lineTerminator: '\n' });
    assert.equal(f?.(filled()), 'Http1\n');
  });

  it('parses a format once: rendering never parses, and a format compiled again is the same function', () => {
    const format = '%start_time% %protocol% %request_header_x-request-id% (parse-once check)';
    const f = compile(format);
    const parsesAfterCompile = accessLogFormatParseCount();
    const r = filled();
    let last = '';
    for (let i = 0; i < 1000; i++) {
      r.bytesSent = i;
      last = f(r);
    }
    assert.equal(last, '2024/03/05 06:07:08.009 Http1 abc (parse-once check)');
    assert.equal(accessLogFormatParseCount(), parsesAfterCompile, 'rendering 1000 records parsed nothing');
    assert.equal(compile(format), f, 'the compiled formatter is reused');
    assert.equal(accessLogFormatParseCount(), parsesAfterCompile, 'compiling a known format parsed nothing');
  });
});

describe('RequestLogRecord', () => {
  it('resets every field to its initial value', () => {
    const fresh = new RequestLogRecord();
    const r = filled();
    r.setResponseFlag(ResponseFlag.NoRouteFound);
    r.upstreamTransportFailureReason = 'x';
    r.reset();
    assert.deepEqual({ ...r }, { ...fresh });
    assert.deepEqual(Object.keys(r), Object.keys(fresh), 'same fields in the same order');
  });

  it('measures durations from start()', async () => {
    const r = new RequestLogRecord();
    r.start();
    assert.ok(Math.abs(r.startTime - Date.now()) < 1000);
    await new Promise((res) => setTimeout(res, 5));
    r.markRequestReceived();
    r.markResponseReceived();
    r.markFinished();
    assert.ok(r.requestReceivedDurationNs >= 4_000_000, `request received ${r.requestReceivedDurationNs}`);
    assert.ok(r.responseReceivedDurationNs >= r.requestReceivedDurationNs);
    assert.ok(r.requestFinishedDurationNs >= r.responseReceivedDurationNs);
    const d = r.durationNs();
    assert.equal(r.durationNs(), d, 'duration is fixed once finished');
    assert.equal(r.hasResponseFlag(ResponseFlag.NoRouteFound), false);
    r.setResponseFlag(ResponseFlag.NoRouteFound);
    assert.equal(r.hasResponseFlag(ResponseFlag.NoRouteFound), true);
  });

  it('formats addresses as Go prints TCP addresses', () => {
    assert.equal(formatHostPort('::ffff:127.0.0.1', 80), '127.0.0.1:80');
    assert.equal(formatHostPort('10.0.0.1', 2045), '10.0.0.1:2045');
    assert.equal(formatHostPort('::1', 443), '[::1]:443');
    assert.equal(formatHostPort(undefined, 1), '');
  });
});
