import type { ConfigNode } from './config-node';
import { describe } from './config-node';

export interface RetryPolicy {
  /** MOSN's bool, or the set of Envoy-style conditions ("5xx", "connect-failure", ...). */
  readonly retryOn: boolean | ReadonlySet<string>;
  /**
   * As configured (1 when absent, Envoy's default). MOSN retries max(3, n) times; we do not
   * copy that: `num_retries: 1` means one retry.
   */
  readonly numRetries: number;
  /** Per try, in ms; 0: no per-try timeout (the route timeout still applies). */
  readonly retryTimeoutMs: number;
  readonly statusCodes: ReadonlySet<number>;
}

const DEFAULT_NUM_RETRIES = 1;

/** A route's `retry_policy`, or undefined when there is none (or it is broken: reported). */
export function retryPolicyFromConfig(route: ConfigNode): RetryPolicy | undefined {
  const node = route.object('retry_policy');
  if (!node) return undefined;
  const retryOn = readRetryOn(node);
  const numRetries = node.integer('num_retries', 0) ?? DEFAULT_NUM_RETRIES;
  const retryTimeoutMs = node.duration('retry_timeout') ?? 0;
  const statusCodes = new Set<number>();
  for (const item of node.items('status_codes')) {
    const code = item.value;
    if (typeof code === 'number' && Number.isInteger(code) && code >= 100 && code <= 599) statusCodes.add(code);
    else node.problems.push(`${item.path}: must be an HTTP status code from 100 to 599, got ${describe(code)}`);
  }
  return Object.freeze({ retryOn, numRetries, retryTimeoutMs, statusCodes });
}

function readRetryOn(node: ConfigNode): boolean | ReadonlySet<string> {
  const v = node.raw('retry_on');
  if (v === undefined) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const conditions = v.split(',').map((s) => s.trim()).filter((s) => s !== '');
    return conditions.length === 0 ? false : new Set(conditions);
  }
  node.problem('retry_on', `must be a boolean or a list of conditions like "5xx,connect-failure", got ${describe(v)}`);
  return false;
}
