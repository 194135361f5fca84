/**
 * bolt benchmark (the RPC harness in rpc-bench.ts): bolt → bolt through mosn-ts vs direct.
 * The frames are the ones sofa-bolt-node (SOFARPC's Node codec) builds: a SofaRequest with one
 * 1 KiB hessian2 string argument, answered by a SofaResponse with a 1 KiB string.
 *
 *   npm run bench:bolt   (or node dist/test/bench/bolt-bench.js [--duration 8] [--connections 4] [--inflight 64])
 */
import { runRpcBench } from './rpc-bench';

const PAYLOAD = 1024;
const SERVICE = 'com.example.BenchService:1.0';

/* eslint-disable @typescript-eslint/no-require-imports */
const boltFrames = require('sofa-bolt-node/lib/protocol') as {
  requestEncode(id: number, req: Record<string, unknown>, options: Record<string, unknown>): Buffer;
  responseEncode(id: number, res: Record<string, unknown>, options: Record<string, unknown>): Buffer;
};
const ENCODE_OPTS = { protocolType: 'bolt', codecType: 'hessian2', boltVersion: 1, crcEnable: false, classCache: new Map() };

/** A heartbeat response (cmd 0, status 0) with the request's id. */
function heartbeatAck(req: Buffer): Buffer {
  const b = Buffer.alloc(20);
  b[0] = 1;
  b[4] = 1;
  req.copy(b, 5, 5, 9);
  return b;
}

runRpcBench(
  {
    protocol: 'bolt',
    service: SERVICE,
    description: 'bolt v1, 1 KiB hessian2 payload each way',
    requestTemplate: () =>
      boltFrames.requestEncode(
        1,
        { serverSignature: SERVICE, methodName: 'echo', args: [{ $class: 'java.lang.String', $: 'x'.repeat(PAYLOAD) }], timeout: 3000, targetAppName: '', requestProps: {} },
        ENCODE_OPTS,
      ),
    responseTemplate: () => boltFrames.responseEncode(1, { isError: false, appResponse: { $class: 'java.lang.String', $: 'y'.repeat(PAYLOAD) } }, ENCODE_OPTS),
    frameLength(buf, at) {
      const left = buf.length - at;
      if (left < 2) return undefined;
      const fixed = buf[at + 1] === 0 ? 20 : 22; // response : request
      if (left < fixed) return undefined;
      const lens = at + fixed - 8;
      return fixed + buf.readUInt16BE(lens) + buf.readUInt16BE(lens + 2) + buf.readUInt32BE(lens + 4);
    },
    readId: (frame) => frame.readUInt32BE(5),
    writeId: (frame, id) => frame.writeUInt32BE(id, 5),
    reply(request, template) {
      if (request.readUInt16BE(2) === 0) return heartbeatAck(request);
      const reply = Buffer.from(template);
      request.copy(reply, 5, 5, 9);
      return reply;
    },
    responseProblem: (frame) => (frame.readUInt16BE(10) !== 0 ? `response status ${frame.readUInt16BE(10)}` : undefined),
  },
  __filename,
);
