/**
 * What a filter tells its chain after handling a callback.
 *
 * - `Continue`: pass control (and the data) to the next filter.
 * - `Stop`: stop here. Data left in the buffer stays there; the chain resumes from the next filter
 *   when the filter calls its callbacks' `continueReading()` / `continueWriting()`.
 */
export enum FilterStatus {
  Continue = 'Continue',
  Stop = 'Stop',
}
