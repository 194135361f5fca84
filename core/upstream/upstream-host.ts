import type { Host } from '../../plugin-sdk';
import type { ParsedAddress } from '../config/address';

/** A configured host of a cluster. */
export class UpstreamHost implements Host {
  constructor(
    readonly address: string,
    readonly parsedAddress: ParsedAddress,
    readonly weight: number,
    readonly hostname: string,
    readonly clusterName: string,
  ) {}
}
