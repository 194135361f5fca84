import type { Logger } from 'pino';
import { errorResponse, jsonResponse, textResponse, type AdminRoute } from './admin-route';
import type { LogManager } from '../log/log-manager';
import { MOSN_LEVEL_NAMES } from '../log/mosn-log-level';

/** What the log endpoints need of the log manager. */
export type LogControl = Pick<LogManager, 'getLevels' | 'setLevel' | 'enable' | 'disable'>;

/**
 * MOSN's log endpoints: GET /api/v1/get_loglevel ({"<path>":"<LEVEL>"}),
 * POST /api/v1/update_loglevel with {"log_path","log_level"} (an empty log_path means the server
 * log), POST /api/v1/enable_log and /api/v1/disable_log with the log path as the raw body.
 * Replies are MOSN's texts ("update logger success\n"…); failures are 400 with the reason.
 */
export function logRoutes(logs: LogControl, adminLog: Logger): AdminRoute[] {
  return [
    { path: '/api/v1/get_loglevel', method: 'GET', handle: () => jsonResponse(JSON.stringify(logs.getLevels())) },
    {
      path: '/api/v1/update_loglevel',
      method: 'POST',
      handle: ({ body }) => {
        const request = parseLogLevelRequest(body);
        if (typeof request === 'string') return errorResponse(400, `update logger failed: ${request}`);
        if (!logs.setLevel(request.logPath, request.logLevel)) {
          const reason = `unknown log level "${request.logLevel}" or no log at path "${request.logPath ?? ''}"`;
          return errorResponse(400, `update logger failed: ${reason}`);
        }
        adminLog.info({ log_path: request.logPath, log_level: request.logLevel }, '[admin api] [update log level]');
        return textResponse('update logger success\n');
      },
    },
    toggleRoute('/api/v1/enable_log', 'enable', (path) => logs.enable(path), adminLog),
    toggleRoute('/api/v1/disable_log', 'disable', (path) => logs.disable(path), adminLog),
  ];
}

function toggleRoute(path: string, verb: string, toggle: (logPath: string) => boolean, adminLog: Logger): AdminRoute {
  return {
    path,
    method: 'POST',
    handle: ({ body }) => {
      // The body is the log path itself; a trailing newline from `echo` or a shell is not part of it.
      const logPath = body.trim();
      if (logPath === '') return errorResponse(400, `${verb} logger failed: the body must be a log path`);
      if (!toggle(logPath)) return errorResponse(400, `${verb} logger failed: no log at path "${logPath}"`);
      adminLog.info({ log_path: logPath }, `[admin api] [${verb} logger]`);
      return textResponse(`${verb} logger success\n`);
    },
  };
}

/** The update_loglevel body, or why it is not one. */
function parseLogLevelRequest(body: string): { logPath: string | undefined; logLevel: string } | string {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    return 'the body is not JSON';
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return 'the body must be a JSON object';
  const { log_path: logPath, log_level: logLevel } = data as Record<string, unknown>;
  if (typeof logLevel !== 'string') return `log_level must be one of ${MOSN_LEVEL_NAMES.join(', ')}`;
  if (logPath !== undefined && typeof logPath !== 'string') return 'log_path must be a string';
  return { logPath: logPath === '' ? undefined : logPath, logLevel };
}
