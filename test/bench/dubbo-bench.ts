/**
 * dubbo benchmark (the RPC harness in rpc-bench.ts): dubbo → dubbo through mosn-ts vs direct.
 * The request is what a Dubbo 2.7 consumer sends (hessian2 by hessian.js): dubbo version, service,
 * version, method `echo`, descriptor `Ljava/lang/String;`, one 1 KiB string argument and the usual
 * attachments; the response is a RESPONSE_VALUE with a 1 KiB string.
 *
 *   npm run bench:dubbo   (or node dist/test/bench/dubbo-bench.js [--duration 8] [--connections 4] [--inflight 64])
 */
import { runRpcBench } from './rpc-bench';

const PAYLOAD = 1024;
const SERVICE = 'com.example.BenchService';

/* eslint-disable @typescript-eslint/no-require-imports */
const { EncoderV2 } = require('hessian.js') as { EncoderV2: new () => { write(v: unknown): unknown; get(): Buffer } };

function hessian(values: unknown[]): Buffer {
  const e = new EncoderV2();
  for (const v of values) e.write(v);
  return Buffer.from(e.get());
}

function dubboFrame(flag: number, status: number, body: Buffer): Buffer {
  const out = Buffer.alloc(16 + body.length);
  out.writeUInt16BE(0xdabb, 0);
  out[2] = flag;
  out[3] = status;
  out.writeUInt32BE(body.length, 12);
  body.copy(out, 16);
  return out;
}

runRpcBench(
  {
    protocol: 'dubbo',
    service: SERVICE,
    description: 'dubbo (hessian2), 1 KiB string argument and result',
    requestTemplate() {
      const attachments = { path: SERVICE, interface: SERVICE, version: '1.0.0', timeout: '3000' };
      return dubboFrame(0xc2, 0, hessian(['2.0.2', SERVICE, '1.0.0', 'echo', 'Ljava/lang/String;', 'x'.repeat(PAYLOAD), attachments]));
    },
    responseTemplate: () => dubboFrame(0x02, 20, hessian([1, 'y'.repeat(PAYLOAD)])),
    frameLength: (buf, at) => (buf.length - at < 16 ? undefined : 16 + buf.readUInt32BE(at + 12)),
    // Ids stay below 2^32: the low half of the 64-bit id is enough.
    readId: (frame) => frame.readUInt32BE(8),
    writeId: (frame, id) => frame.writeUInt32BE(id, 8),
    reply(request, template) {
      // A heartbeat event gets Dubbo's answer (response + event, OK, null).
      const reply = (request[2] & 0x20) !== 0 ? dubboFrame(0x22, 20, Buffer.from([0x4e])) : Buffer.from(template);
      request.copy(reply, 4, 4, 12); // the request's id
      return reply;
    },
    responseProblem: (frame) => (frame[3] !== 20 ? `response status ${frame[3]}` : undefined),
  },
  __filename,
);
