import { performance } from 'node:perf_hooks';
import { FilterStatus } from '../../plugin-sdk';
import type {
  Connection,
  FilterManager,
  IoBuffer,
  Logger,
  NetworkFilterChainFactory,
  ReadFilter,
  ReadFilterCallbacks,
  WriteFilter,
  WriteFilterCallbacks,
} from '../../plugin-sdk';
import type { PluginCallRecorder } from '../host/plugin-health';

/** One call in this many is timed (and counts that many times); see TIMING_SAMPLE of stream filter chains. */
const TIMING_SAMPLE = 8;

/** Which plugin filter a guard stands for and how its failures are answered. */
export interface NetworkFilterGuard {
  /** The configured filter (`filters[].type`). */
  readonly name: string;
  readonly recorder: PluginCallRecorder;
  /** failure_policy "fail_open": a throw or a quarantine skips the filter instead of closing the connection. */
  readonly failOpen: boolean;
  readonly logger: Logger;
}

/**
 * Wraps a plugin's network filter chain factory so every call into the plugin (building the
 * chain, onNewConnection, onData, onWrite) is timed and counted by the plugin's recorder, and a
 * throw is answered by the failure policy: fail_closed closes that connection with a log line,
 * fail_open skips the filter for the rest of that connection. A quarantined plugin is skipped
 * (fail_open) or its connections are closed at once (fail_closed). Only plugin filters are
 * wrapped: the kernel's `proxy` filter runs bare.
 */
export function guardNetworkFilter(factory: NetworkFilterChainFactory, guard: NetworkFilterGuard): NetworkFilterChainFactory {
  return {
    createFilterChain(connection: Connection, manager: FilterManager): void {
      if (guard.recorder.quarantined) {
        if (guard.failOpen) return;
        guard.logger.warn({ filter: guard.name, connection: connection.id }, 'network filter quarantined; connection closed (failure_policy fail_closed)');
        connection.close('NoFlush');
        return;
      }
      const state = new GuardState(guard, connection);
      try {
        factory.createFilterChain(connection, new GuardedFilterManager(manager, state));
      } catch (error) {
        state.failed(error, -1);
      }
      // A successful build is not counted as a call: it would end the run of consecutive errors
      // of a filter that throws on every read, and that filter would never be quarantined.
    },
  };
}

/** One connection's view of one guarded filter: skipped after a fail_open throw. */
class GuardState {
  skipped = false;
  private calls = 0;

  constructor(
    readonly guard: NetworkFilterGuard,
    private readonly connection: Connection,
  ) {}

  /** The start time of a call to time, or -1 for a call that is only counted. */
  start(): number {
    if (++this.calls < TIMING_SAMPLE) return -1;
    this.calls = 0;
    return performance.now();
  }

  /** Counts a throw and answers it; the status the filter's chain goes on with. */
  failed(error: unknown, t0: number): FilterStatus {
    const g = this.guard;
    g.recorder.recordError(error, t0 < 0 ? 0 : (performance.now() - t0) * 1e6 * TIMING_SAMPLE);
    const err = error instanceof Error ? error.message : String(error);
    if (g.failOpen) {
      this.skipped = true;
      g.logger.warn({ filter: g.name, connection: this.connection.id, err }, 'network filter threw; skipped for this connection (failure_policy fail_open)');
      return FilterStatus.Continue;
    }
    g.logger.error({ filter: g.name, connection: this.connection.id, err }, 'network filter threw; connection closed (failure_policy fail_closed)');
    this.connection.close('NoFlush');
    return FilterStatus.Stop;
  }

  recordCall(t0: number): void {
    this.guard.recorder.recordCall(t0 < 0 ? 0 : (performance.now() - t0) * 1e6 * TIMING_SAMPLE);
  }
}

class GuardedFilterManager implements FilterManager {
  constructor(
    private readonly manager: FilterManager,
    private readonly state: GuardState,
  ) {}

  addReadFilter(filter: ReadFilter): void {
    this.manager.addReadFilter(new GuardedReadFilter(filter, this.state));
  }

  addWriteFilter(filter: WriteFilter): void {
    this.manager.addWriteFilter(new GuardedWriteFilter(filter, this.state));
  }
}

class GuardedReadFilter implements ReadFilter {
  constructor(
    private readonly inner: ReadFilter,
    private readonly state: GuardState,
  ) {}

  initializeReadFilterCallbacks(callbacks: ReadFilterCallbacks): void {
    if (!this.inner.initializeReadFilterCallbacks) return;
    const t0 = this.state.start();
    try {
      this.inner.initializeReadFilterCallbacks(callbacks);
    } catch (error) {
      this.state.failed(error, t0);
    }
  }

  onNewConnection(): FilterStatus {
    const state = this.state;
    if (state.skipped || !this.inner.onNewConnection) return FilterStatus.Continue;
    const t0 = state.start();
    let status: FilterStatus;
    try {
      status = this.inner.onNewConnection();
    } catch (error) {
      return state.failed(error, t0);
    }
    state.recordCall(t0);
    return status;
  }

  onDrain(): void {
    if (this.state.skipped || !this.inner.onDrain) return;
    const t0 = this.state.start();
    try {
      this.inner.onDrain();
    } catch (error) {
      this.state.failed(error, t0);
      return;
    }
    this.state.recordCall(t0);
  }

  onData(buffer: IoBuffer, endStream: boolean): FilterStatus {
    const state = this.state;
    if (state.skipped) return FilterStatus.Continue;
    const t0 = state.start();
    let status: FilterStatus;
    try {
      status = this.inner.onData(buffer, endStream);
    } catch (error) {
      return state.failed(error, t0);
    }
    state.recordCall(t0);
    return status;
  }
}

class GuardedWriteFilter implements WriteFilter {
  constructor(
    private readonly inner: WriteFilter,
    private readonly state: GuardState,
  ) {}

  initializeWriteFilterCallbacks(callbacks: WriteFilterCallbacks): void {
    if (!this.inner.initializeWriteFilterCallbacks) return;
    const t0 = this.state.start();
    try {
      this.inner.initializeWriteFilterCallbacks(callbacks);
    } catch (error) {
      this.state.failed(error, t0);
    }
  }

  onWrite(buffer: IoBuffer, endStream: boolean): FilterStatus {
    const state = this.state;
    if (state.skipped) return FilterStatus.Continue;
    const t0 = state.start();
    let status: FilterStatus;
    try {
      status = this.inner.onWrite(buffer, endStream);
    } catch (error) {
      return state.failed(error, t0);
    }
    state.recordCall(t0);
    return status;
  }
}
