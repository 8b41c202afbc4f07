import { describe, expect, it } from '@jest/globals';
import { RpcRemoteError } from '@aegis/messaging';
import { InvalidInputException } from '@aegis/platform';
import { DisputesException, disputeErrorOf, publicDisputeFieldOf } from './disputes.exception.js';

const remote = (
  code: string,
  status: number,
  message = 'disputes says no',
  fields: { field: string; message: string }[] = [],
): RpcRemoteError =>
  new RpcRemoteError('disputes.dispute.evidence.v1', code, status, message, fields);

describe(disputeErrorOf.name, () => {
  it('answers each code of the contract with its status, whatever status the service sent', () => {
    const expected: [string, number][] = [
      ['dispute_not_found', 404],
      ['invalid_evidence', 400],
      ['dispute_closed', 409],
      ['stripe_refused', 502],
      ['stripe_unavailable', 503],
    ];
    for (const [code, status] of expected) {
      const mapped = disputeErrorOf(remote(code, 500, `${code} happened`));
      expect(mapped).toBeInstanceOf(DisputesException);
      expect(mapped).toMatchObject({ code, status, message: `${code} happened` });
    }
  });

  it('says not found in the gateway’s own words', () => {
    expect(
      disputeErrorOf(remote('dispute_not_found', 404, 'dispute d-1 was not found'), {
        disputeId: 'd-1',
      }),
    ).toMatchObject({ code: 'dispute_not_found', status: 404, message: 'no dispute d-1' });
  });

  it('names the fields at fault as the body names them', () => {
    const mapped = disputeErrorOf(
      remote('invalid_evidence', 400, 'too long', [
        { field: 'evidence.uncategorized_text', message: 'too long' },
        { field: 'disputeId', message: 'not a dispute id' },
        { field: 'customerId', message: 'bad' },
      ]),
    );
    expect(mapped).toBeInstanceOf(InvalidInputException);
    expect((mapped as InvalidInputException).fieldErrors).toEqual([
      { field: 'uncategorized_text', message: 'too long' },
      { field: 'id', message: 'not a dispute id' },
      { field: 'customer_id', message: 'bad' },
    ]);
    expect(publicDisputeFieldOf('evidence')).toBe('evidence');
    expect(publicDisputeFieldOf('startingAfter')).toBe('starting_after');
  });

  it('passes anything else on as it came', () => {
    const unknown = remote('something_else', 418);
    expect(disputeErrorOf(unknown)).toBe(unknown);
    const plain = new Error('timeout');
    expect(disputeErrorOf(plain)).toBe(plain);
  });
});
