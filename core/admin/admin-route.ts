/** The contract between the admin server and its endpoints (built-in and plugin-provided). */

export type AdminMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface AdminRequest {
  readonly method: string;
  readonly url: URL;
  /** The request body as UTF-8 text ("" when none). */
  readonly body: string;
}

export interface AdminResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** One endpoint: an exact path and one method. Several routes may share a path with other methods. */
export interface AdminRoute {
  readonly path: string;
  readonly method: AdminMethod;
  handle(request: AdminRequest): AdminResponse | Promise<AdminResponse>;
}

export const TEXT = 'text/plain; charset=utf-8';
export const JSON_TYPE = 'application/json';

export function textResponse(body: string, status = 200): AdminResponse {
  return { status, contentType: TEXT, body };
}

export function jsonResponse(body: string, status = 200): AdminResponse {
  return { status, contentType: JSON_TYPE, body };
}

/** MOSN's admin error body (errMsgFmt in pkg/admin/server/apis.go): `{\n\t"error": "..."\n}\n`. */
export function errorResponse(status: number, message: string): AdminResponse {
  return jsonResponse(`{\n\t"error": ${JSON.stringify(message)}\n}\n`, status);
}
