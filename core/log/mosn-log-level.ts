import type { Level } from 'pino';

/**
 * MOSN's error-log level names (pkg/log levelMap), most to least severe. MOSN matches them
 * case-sensitively; mosn-ts also accepts lower case, since pino users write "debug".
 */
export const MOSN_LEVEL_NAMES = ['FATAL', 'ERROR', 'WARN', 'INFO', 'DEBUG', 'TRACE'] as const;
export type MosnLevelName = (typeof MOSN_LEVEL_NAMES)[number];

const PINO_LEVEL_BY_MOSN: Readonly<Record<MosnLevelName, Level>> = {
  FATAL: 'fatal',
  ERROR: 'error',
  WARN: 'warn',
  INFO: 'info',
  DEBUG: 'debug',
  TRACE: 'trace',
};

/** The MOSN level named by `text`, or undefined when it names none. */
export function parseMosnLevel(text: string): MosnLevelName | undefined {
  const upper = text.toUpperCase();
  return (MOSN_LEVEL_NAMES as readonly string[]).includes(upper) ? (upper as MosnLevelName) : undefined;
}

export function pinoLevelOf(level: MosnLevelName): Level {
  return PINO_LEVEL_BY_MOSN[level];
}

/** The MOSN name of a pino level label, or undefined for labels MOSN lacks ("silent", custom). */
export function mosnLevelOf(pinoLevel: string): MosnLevelName | undefined {
  for (const name of MOSN_LEVEL_NAMES) if (PINO_LEVEL_BY_MOSN[name] === pinoLevel) return name;
  return undefined;
}
