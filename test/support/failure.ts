// The EtlError a promise rejects with; the test fails if it resolves or rejects with anything else.
import { expect } from 'chai';
import { EtlError } from '../../src/errors/index.ts';

export async function etlFailure(promise: Promise<unknown>): Promise<EtlError> {
  try {
    await promise;
  } catch (err) {
    expect(err).to.be.instanceOf(EtlError);
    return err as EtlError;
  }
  return expect.fail('expected a rejection with an EtlError');
}
