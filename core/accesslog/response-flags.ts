/**
 * Response flags of a proxied request: why it failed or was altered, as bits of one number.
 *
 * Bit values and names are MOSN's (mosn.io/api request.go, `type ResponseFlag int`, v1.6.0), so a
 * value printed by `%upstream_transport_failure_reason%` ("0x6") means the same thing in both.
 * MOSN starts at 0x2 (0x1, Envoy's FailedLocalHealthCheck, has no MOSN counterpart).
 *
 * How MOSN prints flags in access logs (pkg/proxy/var.go):
 *   - `%response_flag%` and `%response_flags%`: "true" if any bit is set, else "false";
 *   - `%upstream_transport_failure_reason%`: the bitmask in lowercase hex, "0x" + hex ("0x0" when none).
 * MOSN never prints Envoy's short codes (UH, UT, ...); `formatResponseFlagShortCodes` is here for
 * tools that want them (admin pages, debug logs), not for MOSN's variables.
 */
export const ResponseFlag = {
  NoHealthyUpstream: 0x2,
  UpstreamRequestTimeout: 0x4,
  UpstreamLocalReset: 0x8,
  UpstreamRemoteReset: 0x10,
  UpstreamConnectionFailure: 0x20,
  UpstreamConnectionTermination: 0x40,
  UpstreamOverflow: 0x80,
  NoRouteFound: 0x100,
  DelayInjected: 0x200,
  FaultInjected: 0x400,
  RateLimited: 0x800,
  ReqEntityTooLarge: 0x1000,
  DownStreamTerminate: 0x2000,
} as const;

export type ResponseFlagName = keyof typeof ResponseFlag;
/** One bit of `ResponseFlag` (a record's `responseFlags` is an OR of these, typed as number). */
export type ResponseFlagBit = (typeof ResponseFlag)[ResponseFlagName];

/**
 * The flags MOSN counts as "the proxy failed to process the request" (pkg/types/constant.go
 * MosnProcessFailedFlags): used for request_failed metrics and the trace tag, not by access logs.
 */
export const MOSN_PROCESS_FAILED_FLAGS: number =
  ResponseFlag.NoHealthyUpstream |
  ResponseFlag.NoRouteFound |
  ResponseFlag.UpstreamLocalReset |
  ResponseFlag.FaultInjected |
  ResponseFlag.RateLimited |
  ResponseFlag.DownStreamTerminate |
  ResponseFlag.ReqEntityTooLarge;

/**
 * Envoy's short codes for the flags that have one (DownStreamTerminate is Envoy's
 * DownstreamConnectionTermination "DC"). ReqEntityTooLarge has no Envoy flag.
 */
export const RESPONSE_FLAG_SHORT_CODES: Readonly<Partial<Record<ResponseFlagName, string>>> = Object.freeze({
  NoHealthyUpstream: 'UH',
  UpstreamRequestTimeout: 'UT',
  UpstreamLocalReset: 'LR',
  UpstreamRemoteReset: 'UR',
  UpstreamConnectionFailure: 'UF',
  UpstreamConnectionTermination: 'UC',
  UpstreamOverflow: 'UO',
  NoRouteFound: 'NR',
  DelayInjected: 'DI',
  FaultInjected: 'FI',
  RateLimited: 'RL',
  DownStreamTerminate: 'DC',
});

/** Flags in bit order, for printing. */
const ORDERED: readonly (readonly [ResponseFlagName, number])[] = (Object.keys(ResponseFlag) as ResponseFlagName[])
  .map((name) => [name, ResponseFlag[name]] as const)
  .sort((a, b) => a[1] - b[1]);
const KNOWN_BITS = ORDERED.reduce((acc, [, bit]) => acc | bit, 0);

/** MOSN's `%response_flag%`: whether any flag is set. */
export function formatResponseFlag(flags: number): 'true' | 'false' {
  return flags !== 0 ? 'true' : 'false';
}

/** MOSN's `%upstream_transport_failure_reason%` (RequestInfo.GetResponseFlagResult): "0x" + lowercase hex. */
export function formatResponseFlagHex(flags: number): string {
  return '0x' + (flags >>> 0).toString(16);
}

/** MOSN's names of the set flags, in bit order; unknown bits appear as one "0x..." entry at the end. */
export function responseFlagNames(flags: number): string[] {
  const out: string[] = [];
  for (const [name, bit] of ORDERED) if ((flags & bit) !== 0) out.push(name);
  const unknown = (flags >>> 0) & ~KNOWN_BITS;
  if (unknown !== 0) out.push(formatResponseFlagHex(unknown >>> 0));
  return out;
}

/**
 * Envoy-style short codes joined with ",", e.g. "UH,UT"; "-" when no flag is set. A flag with no
 * Envoy code is printed with its MOSN name; unknown bits as "0x...".
 */
export function formatResponseFlagShortCodes(flags: number): string {
  if (flags === 0) return '-';
  let out = '';
  for (const [name, bit] of ORDERED) {
    if ((flags & bit) === 0) continue;
    out += (out === '' ? '' : ',') + (RESPONSE_FLAG_SHORT_CODES[name] ?? name);
  }
  const unknown = (flags >>> 0) & ~KNOWN_BITS;
  if (unknown !== 0) out += (out === '' ? '' : ',') + formatResponseFlagHex(unknown >>> 0);
  return out;
}
