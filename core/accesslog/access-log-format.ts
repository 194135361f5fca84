import type { RequestLogRecord } from './request-log-record';
import { formatResponseFlag, formatResponseFlagHex, formatResponseFlagShortCodes } from './response-flags';

/**
 * MOSN access log formats (pkg/log/accesslog.go, variables of pkg/proxy/var.go and pkg/types/variable.go).
 *
 * A format is literal text with variables between '%': "%start_time% %protocol% %response_code%".
 * It is parsed once, into a list of getters; rendering a record walks that list (no parsing, no
 * lookups by name per request).
 *
 * Differences from MOSN, on purpose:
 *   - an unknown variable is a config problem (MOSN prints "-" for it, to tolerate istio's
 *     Envoy-style fields); `{ unknownVariables: 'dash' }` gives MOSN's behaviour;
 *   - `\%` prints a '%' (MOSN keeps the backslash in the output);
 *   - header values and other peer-supplied strings have control characters escaped (\n, \r, \t,
 *     \xNN) so a header cannot forge log lines;
 *   - strings MOSN prints empty (an unknown protocol) print "-".
 */

/** MOSN's DefaultAccessLogFormat (pkg/types/accesslog.go), byte for byte: the double space after
 * %trace_id% and the repeated %response_code% are MOSN's, kept so that parsers of MOSN logs work. */
export const DEFAULT_ACCESS_LOG_FORMAT =
  '%start_time% %trace_id%  %connection_id% %upstream_connection_id% %request_received_duration% %response_received_duration% %bytes_sent%' +
  ' ' +
  '%bytes_received% %protocol% %response_code% %duration% %response_flag% %response_code% %upstream_local_address%' +
  ' ' +
  '%downstream_local_address% %downstream_remote_address% %upstream_host%';

/** What MOSN prints when a variable has no value (mosn.io/pkg/variable ValueNotFound). */
export const VALUE_NOT_FOUND = '-';

/** Prefix of request header variables: %request_header_<name>% (MOSN types.VarPrefixReqHeader). */
export const REQUEST_HEADER_PREFIX = 'request_header_';
/** Prefix of response header variables: %response_header_<name>% (MOSN types.VarPrefixRespHeader). */
export const RESPONSE_HEADER_PREFIX = 'response_header_';

/** Renders one record as a log line (without the line terminator unless compiled with one). */
export type AccessLogFormatter = (record: RequestLogRecord) => string;

type Getter = (record: RequestLogRecord) => string;

export interface CompileOptions {
  /** Text appended to every line (the access log compiles with "\n" so no concatenation is needed per line). */
  lineTerminator?: string;
  /** 'problem' (default): an unknown variable is a config problem; 'dash': printed as "-", as MOSN does. */
  unknownVariables?: 'problem' | 'dash';
}

// ---------------------------------------------------------------------------------------------
// Value formatting

/**
 * A duration as Go's time.Duration.String() prints it (MOSN prints durations that way):
 * "0s", "750ns", "1.5µs" (U+00B5), "12.345678ms", "1.5s", "2m3.000000001s", "1h0m0s".
 */
export function formatGoDuration(ns: number): string {
  if (!Number.isFinite(ns)) return VALUE_NOT_FOUND;
  let u = Math.round(ns);
  if (u === 0) return '0s';
  let sign = '';
  if (u < 0) {
    sign = '-';
    u = -u;
  }
  if (u < 1e3) return sign + u + 'ns';
  if (u < 1e6) return sign + withFraction(u, 1e3, 3) + '\u00b5s';
  if (u < 1e9) return sign + withFraction(u, 1e6, 6) + 'ms';
  const totalSeconds = Math.floor(u / 1e9);
  const fraction = fractionDigits(u - totalSeconds * 1e9, 9);
  let out = (totalSeconds % 60) + fraction + 's';
  const totalMinutes = Math.floor(totalSeconds / 60);
  if (totalMinutes > 0) {
    out = (totalMinutes % 60) + 'm' + out;
    const hours = Math.floor(totalMinutes / 60);
    if (hours > 0) out = hours + 'h' + out;
  }
  return sign + out;
}

/** "<whole>[.<fraction without trailing zeros>]" of `value / unit`. */
function withFraction(value: number, unit: number, digits: number): string {
  const whole = Math.floor(value / unit);
  return whole + fractionDigits(value - whole * unit, digits);
}

/** ".ddd" of `rest` (< 10^digits) with trailing zeros dropped; "" when rest is 0 (Go's fmtFrac). */
function fractionDigits(rest: number, digits: number): string {
  if (rest === 0) return '';
  while (rest % 10 === 0) {
    rest /= 10;
    digits--;
  }
  const s = String(rest);
  return s.length === digits ? '.' + s : '.' + '0'.repeat(digits - s.length) + s;
}

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

function pad3(n: number): string {
  return n < 10 ? '00' + n : n < 100 ? '0' + n : String(n);
}

// The "YYYY/MM/DD HH:MM:SS" part changes once a second: keep the last one.
let cachedSecond = Number.NaN;
let cachedSecondText = '';

/** Go layout "2006/01/02 15:04:05.000" in local time, as MOSN prints %start_time%. */
export function formatStartTime(epochMs: number): string {
  if (!(epochMs > 0)) return VALUE_NOT_FOUND;
  const ms = Math.floor(epochMs);
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    const d = new Date(second * 1000);
    const y = d.getFullYear();
    cachedSecondText =
      (y < 1000 ? String(y).padStart(4, '0') : String(y)) +
      '/' + pad2(d.getMonth() + 1) +
      '/' + pad2(d.getDate()) +
      ' ' + pad2(d.getHours()) +
      ':' + pad2(d.getMinutes()) +
      ':' + pad2(d.getSeconds());
    cachedSecond = second;
  }
  return cachedSecondText + '.' + pad3(ms - second * 1000);
}

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\x00-\x1f\x7f]/;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS_G = /[\x00-\x1f\x7f]/g;

/** Escapes control characters of a peer-supplied value so it stays on its log line. */
export function escapeControlChars(value: string): string {
  if (!CONTROL_CHARS.test(value)) return value;
  return value.replace(CONTROL_CHARS_G, (c) => {
    switch (c) {
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      default:
        return '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0');
    }
  });
}

function orDash(s: string): string {
  return s === '' ? VALUE_NOT_FOUND : s;
}

function idOrDash(id: number): string {
  return id > 0 ? String(id) : VALUE_NOT_FOUND;
}

// ---------------------------------------------------------------------------------------------
// Variables

/**
 * The variables an access log format can name, as MOSN spells them. Registered proxy variables
 * (pkg/proxy/var.go builtinVariables), the context variables of MOSN's default format
 * (pkg/types/variable.go), and names MOSN declares in types but never registers (route_name,
 * requested_server_name: MOSN prints "-" for them; mosn-ts prints the value).
 */
const VARIABLES: Readonly<Record<string, Getter>> = Object.freeze({
  start_time: (r) => formatStartTime(r.startTime),
  request_received_duration: (r) => formatGoDuration(r.requestReceivedDurationNs),
  response_received_duration: (r) => formatGoDuration(r.responseReceivedDurationNs),
  request_finished_duration: (r) => formatGoDuration(r.requestFinishedDurationNs),
  process_time_duration: (r) => formatGoDuration(r.processTimeDurationNs),
  bytes_sent: (r) => String(r.bytesSent),
  bytes_received: (r) => String(r.bytesReceived),
  protocol: (r) => orDash(r.protocol),
  response_code: (r) => String(r.responseCode),
  duration: (r) => formatGoDuration(r.durationNs()),
  response_flag: (r) => formatResponseFlag(r.responseFlags),
  response_flags: (r) => formatResponseFlag(r.responseFlags),
  // mosn-ts addition: MOSN prints only true/false; Envoy's short codes (UO, UF, NR, UT…) say which.
  response_flag_codes: (r) => formatResponseFlagShortCodes(r.responseFlags),
  upstream_local_address: (r) => orDash(r.upstreamLocalAddress),
  downstream_local_address: (r) => orDash(r.downstreamLocalAddress),
  downstream_remote_address: (r) => orDash(r.downstreamRemoteAddress),
  upstream_host: (r) => orDash(r.upstreamHost),
  upstream_transport_failure_reason: (r) =>
    r.upstreamTransportFailureReason !== ''
      ? escapeControlChars(r.upstreamTransportFailureReason)
      : formatResponseFlagHex(r.responseFlags),
  upstream_cluster: (r) => orDash(r.upstreamCluster),
  route_name: (r) => orDash(r.routeName),
  requested_server_name: (r) => orDash(escapeControlChars(r.requestedServerName)),
  listener_name: (r) => orDash(r.listenerName),
  trace_id: (r) => orDash(escapeControlChars(r.traceId)),
  connection_id: (r) => idOrDash(r.connectionId),
  upstream_connection_id: (r) => idOrDash(r.upstreamConnectionId),
  stream_id: (r) => idOrDash(r.streamId),
});

/** Every plain variable name a format may use (header variables are prefixes, see above). */
export const ACCESS_LOG_VARIABLES: readonly string[] = Object.freeze(Object.keys(VARIABLES));

function requestHeaderGetter(name: string): Getter {
  const key = name.toLowerCase();
  return (r) => {
    const h = r.requestHeaders;
    if (h === undefined) return VALUE_NOT_FOUND;
    const v = h.get(key);
    return v === undefined ? VALUE_NOT_FOUND : escapeControlChars(v);
  };
}

function responseHeaderGetter(name: string): Getter {
  const key = name.toLowerCase();
  return (r) => {
    const h = r.responseHeaders;
    if (h === undefined) return VALUE_NOT_FOUND;
    const v = h.get(key);
    return v === undefined ? VALUE_NOT_FOUND : escapeControlChars(v);
  };
}

/** The getter of a variable name, or undefined when the name is not a variable. */
function getterOf(name: string): Getter | undefined {
  if (Object.prototype.hasOwnProperty.call(VARIABLES, name)) return VARIABLES[name];
  if (name.startsWith(REQUEST_HEADER_PREFIX) && name.length > REQUEST_HEADER_PREFIX.length) {
    return requestHeaderGetter(name.slice(REQUEST_HEADER_PREFIX.length));
  }
  if (name.startsWith(RESPONSE_HEADER_PREFIX) && name.length > RESPONSE_HEADER_PREFIX.length) {
    return responseHeaderGetter(name.slice(RESPONSE_HEADER_PREFIX.length));
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Parsing and compiling

/** One piece of a parsed format. */
export type FormatEntry = { readonly text: string } | { readonly variable: string };

let parseCount = 0;

/** How many times a format string has been parsed in this process (for tests: rendering never parses). */
export function accessLogFormatParseCount(): number {
  return parseCount;
}

/**
 * Splits a format into literal text and variable names, as MOSN's parseFormat does: '%' opens
 * and closes a variable, "\%" is a literal '%', "%%" is an empty variable (an error), an unclosed
 * '%' is an error. Problems go to `problems` prefixed with `where` (the JSON path of log_format).
 */
export function parseAccessLogFormat(format: string, where: string, problems: string[]): FormatEntry[] {
  parseCount++;
  const entries: FormatEntry[] = [];
  let text = '';
  let i = 0;
  const n = format.length;
  while (i < n) {
    const c = format.charCodeAt(i);
    if (c === 92 /* \ */ && i + 1 < n && format.charCodeAt(i + 1) === 37 /* % */) {
      text += '%';
      i += 2;
      continue;
    }
    if (c !== 37 /* % */) {
      // Copy the run of plain characters at once.
      let j = i + 1;
      while (j < n) {
        const d = format.charCodeAt(j);
        if (d === 37 || (d === 92 && j + 1 < n && format.charCodeAt(j + 1) === 37)) break;
        j++;
      }
      text += format.slice(i, j);
      i = j;
      continue;
    }
    const close = format.indexOf('%', i + 1);
    if (close < 0) {
      problems.push(
        `${where}: unclosed variable definition at offset ${i} (a "%" without its closing "%"; write "\\%" for a literal percent sign)`,
      );
      return entries;
    }
    if (close === i + 1) {
      problems.push(`${where}: empty variable definition "%%" at offset ${i}`);
      i = close + 1;
      continue;
    }
    if (text !== '') {
      entries.push({ text });
      text = '';
    }
    entries.push({ variable: format.slice(i + 1, close) });
    i = close + 1;
  }
  if (text !== '') entries.push({ text });
  return entries;
}

const cache = new Map<string, AccessLogFormatter>();
/** Upper bound of cached formats (a reload loop with ever-new formats must not grow memory). */
const CACHE_LIMIT = 256;

/**
 * Compiles a MOSN log_format into a formatter, once. An empty or missing format is MOSN's default.
 * Returns undefined (and pushes the reasons to `problems`, each starting with `where`, the JSON
 * path of the log_format field) when the format is not valid.
 *
 * Valid formats are cached by text: listeners sharing a format share the formatter.
 */
export function compileAccessLogFormat(
  format: string | undefined,
  where: string,
  problems: string[],
  options: CompileOptions = {},
): AccessLogFormatter | undefined {
  const source = format === undefined || format === '' ? DEFAULT_ACCESS_LOG_FORMAT : format;
  const terminator = options.lineTerminator ?? '';
  const unknownMode = options.unknownVariables ?? 'problem';
  const key = `${unknownMode}\u0000${terminator}\u0000${source}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached;

  const before = problems.length;
  const entries = parseAccessLogFormat(source, where, problems);
  const parts: (string | Getter)[] = [];
  const pushText = (t: string): void => {
    if (t === '') return;
    const last = parts.length - 1;
    if (last >= 0 && typeof parts[last] === 'string') parts[last] = (parts[last] as string) + t;
    else parts.push(t);
  };
  for (const e of entries) {
    if ('text' in e) {
      pushText(e.text);
      continue;
    }
    const getter = getterOf(e.variable);
    if (getter !== undefined) {
      parts.push(getter);
    } else if (unknownMode === 'dash') {
      pushText(VALUE_NOT_FOUND);
    } else if (e.variable.startsWith(REQUEST_HEADER_PREFIX) || e.variable.startsWith(RESPONSE_HEADER_PREFIX)) {
      problems.push(`${where}: variable %${e.variable}% needs a header name after "${e.variable}"`);
    } else {
      problems.push(`${where}: unknown variable %${e.variable}%`);
    }
  }
  pushText(terminator);
  if (problems.length > before) return undefined;

  const formatter = build(parts);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, formatter);
  return formatter;
}

/** A formatter over pre-split parts: literal strings are inlined, getters called in order. */
function build(parts: readonly (string | Getter)[]): AccessLogFormatter {
  const texts: string[] = [];
  const getters: Getter[] = [];
  // Normalise to text0 g0 text1 g1 ... textN: one literal (maybe "") before each getter and after the last.
  let pending = '';
  for (const p of parts) {
    if (typeof p === 'string') pending += p;
    else {
      texts.push(pending);
      getters.push(p);
      pending = '';
    }
  }
  const tail = pending;
  const n = getters.length;
  if (n === 0) return () => tail;
  return (record: RequestLogRecord): string => {
    let s = '';
    for (let i = 0; i < n; i++) s += texts[i] + getters[i](record);
    return s + tail;
  };
}
