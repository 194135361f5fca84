/**
 * Dubbo wire constants (the `dubbo` protocol of Apache Dubbo 2.x; names and values as in
 * Dubbo's ExchangeCodec and MOSN's pkg/protocol/xprotocol/dubbo/types.go).
 */

export const MAGIC_HIGH = 0xda;
export const MAGIC_LOW = 0xbb;
export const HEADER_LEN = 16;

/** Offsets in the 16-byte header. */
export const FLAG_AT = 2;
export const STATUS_AT = 3;
export const ID_AT = 4;
export const BODY_LEN_AT = 12;

/** Flag bits. */
export const FLAG_REQUEST = 0x80;
export const FLAG_TWO_WAY = 0x40;
export const FLAG_EVENT = 0x20;
export const SERIALIZATION_MASK = 0x1f;

/** The only serialization this codec reads. */
export const SERIALIZATION_HESSIAN2 = 2;

/** Response status byte. */
export const STATUS_OK = 20;
export const STATUS_CLIENT_TIMEOUT = 30;
export const STATUS_SERVER_TIMEOUT = 31;
export const STATUS_BAD_REQUEST = 40;
export const STATUS_BAD_RESPONSE = 50;
export const STATUS_SERVICE_NOT_FOUND = 60;
export const STATUS_SERVICE_ERROR = 70;
export const STATUS_SERVER_ERROR = 80;
export const STATUS_CLIENT_ERROR = 90;
export const STATUS_SERVER_THREADPOOL_EXHAUSTED = 100;

/** Heartbeat reply as MOSN writes it: response + event + hessian2, OK, body "NN". */
export const HEARTBEAT_REPLY_FLAG = FLAG_EVENT | SERIALIZATION_HESSIAN2;
export const HEARTBEAT_REPLY_BODY = Buffer.from([0x4e, 0x4e]);
/** Heartbeat request as Dubbo sends it: request + two-way + event + hessian2, body hessian null. */
export const HEARTBEAT_REQUEST_FLAG = FLAG_REQUEST | FLAG_TWO_WAY | FLAG_EVENT | SERIALIZATION_HESSIAN2;
export const HEARTBEAT_REQUEST_BODY = Buffer.from([0x4e]);
/** Dubbo's READONLY_EVENT ("R" as a hessian2 string): a provider shutting down takes no new calls. */
export const READONLY_EVENT_BODY = Buffer.from([0x01, 0x52]);

/** Flag of a response made here (MOSN's hijack): response, hessian2. */
export const RESPONSE_FLAG = SERIALIZATION_HESSIAN2;

/**
 * Dubbo's default payload limit (`payload`, 8 MiB) plus the header: larger frames are refused,
 * as a Dubbo provider refuses them.
 */
export const MAX_FRAME_BYTES = HEADER_LEN + 8 * 1024 * 1024;

/**
 * Request ids are u64 on the wire; the engine's ids are JavaScript numbers, exact up to 2^53 - 1.
 * Dubbo consumers count ids up from 0, so larger ones do not occur in practice and are refused.
 */
export const MAX_REQUEST_ID = Number.MAX_SAFE_INTEGER;

/**
 * Header names the invocation is exposed under (MOSN's dubbo codec names): `service` is the
 * routing header of RPC protocols in MOSN.
 */
export const HEADER_FRAMEWORK_VERSION = 'dubbo';
export const HEADER_SERVICE = 'service';
export const HEADER_PATH = 'path';
export const HEADER_VERSION = 'version';
export const HEADER_METHOD = 'method';
export const HEADER_INTERFACE = 'interface';
export const HEADER_GROUP = 'group';
/** The attachment in which consumers send their timeout (ms). */
export const ATTACHMENT_TIMEOUT = 'timeout';
