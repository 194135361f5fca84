import type { Connection, HeaderMap, LoadBalancerContext } from '../../plugin-sdk';
import { hashInput, type HashPolicy } from '../router/hash-policy';

/** What a balancer sees of one request on a route with a hash_policy. */
export class RequestLbContext implements LoadBalancerContext {
  constructor(
    readonly downstreamConnection: Connection,
    readonly headers: HeaderMap,
    private readonly policies: readonly HashPolicy[],
    private readonly clientIp: string,
  ) {}

  hashKey(): string | undefined {
    return hashInput(this.policies, this.headers, this.clientIp);
  }
}
