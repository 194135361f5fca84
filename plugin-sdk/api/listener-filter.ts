import type { FilterStatus } from './filter-status';

/** Given to a listener filter for one accepted socket. */
export interface ListenerFilterCallbacks {
  /** `ip:port` of the peer. */
  readonly remoteAddress: string;
  /** `ip:port` the peer connected to (or the listener's `unix:` path). */
  readonly localAddress: string;
  /** Records the original destination (e.g. recovered from the socket); kept on the connection. */
  setOriginalDestination(address: string): void;
  /**
   * Resumes after `Stop`: `true` runs the next listener filter (then creates the connection),
   * `false` closes the socket.
   */
  continueFilterChain(success: boolean): void;
}

/** Runs on accept, before a connection and its network filters exist. */
export interface ListenerFilter {
  /** `Continue` to go on at once; `Stop` to decide later through `continueFilterChain`. */
  onAccept(callbacks: ListenerFilterCallbacks): FilterStatus;
}

/** Registered under a `listener_filter` name; builds a filter per accepted socket. */
export interface ListenerFilterFactory<Config = unknown> {
  createListenerFilterFactory(config: Config): () => ListenerFilter;
}
