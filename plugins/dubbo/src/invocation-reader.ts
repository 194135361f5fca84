import {
  ATTACHMENT_TIMEOUT,
  HEADER_FRAMEWORK_VERSION,
  HEADER_INTERFACE,
  HEADER_METHOD,
  HEADER_PATH,
  HEADER_SERVICE,
  HEADER_VERSION,
} from './dubbo-constants';
import { readAsciiString, skipScalar } from './hessian-scanner';
import { argumentCount } from './parameter-types';

/* eslint-disable @typescript-eslint/no-require-imports */
/** hessian.js ships no type declarations; this is the part used here. */
interface HessianDecoder {
  read(): unknown;
  byteBuffer: { position(): number; position(at: number): unknown };
}
const { DecoderV2 } = require('hessian.js') as { DecoderV2: new (buf: Buffer) => HessianDecoder };

/** What a request body says, for routing. */
export interface Invocation {
  /** `[name, value, ...]`: dubbo, service, path, version, method, then the string attachments. */
  headers: string[];
  /** The `timeout` attachment in ms (0 when absent or not a positive number). */
  timeoutMs: number;
}

/** Names the body's own fields take; attachments of the same name do not repeat them. */
const FIXED = new Set([HEADER_FRAMEWORK_VERSION, HEADER_SERVICE, HEADER_PATH, HEADER_VERSION, HEADER_METHOD]);

/**
 * Reads a hessian2 request body (Dubbo's DubboCodec.encodeRequestData): dubbo version, service
 * path, service version, method name, parameter-types descriptor, the arguments, then the
 * attachments map. The arguments are only stepped over (their count comes from the descriptor);
 * nothing of them is kept.
 *
 * `service` is the `interface` attachment when there is one (the real interface behind a custom
 * path, as MOSN does), else the path. Only string attachments become headers (as in MOSN).
 * Throws when the body is not such a body.
 *
 * Fast path: ASCII strings, scalar arguments and a map of ASCII strings are scanned here; from the
 * first value that is anything else, hessian.js decodes the rest.
 */
export function readInvocation(body: Buffer): Invocation {
  const head: (string | null)[] = [];
  let at = 0;
  for (let i = 0; i < 5; i++) {
    const s = readAsciiString(body, at);
    if (s === undefined) return readWithHessian(body);
    head.push(s.value);
    at = s.end;
  }
  const frameworkVersion = str(head[0], 'dubbo version', true);
  const path = str(head[1], 'service path', false);
  const version = str(head[2], 'service version', true);
  const method = str(head[3], 'method name', false);
  const desc = str(head[4], 'parameter types', true);
  const args = argumentCount(desc);
  let decoder: HessianDecoder | undefined;
  for (let i = 0; i < args; i++) {
    if (decoder) {
      decoder.read();
      continue;
    }
    const next = skipScalar(body, at);
    if (next >= 0) {
      at = next;
      continue;
    }
    decoder = hessianAt(body, at);
    decoder.read();
  }
  const invocation = newInvocation(frameworkVersion, path, version, method);
  // A map of strings is scanned even after hessian.js read the arguments: it holds no references.
  if (decoder) at = decoder.byteBuffer.position();
  if (at < body.length) addAttachments(invocation, scanStringMap(body, at) ?? (decoder ?? hessianAt(body, at)).read());
  return invocation;
}

/** The whole body by hessian.js (strings that are not plain ASCII). */
function readWithHessian(body: Buffer): Invocation {
  const d = new DecoderV2(body);
  const frameworkVersion = str(d.read(), 'dubbo version', true);
  const path = str(d.read(), 'service path', false);
  const version = str(d.read(), 'service version', true);
  const method = str(d.read(), 'method name', false);
  const desc = str(d.read(), 'parameter types', true);
  const args = argumentCount(desc);
  for (let i = 0; i < args; i++) d.read();
  const invocation = newInvocation(frameworkVersion, path, version, method);
  // A body that ends after the arguments has no attachments (old consumers).
  if (d.byteBuffer.position() < body.length) addAttachments(invocation, d.read());
  return invocation;
}

function hessianAt(body: Buffer, at: number): HessianDecoder {
  const d = new DecoderV2(body);
  d.byteBuffer.position(at);
  return d;
}

function newInvocation(frameworkVersion: string, path: string, version: string, method: string): Invocation {
  return { headers: [HEADER_FRAMEWORK_VERSION, frameworkVersion, HEADER_SERVICE, path, HEADER_PATH, path, HEADER_VERSION, version, HEADER_METHOD, method], timeoutMs: 0 };
}

/** An untyped map ('H' ... 'Z') of ASCII strings and nulls as entries, or undefined when it is anything else. */
function scanStringMap(b: Buffer, at: number): [string, string | null][] | undefined {
  if (b[at] !== 0x48 /* H */) return undefined;
  const entries: [string, string | null][] = [];
  let i = at + 1;
  while (b[i] !== 0x5a /* Z */) {
    const key = readAsciiString(b, i);
    if (key === undefined || key.value === null) return undefined;
    const value = readAsciiString(b, key.end);
    if (value === undefined) return undefined;
    entries.push([key.value, value.value]);
    i = value.end;
  }
  return entries;
}

/** Adds the string attachments (a hessian.js map or object, or scanned entries) to the headers. */
function addAttachments(invocation: Invocation, attachments: unknown): void {
  if (attachments === null || attachments === undefined) return;
  if (typeof attachments !== 'object') throw new Error(`attachments: expected a map, got ${typeof attachments}`);
  const entries = Array.isArray(attachments) ? attachments : attachments instanceof Map ? attachments.entries() : Object.entries(attachments);
  const headers = invocation.headers;
  for (const [key, value] of entries as Iterable<[unknown, unknown]>) {
    if (typeof key !== 'string' || typeof value !== 'string') continue;
    if (key === HEADER_INTERFACE && value !== '') headers[3] = value;
    if (key === ATTACHMENT_TIMEOUT) invocation.timeoutMs = positiveInt(value);
    if (!FIXED.has(key.toLowerCase())) headers.push(key, value);
  }
}

function str(value: unknown, what: string, nullable: boolean): string {
  if (typeof value === 'string') return value;
  if (nullable && (value === null || value === undefined)) return '';
  throw new Error(`${what}: expected a string, got ${value === null ? 'null' : typeof value}`);
}

function positiveInt(text: string): number {
  const n = Number(text);
  return Number.isInteger(n) && n > 0 ? n : 0;
}
