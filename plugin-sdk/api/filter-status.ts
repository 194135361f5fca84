/**
 * What a filter tells its chain after handling a callback.
 *
 * - `Continue`: pass control (and the data) to the next filter.
 * - `Stop`: end this pass of the chain here. Bytes the filter did not drain stay in the buffer.
 *   The next read starts again from the first filter (with the old bytes plus the new ones);
 *   the filter's callbacks' `continueReading()` / `continueWriting()` run the rest of the chain
 *   from the next filter at a time of the filter's choosing (e.g. after an async check).
 */
export enum FilterStatus {
  Continue = 'Continue',
  Stop = 'Stop',
}
