/**
 * Metric types and keys, spelled as MOSN spells them (pkg/metrics), so dashboards built for MOSN
 * read mosn-ts. Downstream sets carry {listener}, upstream sets {cluster} (and {cluster, host}).
 */
export const DOWNSTREAM = 'downstream';
export const UPSTREAM = 'upstream';

export const DownstreamKeys = {
  ConnectionTotal: 'connection_total',
  ConnectionDestroy: 'connection_destroy',
  ConnectionActive: 'connection_active',
  BytesReadTotal: 'bytes_read_total',
  BytesWriteTotal: 'bytes_write_total',
} as const;

export const UpstreamKeys = {
  ConnectionTotal: 'connection_total',
  ConnectionClose: 'connection_close',
  ConnectionActive: 'connection_active',
  ConnectionConFail: 'connection_con_fail',
  ConnectionLocalClose: 'connection_local_close',
  ConnectionRemoteClose: 'connection_remote_close',
  BytesReadTotal: 'connection_bytes_read',
  BytesWriteTotal: 'connection_bytes_write',
} as const;
