import type { ClusterConfig } from '../../config/config-types';

/** MOSN's default `lbconfig.choice_count` (Envoy's least_request_lb_config default too). */
export const DEFAULT_CHOICE_COUNT = 2;
/** MOSN's and Envoy's default `lbconfig.active_request_bias`. */
export const DEFAULT_ACTIVE_REQUEST_BIAS = 1;

/** The balancer options of a cluster's `lbconfig` block, with defaults (the schema checked types). */
export interface LbOptions {
  /** How many random hosts the P2C balancers compare. */
  readonly choiceCount: number;
  /** Exponent of (active load + 1) dividing a host's weight when weights differ. */
  readonly activeRequestBias: number;
}

export function lbOptionsOf(config: ClusterConfig): LbOptions {
  const lb = config.lbconfig;
  return {
    choiceCount: lb?.choice_count ?? DEFAULT_CHOICE_COUNT,
    activeRequestBias: lb?.active_request_bias ?? DEFAULT_ACTIVE_REQUEST_BIAS,
  };
}
