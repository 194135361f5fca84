import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  MOSN_PROCESS_FAILED_FLAGS,
  ResponseFlag,
  formatResponseFlag,
  formatResponseFlagHex,
  formatResponseFlagShortCodes,
  responseFlagNames,
} from '../../core/accesslog/response-flags';

describe('response flags', () => {
  it('has MOSN\'s bit values (mosn.io/api request.go)', () => {
    assert.deepEqual(
      { ...ResponseFlag },
      {
        NoHealthyUpstream: 0x2,
        UpstreamRequestTimeout: 0x4,
        UpstreamLocalReset: 0x8,
        UpstreamRemoteReset: 0x10,
        UpstreamConnectionFailure: 0x20,
        UpstreamConnectionTermination: 0x40,
        UpstreamOverflow: 0x80,
        NoRouteFound: 0x100,
        DelayInjected: 0x200,
        FaultInjected: 0x400,
        RateLimited: 0x800,
        ReqEntityTooLarge: 0x1000,
        DownStreamTerminate: 0x2000,
      },
    );
    assert.equal(MOSN_PROCESS_FAILED_FLAGS, 0x2 | 0x100 | 0x8 | 0x400 | 0x800 | 0x2000 | 0x1000);
  });

  it('prints like MOSN: %response_flag% as true/false, the failure reason as hex', () => {
    assert.equal(formatResponseFlag(0), 'false');
    assert.equal(formatResponseFlag(ResponseFlag.NoHealthyUpstream), 'true');
    assert.equal(formatResponseFlag(ResponseFlag.NoHealthyUpstream | ResponseFlag.UpstreamRequestTimeout), 'true');
    assert.equal(formatResponseFlagHex(0), '0x0');
    assert.equal(formatResponseFlagHex(ResponseFlag.NoHealthyUpstream | ResponseFlag.UpstreamRequestTimeout), '0x6');
    assert.equal(formatResponseFlagHex(ResponseFlag.DownStreamTerminate | ResponseFlag.UpstreamOverflow), '0x2080');
  });

  it('names several flags in bit order, with Envoy short codes on request', () => {
    const flags = ResponseFlag.RateLimited | ResponseFlag.NoHealthyUpstream | ResponseFlag.UpstreamConnectionFailure;
    assert.deepEqual(responseFlagNames(flags), ['NoHealthyUpstream', 'UpstreamConnectionFailure', 'RateLimited']);
    assert.equal(formatResponseFlagShortCodes(flags), 'UH,UF,RL');
    assert.equal(formatResponseFlagShortCodes(0), '-');
    const all = Object.values(ResponseFlag).reduce((a, b) => a | b, 0);
    assert.equal(formatResponseFlagShortCodes(all), 'UH,UT,LR,UR,UF,UC,UO,NR,DI,FI,RL,ReqEntityTooLarge,DC');
    assert.deepEqual(responseFlagNames(ResponseFlag.UpstreamLocalReset | 0x1 | 0x4000), ['UpstreamLocalReset', '0x4001']);
    assert.equal(formatResponseFlagShortCodes(0x4000), '0x4000');
  });
});
