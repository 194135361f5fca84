import { isPlainObject } from './config-node';

export type LbMetadata = Readonly<Record<string, string>>;

/**
 * The load-balancer subset keys of a MOSN metadata block: `filter_metadata["mosn.lb"]`, string
 * values only (MOSN's configToMetadata drops the others). Undefined when there are none.
 */
export function lbMetadataOf(metadata: unknown): LbMetadata | undefined {
  if (!isPlainObject(metadata)) return undefined;
  const filterMetadata = metadata.filter_metadata;
  const lb = isPlainObject(filterMetadata) ? filterMetadata['mosn.lb'] : undefined;
  if (!isPlainObject(lb)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(lb)) if (typeof v === 'string') out[k] = v;
  return Object.keys(out).length > 0 ? Object.freeze(out) : undefined;
}
