/** A route's retry policy as the router compiled it. */
export interface RetryPolicyView {
  /** true (MOSN: retry on failures and status_codes) or Envoy-style condition names. */
  readonly retryOn: boolean | ReadonlySet<string>;
  readonly numRetries: number;
  /** Per-try timeout in ms (0: none). */
  readonly retryTimeoutMs: number;
  readonly statusCodes: ReadonlySet<number>;
}

/** What ended a try, as far as retrying is concerned. */
export type TryOutcome =
  | { kind: 'connect-failure' }
  | { kind: 'reset' }
  | { kind: 'per-try-timeout' }
  /** A circuit breaker refused the try: never retried (it would add load where there is none to spare). */
  | { kind: 'overflow' }
  | { kind: 'status'; status: number };

/**
 * Whether a try's outcome is worth another try under the policy. MOSN's `retry_on: true`
 * covers connection failures, resets and the listed status codes; Envoy's names
 * (`5xx`, `gateway-error`, `connect-failure`, `reset`, `retriable-status-codes`) are understood too.
 */
export function isRetriable(policy: RetryPolicyView, outcome: TryOutcome): boolean {
  const on = policy.retryOn;
  if (on === false || outcome.kind === 'overflow') return false;
  if (on === true) {
    if (outcome.kind === 'status') return policy.statusCodes.has(outcome.status);
    return true;
  }
  switch (outcome.kind) {
    case 'connect-failure':
      return on.has('connect-failure') || on.has('5xx') || on.has('gateway-error');
    case 'reset':
      return on.has('reset') || on.has('5xx');
    case 'per-try-timeout':
      return on.has('5xx') || on.has('gateway-error') || on.has('reset');
    case 'status': {
      const s = outcome.status;
      if (on.has('5xx') && s >= 500) return true;
      if (on.has('gateway-error') && (s === 502 || s === 503 || s === 504)) return true;
      return (on.has('retriable-status-codes') || on.size === 0) && policy.statusCodes.has(s);
    }
  }
}
