/**
 * bolt wire constants (SOFARPC's remoting protocol; names and values as in MOSN's
 * pkg/protocol/xprotocol/bolt/types.go and boltv2/types.go).
 */

/** Byte 0 of every frame. */
export const PROTOCOL_V1 = 0x01;
export const PROTOCOL_V2 = 0x02;

/** Byte 1 (v1) or 2 (v2): the command type. */
export const TYPE_RESPONSE = 0;
export const TYPE_REQUEST = 1;
export const TYPE_REQUEST_ONEWAY = 2;

/** The command code. */
export const CMD_HEARTBEAT = 0;
export const CMD_REQUEST = 1;
export const CMD_RESPONSE = 2;
export const CMD_GOAWAY = 100;

/** The codec (serialization) byte. */
export const CODEC_HESSIAN2 = 1;

/** Response status (respstatus). */
export const STATUS_SUCCESS = 0x00;
export const STATUS_ERROR = 0x01;
export const STATUS_SERVER_EXCEPTION = 0x02;
export const STATUS_UNKNOWN = 0x03;
export const STATUS_SERVER_THREADPOOL_BUSY = 0x04;
export const STATUS_ERROR_COMM = 0x05;
export const STATUS_NO_PROCESSOR = 0x06;
export const STATUS_TIMEOUT = 0x07;
export const STATUS_CLIENT_SEND_ERROR = 0x08;
export const STATUS_CODEC_EXCEPTION = 0x09;
export const STATUS_CONNECTION_CLOSED = 0x10;
export const STATUS_SERVER_SERIAL_EXCEPTION = 0x11;
export const STATUS_SERVER_DESERIAL_EXCEPTION = 0x12;

/**
 * Fixed part lengths and field offsets.
 * v1 request:  proto type cmd(2) ver2 id(4) codec timeout(4) classLen(2) headerLen(2) contentLen(4) = 22
 * v1 response: proto type cmd(2) ver2 id(4) codec status(2) classLen(2) headerLen(2) contentLen(4) = 20
 * v2 adds ver1 after proto and switch after codec: 24 and 22.
 */
export const V1_REQUEST_HEADER_LEN = 22;
export const V1_RESPONSE_HEADER_LEN = 20;
export const V2_REQUEST_HEADER_LEN = 24;
export const V2_RESPONSE_HEADER_LEN = 22;
export const V1_REQUEST_ID_OFFSET = 5;
export const V2_REQUEST_ID_OFFSET = 6;

/** boltv2's ver1 without CRC, and the switch bit that turns the CRC32 trailer on. */
export const V2_VER1_DEFAULT = 0x01;
export const V2_SWITCH_CRC = 0x01;
export const CRC_LEN = 4;

/** Request ids are u32. */
export const MAX_REQUEST_ID = 0xffffffff;
