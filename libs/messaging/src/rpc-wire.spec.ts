import { describe, expect, it } from '@jest/globals';
import { RpcException } from '@nestjs/microservices';
import { RpcTimeoutError, RpcUnreachableError } from './errors.js';
import { toRemoteErrorBody } from './rpc-wire.js';

describe(toRemoteErrorBody.name, () => {
  it('carries the fields at fault of an expected failure', () => {
    const refusal = Object.assign(new Error('tiers must ascend'), {
      code: 'invalid_pricing',
      status: 400,
      fields: [{ field: 'tiers[1].up_to', message: 'tiers must ascend' }],
    });
    expect(toRemoteErrorBody(refusal)).toEqual({
      code: 'invalid_pricing',
      status: 400,
      message: 'tiers must ascend',
      fields: [{ field: 'tiers[1].up_to', message: 'tiers must ascend' }],
    });
    const viaRpcException = new RpcException({ code: 'x', status: 409, message: 'no', fields: [] });
    expect(toRemoteErrorBody(viaRpcException)).toEqual({ code: 'x', status: 409, message: 'no' });
  });

  it('drops fields that are not a list of {field, message}', () => {
    const odd = { code: 'x', status: 400, message: 'no', fields: [{ field: 1 }] };
    expect(toRemoteErrorBody(odd)).toEqual({ code: 'x', status: 400, message: 'no' });
  });

  it('answers anything else as an internal error without its details', () => {
    expect(toRemoteErrorBody(new Error('secret detail'))).toEqual({
      code: 'internal_error',
      status: 500,
      message: 'the service failed to handle the request',
    });
  });

  it('answers a service the handler called that is down as 503, and one too slow as 504', () => {
    expect(
      toRemoteErrorBody(new RpcUnreachableError('billing.product.get.v1', 'no route')),
    ).toMatchObject({ code: 'dependency_unavailable', status: 503 });
    expect(toRemoteErrorBody(new RpcTimeoutError('billing.product.get.v1', 5000))).toMatchObject({
      code: 'dependency_timeout',
      status: 504,
    });
  });
});
