/**
 * llhttp, as Node ships it: the native `HTTPParser` binding behind the built-in `_http_common`
 * module (a built-in, so a plugin bundle may require it). Only the parser is used, never Node's
 * `http` module objects.
 *
 * Behaviour of the binding in Node 20 that the codecs rely on (checked by experiment):
 * - Callbacks are called with the parser as `this`, so one module-level function per callback
 *   serves every connection (the codec hangs itself on the parser as `owner`).
 * - `kOnHeaders(flat, url)` comes when a header block has more than 32 fields (partial flushes,
 *   then `kOnHeadersComplete` gets `headers` and `url` undefined) and, after the headers were
 *   complete, for the trailer section of a chunked message.
 * - `kOnHeadersComplete` returns 0 (go on), 1 (the message has no body: response to HEAD), 2 (no
 *   body and stop after this message: the tunnel starts here) or -1 (refuse: `execute` returns an
 *   error with code `HPE_CB_HEADERS_COMPLETE`).
 * - `kOnBody(chunk)` gets a copy of the body bytes.
 * - After an upgrade (request with `Connection: upgrade` + `Upgrade`, CONNECT, a 101 response, or
 *   a 2 returned above), `execute` stops after that message and returns the bytes it consumed;
 *   the parser is ready for a new message if it is fed again.
 * - `pause()` inside a callback does not stop the running `execute`, so the codecs never rely on it.
 * - Errors come back as Error objects with `code` (`HPE_*`), `reason` and `bytesParsed`; the
 *   parser stays failed afterwards.
 * - Header names and values are latin1 strings of the bytes received (so latin1 encoding writes
 *   them back unchanged).
 */

/** An error `execute` or `finish` returns. */
export interface ParseError extends Error {
  code: string;
  reason?: string;
  bytesParsed?: number;
}

/** The native parser object (the subset used here). */
export interface NativeParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenientFlags: number): void;
  execute(data: Buffer): number | ParseError;
  finish(): ParseError | undefined;
  close(): void;
  /** Who the callbacks report to. */
  owner: unknown;
  /** The {@link Llhttp} wrapping it. */
  wrapper: unknown;
  [callback: number]: unknown;
}

interface HttpParserClass {
  new (): NativeParser;
  readonly REQUEST: number;
  readonly RESPONSE: number;
  readonly kOnMessageBegin: number;
  readonly kOnHeaders: number;
  readonly kOnHeadersComplete: number;
  readonly kOnBody: number;
  readonly kOnMessageComplete: number;
  readonly kLenientNone?: number;
}

const common = require('_http_common') as { HTTPParser: HttpParserClass; methods: string[] };

export const HTTPParser = common.HTTPParser;
/** Method names by the index `kOnHeadersComplete` reports. */
export const METHODS: readonly string[] = common.methods;

/** No lenient flags: strict parsing (no bare LF, no obs-fold, no CL+TE, ...). */
export const STRICT = HTTPParser.kLenientNone ?? 0;

export const K_ON_MESSAGE_BEGIN = HTTPParser.kOnMessageBegin;
export const K_ON_HEADERS = HTTPParser.kOnHeaders;
export const K_ON_HEADERS_COMPLETE = HTTPParser.kOnHeadersComplete;
export const K_ON_BODY = HTTPParser.kOnBody;
export const K_ON_MESSAGE_COMPLETE = HTTPParser.kOnMessageComplete;

/** `kOnHeadersComplete` return values. */
export const HC_CONTINUE = 0;
export const HC_NO_BODY = 1;
export const HC_TUNNEL = 2;
export const HC_REFUSE = -1;

/** Callbacks a codec implements; the parser's callbacks forward to them. */
export interface ParserOwner {
  onMessageBegin(): void;
  onHeaderChunk(flat: string[], url: string): void;
  onHeadersComplete(
    versionMajor: number,
    versionMinor: number,
    headers: string[] | undefined,
    method: number,
    url: string | undefined,
    statusCode: number,
    upgrade: boolean,
    shouldKeepAlive: boolean,
  ): number;
  onBody(chunk: Buffer): void;
  onMessageComplete(): void;
}

function onMessageBegin(this: NativeParser): void {
  (this.owner as ParserOwner).onMessageBegin();
}

function onHeaders(this: NativeParser, flat: string[], url: string): void {
  (this.owner as ParserOwner).onHeaderChunk(flat, url);
}

function onHeadersComplete(
  this: NativeParser,
  versionMajor: number,
  versionMinor: number,
  headers: string[] | undefined,
  method: number,
  url: string | undefined,
  statusCode: number,
  _statusMessage: string | undefined,
  upgrade: boolean,
  shouldKeepAlive: boolean,
): number {
  const wrapper = this.wrapper as Llhttp;
  wrapper.headComplete();
  const next = (this.owner as ParserOwner).onHeadersComplete(versionMajor, versionMinor, headers, method, url, statusCode, upgrade, shouldKeepAlive);
  if (next === HC_TUNNEL || (upgrade && next !== HC_REFUSE)) wrapper.stopAfterMessage();
  return next;
}

function onBody(this: NativeParser, chunk: Buffer): void {
  (this.owner as ParserOwner).onBody(chunk);
}

function onMessageComplete(this: NativeParser): void {
  (this.owner as ParserOwner).onMessageComplete();
  (this.wrapper as Llhttp).messageComplete();
}

/**
 * A strict llhttp parser of requests or responses reporting to `owner`.
 *
 * It also works around one trait of Node's binding: llhttp's `upgrade` field, set by an upgrade
 * or by a head answered with HC_TUNNEL, stays set until the next message's head is complete, and
 * while it is set the binding drops every error (`execute` returns the bytes it got to, then 0).
 * llhttp stops early only after such a message, so "fewer bytes consumed than given, and no stop
 * in this call" can only be a dropped error. The inputs given since the last stop are kept (by
 * reference, until the next head completes); on a dropped error the parser is re-initialized and
 * they are parsed again to get the real error. Nothing of this costs anything while input is good.
 */
export class Llhttp {
  private readonly native: NativeParser;
  /** Inputs since the last stop, while the next head is not complete. */
  private readonly replay: Buffer[] = [];
  private recording = false;
  private stopPending = false;
  private stoppedInCall = false;

  constructor(
    private readonly type: number,
    owner: ParserOwner,
    private readonly maxHeaderBytes: number,
  ) {
    const parser = new HTTPParser();
    parser.initialize(type, {}, maxHeaderBytes > 0 ? maxHeaderBytes : 0, STRICT);
    parser.owner = owner;
    parser.wrapper = this;
    parser[K_ON_MESSAGE_BEGIN] = onMessageBegin;
    parser[K_ON_HEADERS] = onHeaders;
    parser[K_ON_HEADERS_COMPLETE] = onHeadersComplete;
    parser[K_ON_BODY] = onBody;
    parser[K_ON_MESSAGE_COMPLETE] = onMessageComplete;
    this.native = parser;
  }

  /**
   * Parses `data`: returns the bytes consumed (all of them, or fewer when llhttp stopped after a
   * message answered with HC_TUNNEL or an upgrade) or the error.
   */
  execute(data: Buffer): number | ParseError {
    if (this.recording) this.replay.push(data);
    this.stoppedInCall = false;
    const result = this.native.execute(data);
    if (typeof result !== 'number') {
      this.endRecording();
      return result;
    }
    if (result < data.length && !this.stoppedInCall) return this.diagnose();
    return result;
  }

  /** Releases the native parser (call outside its callbacks). */
  close(): void {
    this.endRecording();
    this.native.owner = undefined;
    this.native.wrapper = undefined;
    this.native.close();
  }

  // ---- from the callbacks ----

  headComplete(): void {
    if (this.recording) this.endRecording();
  }

  stopAfterMessage(): void {
    this.stopPending = true;
  }

  messageComplete(): void {
    if (!this.stopPending) return;
    this.stopPending = false;
    this.stoppedInCall = true;
    this.recording = true;
  }

  private endRecording(): void {
    this.recording = false;
    if (this.replay.length > 0) this.replay.length = 0;
  }

  /** A dropped error: parse the recorded input again on a fresh parser state to get it. */
  private diagnose(): ParseError {
    const inputs = this.replay.slice();
    this.endRecording();
    this.native.initialize(this.type, {}, this.maxHeaderBytes > 0 ? this.maxHeaderBytes : 0, STRICT);
    for (let i = 0; i < inputs.length; i++) {
      const result = this.native.execute(inputs[i]);
      if (typeof result !== 'number') return result;
    }
    const err = new Error('Parse Error: malformed message') as ParseError;
    err.code = 'HPE_INVALID_MESSAGE';
    err.reason = 'malformed message';
    return err;
  }
}
