import { CODEC_EXCEPTION_STATUS } from 'mosn-plugin-sdk';
import {
  STATUS_CODEC_EXCEPTION,
  STATUS_CONNECTION_CLOSED,
  STATUS_NO_PROCESSOR,
  STATUS_SERVER_DESERIAL_EXCEPTION,
  STATUS_SERVER_EXCEPTION,
  STATUS_SERVER_THREADPOOL_BUSY,
  STATUS_SUCCESS,
  STATUS_TIMEOUT,
  STATUS_UNKNOWN,
} from './bolt-constants';

/** MOSN's api.DeserialExceptionCode: the request's body could not be deserialized. */
const DESERIAL_EXCEPTION_STATUS = 3;

/**
 * The bolt status of a reply the proxy made with an HTTP-like status (MOSN's boltProtocol.Mapping):
 * 200 → success; 404 (no route) and 502 (no healthy upstream) → no processor; 503 (overflow) →
 * thread pool busy; 504 → timeout; 403 → server exception (bolt has no "denied"); codec error →
 * codec exception; deserialization error → server deserial exception; anything else → unknown.
 */
export function boltStatusOf(httpStatus: number): number {
  switch (httpStatus) {
    case 200:
      return STATUS_SUCCESS;
    case 404:
    case 502:
      return STATUS_NO_PROCESSOR;
    case 503:
      return STATUS_SERVER_THREADPOOL_BUSY;
    case 504:
      return STATUS_TIMEOUT;
    case 403:
      return STATUS_SERVER_EXCEPTION;
    case CODEC_EXCEPTION_STATUS:
      return STATUS_CODEC_EXCEPTION;
    case DESERIAL_EXCEPTION_STATUS:
      return STATUS_SERVER_DESERIAL_EXCEPTION;
    default:
      return STATUS_UNKNOWN;
  }
}

/**
 * The HTTP-like status of a bolt response, for the proxy's retries, metrics and access logs
 * (MOSN's BoltStatusMapping): success 200, thread pool busy 503, timeout 504, connection closed
 * 502, every other error 500.
 */
export function httpStatusOf(boltStatus: number): number {
  switch (boltStatus) {
    case STATUS_SUCCESS:
      return 200;
    case STATUS_SERVER_THREADPOOL_BUSY:
      return 503;
    case STATUS_TIMEOUT:
      return 504;
    case STATUS_CONNECTION_CLOSED:
      return 502;
    default:
      return 500;
  }
}
