import { DEFAULT_CIRCUIT_BREAKERS, type CircuitBreakerLimits } from './pool/connection-pool';

/**
 * One circuit-breaker resource: a current count against a maximum. Shared by everything in a
 * cluster that takes from it (every host's pools, every downstream request's retries).
 */
export class Resource {
  current = 0;

  /** `max` 0 means unlimited where {@link ResourceManager} says so (see there). */
  constructor(
    readonly max: number,
    private readonly unlimitedWhenZero = false,
  ) {}

  canCreate(): boolean {
    return this.current < this.max || (this.unlimitedWhenZero && this.max === 0);
  }

  inc(): void {
    this.current++;
  }

  dec(): void {
    if (this.current > 0) this.current--;
  }

  /** canCreate() then inc() when it can; returns whether it did. */
  tryAcquire(): boolean {
    if (!this.canCreate()) return false;
    this.current++;
    return true;
  }
}

/**
 * A cluster's circuit breakers (MOSN's ResourceManager). Counted cluster-wide:
 * - `connections`: upstream connections opened by the cluster's pools (0 = unlimited, as MOSN's pools read it);
 * - `pendingRequests`: streams queued in the pools waiting for a connection (0 = no queueing);
 * - `requests`: streams active on upstream connections (0 = unlimited);
 * - `retries`: retries in flight, taken and given back by the proxy (0 = no retries).
 */
export class ResourceManager {
  readonly connections: Resource;
  readonly pendingRequests: Resource;
  readonly requests: Resource;
  readonly retries: Resource;

  constructor(readonly limits: CircuitBreakerLimits = DEFAULT_CIRCUIT_BREAKERS) {
    this.connections = new Resource(limits.maxConnections, true);
    this.pendingRequests = new Resource(limits.maxPendingRequests);
    this.requests = new Resource(limits.maxRequests, true);
    this.retries = new Resource(limits.maxRetries);
  }
}

/** One entry of MOSN's `circuit_breakers` (api.Thresholds). */
export interface CircuitBreakerConfig {
  /** `DEFAULT` (also when absent) or `HIGH`. Routes have no priority here, so `HIGH` entries are ignored. */
  priority?: string;
  max_connections?: number;
  max_pending_requests?: number;
  max_requests?: number;
  max_retries?: number;
  [extra: string]: unknown;
}

const FIELDS: readonly [keyof CircuitBreakerConfig & string, keyof CircuitBreakerLimits][] = [
  ['max_connections', 'maxConnections'],
  ['max_pending_requests', 'maxPendingRequests'],
  ['max_requests', 'maxRequests'],
  ['max_retries', 'maxRetries'],
];

/**
 * Reads a cluster's `circuit_breakers`: MOSN's array `[{priority, max_*}]` (the first entry with
 * priority DEFAULT or none applies) or a plain object. Missing fields keep DEFAULT_CIRCUIT_BREAKERS.
 * Problems (JSON path: reason) are appended to `problems`.
 */
export function parseCircuitBreakers(value: unknown, path: string, problems: string[]): CircuitBreakerLimits {
  if (value === undefined || value === null) return DEFAULT_CIRCUIT_BREAKERS;
  let entry: unknown = value;
  let entryPath = path;
  if (Array.isArray(value)) {
    const i = value.findIndex((e) => isObject(e) && (e.priority === undefined || e.priority === 'DEFAULT'));
    if (i < 0) return DEFAULT_CIRCUIT_BREAKERS;
    entry = value[i];
    entryPath = `${path}[${i}]`;
  }
  if (!isObject(entry)) {
    problems.push(`${path}: must be an array of thresholds or an object`);
    return DEFAULT_CIRCUIT_BREAKERS;
  }
  const limits: Record<keyof CircuitBreakerLimits, number> = { ...DEFAULT_CIRCUIT_BREAKERS };
  for (const [key, field] of FIELDS) {
    const v = entry[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) problems.push(`${entryPath}.${key}: must be a non-negative integer`);
    else limits[field] = v;
  }
  return limits;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
