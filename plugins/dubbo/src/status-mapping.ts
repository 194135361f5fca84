import { CODEC_EXCEPTION_STATUS } from 'mosn-plugin-sdk';
import {
  STATUS_BAD_REQUEST,
  STATUS_CLIENT_TIMEOUT,
  STATUS_OK,
  STATUS_SERVER_ERROR,
  STATUS_SERVER_THREADPOOL_EXHAUSTED,
  STATUS_SERVER_TIMEOUT,
  STATUS_SERVICE_ERROR,
  STATUS_SERVICE_NOT_FOUND,
} from './dubbo-constants';

/** A reply the proxy makes: dubbo status and the message sent as its hessian2 string body. */
export interface DubboReply {
  readonly status: number;
  readonly message: string;
}

/**
 * MOSN's dubboMosnStatusMap (pkg/protocol/xprotocol/dubbo/types.go), HTTP-like status → dubbo
 * status and message, with one change: a timeout (504) is SERVER_TIMEOUT (31), since it is the
 * server side of the consumer's connection that gave up (MOSN sends CLIENT_TIMEOUT, 30). A Dubbo
 * consumer turns either into a TimeoutException and any other non-OK status into an RpcException
 * carrying the message.
 */
const REPLIES = new Map<number, DubboReply>([
  [CODEC_EXCEPTION_STATUS, { status: STATUS_SERVICE_ERROR, message: '0|codec exception' }],
  [2, { status: STATUS_SERVICE_ERROR, message: '2|unknown' }],
  [3, { status: STATUS_SERVICE_ERROR, message: '3|deserial exception' }],
  [200, { status: STATUS_OK, message: '200|success' }],
  [403, { status: STATUS_SERVER_ERROR, message: '403|permission denied' }],
  [404, { status: STATUS_SERVICE_NOT_FOUND, message: '404|router unavailable' }],
  [500, { status: STATUS_SERVICE_ERROR, message: '500|internal error' }],
  [502, { status: STATUS_SERVICE_NOT_FOUND, message: '502|no health upstream' }],
  [503, { status: STATUS_BAD_REQUEST, message: '503|upstream overflow' }],
  [504, { status: STATUS_SERVER_TIMEOUT, message: '504|timeout' }],
  [509, { status: STATUS_BAD_REQUEST, message: '509|limit exceeded' }],
]);

export function dubboReplyOf(httpStatus: number): DubboReply {
  return REPLIES.get(httpStatus) ?? { status: STATUS_SERVICE_ERROR, message: `${httpStatus}|status not defined` };
}

/**
 * The HTTP-like status of a dubbo response, for retries, metrics and access logs (MOSN's
 * dubboStatusMapping, except BAD_REQUEST → 400 where MOSN says 504, which would retry a request
 * the provider refused, and THREADPOOL_EXHAUSTED → 503, busy like bolt's, where MOSN says 507).
 */
export function httpStatusOf(dubboStatus: number): number {
  switch (dubboStatus) {
    case STATUS_OK:
      return 200;
    case STATUS_CLIENT_TIMEOUT:
    case STATUS_SERVER_TIMEOUT:
      return 504;
    case STATUS_BAD_REQUEST:
      return 400;
    case STATUS_SERVICE_NOT_FOUND:
      return 502;
    case STATUS_SERVER_THREADPOOL_EXHAUSTED:
      return 503;
    default:
      return 500;
  }
}
