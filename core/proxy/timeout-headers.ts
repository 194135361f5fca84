import type { HeaderMap } from '../../plugin-sdk';

/** MOSN's per-request override of the route timeout (ms); the xprotocol engine sets it from a frame's own timeout. */
export const GLOBAL_TIMEOUT_HEADER = 'x-mosn-global-timeout';
/** MOSN's per-request per-try timeout (ms). */
export const TRY_TIMEOUT_HEADER = 'x-mosn-try-timeout';

/** A non-negative millisecond value from header `name`, or undefined when absent or not a number. */
export function headerMs(headers: HeaderMap, name: string): number | undefined {
  const v = headers.get(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}
