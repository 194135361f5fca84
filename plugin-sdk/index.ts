/**
 * mosn-plugin-sdk: the only module a mosn-ts plugin imports. Bundles leave it external; the kernel
 * supplies its own copy when it evaluates the bundle, so the types here are the contract between
 * a plugin and the kernel, versioned by PLUGIN_API_VERSION.
 */
export { PLUGIN_API_VERSION } from './api/version';
export { FilterStatus } from './api/filter-status';
export { IoBuffer } from './api/io-buffer';
export { ConfigError } from './api/errors';
export { parseDuration } from './api/duration';
export type { Logger } from './api/logger';
export { isCloseEvent } from './api/connection';
export type { Connection, ClientConnection, ConnectionEvent, ConnectionEventListener, CloseType, TlsInfo, PeerCertificate } from './api/connection';
export type {
  ReadFilter,
  ReadFilterCallbacks,
  WriteFilter,
  WriteFilterCallbacks,
  FilterManager,
  NetworkFilterChainFactory,
  NetworkFilterFactory,
  FilterFactoryContext,
} from './api/network-filter';
export type { ListenerFilter, ListenerFilterCallbacks, ListenerFilterFactory } from './api/listener-filter';
export type { Host, Cluster, ClusterManager, LoadBalancerContext } from './api/upstream';
export type { LoadBalancer, LoadBalancerFactory, LoadBalancerFactoryContext, LoadBalancerHost, LoadBalancerHosts } from './api/load-balancer';
export { FACTORY_KINDS, definePlugin } from './api/plugin';
export type { FactoryKind, ProvidedFactory, PluginManifest, PluginContext, PluginModule } from './api/plugin';
export { HeaderMap } from './api/header-map';
export type { StreamReceiver, StreamSender, StreamResetReason } from './api/stream';
export type {
  ServerStreamConnection,
  ServerStreamCallbacks,
  ClientStreamConnection,
  CodecOptions,
  PoolMode,
  ProtocolFactory,
} from './api/protocol';
export { StreamFilterStatus } from './api/stream-filter';
export type {
  ReceiverFilterPhase,
  RequestInfo,
  StreamFilterHandler,
  StreamReceiverFilterHandler,
  StreamSenderFilterHandler,
  StreamReceiverFilter,
  StreamSenderFilter,
  StreamFilterChainCallbacks,
  StreamFilterChainFactory,
  StreamFilterFactoryContext,
  StreamFilterFactory,
} from './api/stream-filter';
export { CODEC_EXCEPTION_STATUS, XDecodeError } from './api/xprotocol';
export type { XDecodeLimits, XFrameKind, XKeepaliveSettings, XProtocolCodec } from './api/xprotocol';
export type { PluginResources, PluginTimer } from './api/plugin-resources';
