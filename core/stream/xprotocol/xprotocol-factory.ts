import type { ProtocolFactory, XProtocolCodec } from '../../../plugin-sdk';
import { XClientConnection } from './client-connection';
import { engineSettings } from './engine-settings';
import { XServerConnection } from './server-connection';

/** The codec methods the engine cannot run without (checked when a plugin registers a codec). */
const REQUIRED_METHODS = [
  'match',
  'decode',
  'encode',
  'kind',
  'getRequestId',
  'setRequestId',
  'rawFrame',
  'rewriteRequestId',
  'isHeartbeat',
  'heartbeatRequest',
  'heartbeatReply',
  'hijack',
  'responseStatus',
  'readHeaders',
  'body',
  'timeoutMs',
  'rebuild',
] as const;

/** What is wrong with a registered codec object, or undefined when it can serve. */
export function codecProblem(codec: unknown): string | undefined {
  if (codec === null || typeof codec !== 'object') return 'the codec must be an object';
  const c = codec as Record<string, unknown>;
  const missing = REQUIRED_METHODS.filter((m) => typeof c[m] !== 'function');
  if (missing.length > 0) return `the codec has no ${missing.join(', ')} method${missing.length > 1 ? 's' : ''}`;
  if (c.poolMode !== 'multiplex' && c.poolMode !== 'ping-pong') return 'the codec\'s poolMode must be "multiplex" or "ping-pong"';
  if (typeof c.maxRequestId !== 'number' || !(c.maxRequestId >= 1)) return 'the codec\'s maxRequestId must be a positive number';
  return undefined;
}

/** Marks the factories of the xprotocol engine (see {@link isXProtocolFactory}). */
const XPROTOCOL_ENGINE = Symbol('mosn.xprotocol-engine');

/**
 * Whether `factory` is the xprotocol engine's: its requests and responses are whole frames (headers
 * then at most one body part, delivered at once), which the proxy's fast path relies on.
 */
export function isXProtocolFactory(factory: ProtocolFactory): boolean {
  return (factory as { [XPROTOCOL_ENGINE]?: true })[XPROTOCOL_ENGINE] === true;
}

/**
 * The kernel's xprotocol stream engine around one codec: a ProtocolFactory the proxy and the
 * connection pools use like any protocol. `name` is the protocol name it is registered under.
 */
export function createXProtocolFactory<F extends object>(name: string, codec: XProtocolCodec<F>): ProtocolFactory {
  const problem = codecProblem(codec);
  if (problem) throw new Error(`xprotocol ${JSON.stringify(name)}: ${problem}`);
  const settings = engineSettings(name, codec as XProtocolCodec);
  const factory: ProtocolFactory & { [XPROTOCOL_ENGINE]: true } = {
    [XPROTOCOL_ENGINE]: true,
    poolMode: codec.poolMode,
    createServerConnection(connection, callbacks, options) {
      return new XServerConnection(codec, settings, connection, callbacks, options);
    },
    createClientConnection(connection, options) {
      return new XClientConnection(codec, settings, connection, options);
    },
    match(firstBytes: Buffer) {
      return codec.match(firstBytes);
    },
  };
  return Object.freeze(factory);
}
