import type { Connection, IoBuffer, Logger, ProtocolFactory } from '../../plugin-sdk';
import type { FactoryRegistry } from '../host/factory-registry';

/** The kernel's protocol that sniffs (MOSN's `Auto`). */
export const AUTO_PROTOCOL = 'Auto';

/** Bytes a connection may send before some protocol has to recognise them. */
const SNIFF_LIMIT = 64;

/** Whether a configured protocol name means `Auto` (MOSN spells names with varying case). */
export function isAutoProtocol(name: string | undefined): boolean {
  return name !== undefined && name.toLowerCase() === AUTO_PROTOCOL.toLowerCase();
}

/** A registered protocol chosen for a connection. */
export interface SniffedProtocol {
  readonly name: string;
  readonly factory: ProtocolFactory;
}

/**
 * Picks the protocol of a new connection from its first bytes: every registered protocol with a
 * `match` is asked, in name order; the first that says `match` wins (MOSN: bolt byte 0 = 0x01,
 * boltv2 0x02, HTTP/1 a request-line method, ...). While one still says `need-more`, more bytes are
 * awaited (up to {@link SNIFF_LIMIT}). Bytes no protocol recognises close the connection with a
 * log line saying why.
 */
export function sniffProtocol(
  registry: FactoryRegistry,
  buffer: IoBuffer,
  endStream: boolean,
  connection: Connection,
  logger: Logger,
): SniffedProtocol | undefined {
  const bytes = buffer.peek();
  let waiting: string[] = [];
  for (const name of registry.names('protocol')) {
    if (isAutoProtocol(name)) continue;
    const factory = registry.get('protocol', name)!.factory as ProtocolFactory;
    if (typeof factory.match !== 'function') continue;
    let verdict: ReturnType<NonNullable<ProtocolFactory['match']>>;
    try {
      verdict = factory.match(bytes);
    } catch (err) {
      logger.warn({ protocol: name, err: err instanceof Error ? err.message : String(err) }, 'Auto: protocol matcher threw; skipping it');
      continue;
    }
    if (verdict === 'match') {
      logger.debug({ connection: connection.id, protocol: name }, 'Auto: protocol recognised');
      return { name, factory };
    }
    if (verdict === 'need-more') waiting.push(name);
  }
  if (waiting.length > 0 && bytes.length >= SNIFF_LIMIT) waiting = [];
  if (waiting.length > 0 && !endStream) return undefined;
  const reason =
    waiting.length > 0
      ? `the client closed after ${bytes.length} bytes, too few to tell ${waiting.join(' or ')}`
      : `no registered protocol recognises the first bytes (known: ${registry
          .names('protocol')
          .filter((n) => !isAutoProtocol(n))
          .join(', ')})`;
  logger.warn({ connection: connection.id, remote: connection.remoteAddress, firstBytes: bytes.subarray(0, 16).toString('hex'), reason }, 'Auto: unknown protocol; closing the connection');
  buffer.clear();
  connection.close('NoFlush');
  return undefined;
}
