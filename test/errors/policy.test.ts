// The error policy table: every error takes its code's action unless its thrower picks the one
// alternative the table allows, and the table's rows fit together (an action belongs to one scope).
import { expect } from 'chai';
import { ERROR_POLICY, ErrorCodes, EtlError, ExitCodes, exitCodeOf, type ErrorCode } from '../../src/errors/index.ts';

const codes = Object.keys(ERROR_POLICY) as ErrorCode[];

describe('error policy', () => {
  it('has a row for every code', () => {
    expect(codes.sort()).to.deep.equal(Object.values(ErrorCodes).sort());
  });

  it('resends only at request scope, resubmits or splits only at window scope, and never repeats what stops an entity, a shop or the job', () => {
    for (const code of codes) {
      const { scope, action, alternative } = ERROR_POLICY[code];
      for (const a of [action, alternative].filter((x) => x !== undefined)) {
        const expected = a === 'resend' ? ['request'] : a === 'fail' ? ['request', 'entity', 'shop', 'job'] : ['window'];
        expect(expected, `${code}: ${a} at ${scope}`).to.include(scope);
      }
      expect(alternative, code).not.to.equal(action);
    }
  });

  it('gives an error its code\'s action, or the alternative its thrower picks, and refuses any other', () => {
    expect(new EtlError(ErrorCodes.HTTP_TRANSIENT, 'x').action).to.equal('resend');
    expect(new EtlError(ErrorCodes.HTTP_TRANSIENT, 'x', { action: 'fail' }).action).to.equal('fail');
    expect(new EtlError(ErrorCodes.BULK_STUCK, 'x').action).to.equal('split');
    expect(new EtlError(ErrorCodes.BULK_STUCK, 'x', { action: 'resubmit' }).action).to.equal('resubmit');
    expect(() => new EtlError(ErrorCodes.BULK_TIMEOUT, 'x', { action: 'resubmit' })).to.throw(TypeError, /BULK_TIMEOUT cannot be handled by resubmit: its policy allows split/);
    expect(() => new EtlError(ErrorCodes.AUTH_INVALID, 'x', { action: 'resend' })).to.throw(TypeError, /allows fail$/);
  });

  it('stops the shop on what the shop refuses, the state and the machine, and exits 2 for what someone must fix', () => {
    const withScope = (scope: string) => codes.filter((c) => ERROR_POLICY[c].scope === scope).sort();
    expect(withScope('shop')).to.deep.equal([
      'AUTH_INVALID', 'DEST_DAMAGED', 'DEST_PERMISSION', 'DEST_UNWRITABLE', 'DISK_FULL', 'QUALITY_CHECK_FAILED', 'SHOP_FORBIDDEN', 'SHOP_FROZEN', 'SHOP_LOCKED', 'SHOP_NOT_FOUND',
      'STATE_CONFLICT', 'STATE_LOCKED', 'STATE_UNREADABLE', 'STATE_UNWRITABLE', 'TLS_CERT_INVALID',
    ]);
    expect(withScope('job')).to.deep.equal(['INTERRUPTED', 'MODEL_UNREADABLE', 'SANDBOX_UNAVAILABLE']);
    expect(codes.filter((c) => exitCodeOf(c) === ExitCodes.CONFIG).sort()).to.deep.equal(
      ['AUTH_INVALID', 'CONFIG_INVALID', 'DEST_DAMAGED', 'DEST_PERMISSION', 'DEST_UNWRITABLE', 'SANDBOX_UNAVAILABLE', 'SHOP_NOT_FOUND', 'STATE_UNREADABLE', 'STATE_UNWRITABLE', 'TLS_CERT_INVALID'],
    );
    expect(exitCodeOf(ErrorCodes.STATE_LOCKED)).to.equal(ExitCodes.LOCKED);
    expect(exitCodeOf(undefined)).to.equal(ExitCodes.PARTIAL_FAILURE);
    expect(exitCodeOf('NOT_A_CODE')).to.equal(ExitCodes.PARTIAL_FAILURE);
  });
});
