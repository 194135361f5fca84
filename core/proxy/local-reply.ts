import { HeaderMap } from '../../plugin-sdk';

/** Headers of a locally generated reply. */
export function localReplyHeaders(status: number, body: Buffer, extra?: Readonly<Record<string, string>>): HeaderMap {
  const h = new HeaderMap();
  h.add(':status', String(status));
  let hasType = false;
  if (extra) {
    for (const name of Object.keys(extra)) {
      h.add(name, extra[name]);
      if (name.toLowerCase() === 'content-type') hasType = true;
    }
  }
  if (!hasType && body.length > 0) h.add('content-type', 'text/plain; charset=utf-8');
  h.set('content-length', String(body.length));
  return h;
}

/** Short bodies for the proxy's own replies, so a client sees why. */
export const LOCAL_REPLY_BODY: Readonly<Record<number, string>> = {
  400: 'bad request\n',
  404: 'no route\n',
  500: 'internal error\n',
  502: 'upstream reset\n',
  503: 'upstream unavailable\n',
  504: 'upstream request timeout\n',
};

/** A gRPC request (content-type application/grpc, application/grpc+proto, ...). */
export function isGrpcRequest(request: HeaderMap | undefined): boolean {
  const type = request?.get('content-type');
  return type !== undefined && type.toLowerCase().startsWith('application/grpc');
}

/**
 * The gRPC status of a proxy-generated error (Envoy's httpToGrpcStatus, except that the proxy's
 * own timeout is DEADLINE_EXCEEDED and a 500 from a filter is INTERNAL).
 */
export function grpcStatusOf(httpStatus: number): number {
  switch (httpStatus) {
    case 400:
    case 500:
      return 13; // INTERNAL
    case 401:
      return 16; // UNAUTHENTICATED
    case 403:
      return 7; // PERMISSION_DENIED
    case 404:
      return 12; // UNIMPLEMENTED
    case 429:
    case 502:
    case 503:
      return 14; // UNAVAILABLE
    case 504:
      return 4; // DEADLINE_EXCEEDED
    default:
      return 2; // UNKNOWN
  }
}

/**
 * A proxy-generated error on a gRPC request, as gRPC clients expect it: HTTP 200 and a
 * trailers-only response (one HEADERS frame ending the stream) carrying grpc-status and
 * grpc-message (percent-encoded as the gRPC spec asks).
 */
export function grpcLocalReplyHeaders(httpStatus: number, message: string): HeaderMap {
  const h = new HeaderMap();
  h.add(':status', '200');
  h.add('content-type', 'application/grpc');
  h.add('grpc-status', String(grpcStatusOf(httpStatus)));
  h.add('grpc-message', encodeURIComponent(message.trim()));
  return h;
}
