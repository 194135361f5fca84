/**
 * MOSN's process states and their numbers (pkg/stagemanager State, an iota), which
 * /api/v1/states prints as "pid=<pid>&state=<number>".
 */
export const MOSN_STATE_CODES = {
  Nil: 0,
  ParamsParsed: 1,
  Initing: 2,
  PreStart: 3,
  Starting: 4,
  AfterStart: 5,
  Running: 6,
  BeforeStop: 7,
  GracefulStopping: 8,
  Stopping: 9,
  AfterStop: 10,
  Stopped: 11,
  StartingNewServer: 12,
  Upgrading: 13,
} as const;

export type MosnStateName = keyof typeof MOSN_STATE_CODES;

/** "Draining" is not a MOSN name; it is what MOSN calls GracefulStopping. */
const STATE_ALIASES: Readonly<Record<string, MosnStateName>> = { Draining: 'GracefulStopping' };

/** MOSN's number for a state name (or alias), undefined for names MOSN lacks. */
export function mosnStateCode(name: string): number | undefined {
  const canonical = STATE_ALIASES[name] ?? name;
  return Object.prototype.hasOwnProperty.call(MOSN_STATE_CODES, canonical)
    ? MOSN_STATE_CODES[canonical as MosnStateName]
    : undefined;
}
