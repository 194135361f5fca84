import type Ajv from 'ajv';
import { parseDuration } from '../../plugin-sdk/api/duration';
import { parseAddress } from './address';

/** `ip:port`, `[v6]:port`, `host:port` or `unix:/path` (listener and host addresses). */
export const ADDRESS_FORMAT = 'mosn-address';
/** A unix listener's address: MOSN writes a bare socket path; `unix:/path` is accepted too. */
export const UNIX_ADDRESS_FORMAT = 'mosn-unix-address';
/** A Go duration string ("30s", "1m30s", "500ms"), as MOSN's DurationConfig reads it. */
export const DURATION_FORMAT = 'duration';

export function isUnixListenAddress(text: string): boolean {
  if (text.startsWith('unix:')) return parseAddress(text)?.kind === 'unix';
  return text.length > 0;
}

/**
 * Adds the formats MOSN's config uses to an ajv instance. Exported so plugin config schemas
 * (validated by the plugin host) can say `"format": "duration"` and mean the same thing.
 */
export function addMosnFormats(ajv: Ajv): Ajv {
  ajv.addFormat(ADDRESS_FORMAT, { type: 'string', validate: (text: string) => parseAddress(text) !== undefined });
  ajv.addFormat(UNIX_ADDRESS_FORMAT, { type: 'string', validate: isUnixListenAddress });
  ajv.addFormat(DURATION_FORMAT, { type: 'string', validate: (text: string) => parseDuration(text) !== undefined });
  return ajv;
}
