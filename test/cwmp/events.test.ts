import { describe, expect, it } from 'vitest';
import { EVENT, eventPolicy, isValidEventCode } from '../../src/cwmp/index.js';

describe('isValidEventCode (cwmp-1-2.xsd EventCodeType)', () => {
  it.each(Object.values(EVENT))('accepts the standard code %j', (code) => {
    expect(isValidEventCode(code)).toBe(true);
  });
  it.each(['M X_ACME_Kick', 'X 00D09E Wakeup Call', 'X ACME something happened', '15 FUTURE EVENT'])('accepts the extension %j', (code) => {
    expect(isValidEventCode(code)).toBe(true);
  });
  it.each([
    ['', 'empty'],
    ['BOOT', 'no number'],
    ['1  BOOT', 'double space'],
    ['1 BOOT ', 'trailing space'],
    [' 1 BOOT', 'leading space'],
    ['M', 'M without a method'],
    ['M Sched Inform', 'space in method name'],
    ['X 00D09E', 'X without an event'],
    ['1 BOOT\n', 'newline'],
    ['x 00D09E y', 'lower-case x'],
    [`1 ${'A'.repeat(63)}`, 'longer than 64 characters'],
  ])('rejects %j (%s)', (code) => {
    expect(isValidEventCode(code)).toBe(false);
  });
});

describe('eventPolicy (cwmp-notes §2.3)', () => {
  it('6 CONNECTION REQUEST is never retried and not kept over reboot', () => {
    expect(eventPolicy(EVENT.CONNECTION_REQUEST)).toEqual({ multiple: false, deliveredBy: 'InformResponse', retryOnFailure: false, keptOverReboot: false });
  });
  it('only 6 CONNECTION REQUEST is not retried', () => {
    const notRetried = Object.values(EVENT).filter((c) => !eventPolicy(c).retryOnFailure);
    expect(notRetried).toEqual(['6 CONNECTION REQUEST']);
  });
  it('1 BOOT, 4 VALUE CHANGE, 6 CONNECTION REQUEST and 8 DIAGNOSTICS COMPLETE are not kept over reboot', () => {
    const dropped = Object.values(EVENT).filter((c) => !eventPolicy(c).keptOverReboot);
    expect(dropped).toEqual(['1 BOOT', '4 VALUE CHANGE', '6 CONNECTION REQUEST', '8 DIAGNOSTICS COMPLETE']);
  });
  it('M codes are multiple (one per CommandKey), numbered codes single', () => {
    for (const c of Object.values(EVENT)) expect(eventPolicy(c).multiple, c).toBe(c.startsWith('M '));
  });
  it('transfer events are delivered by TransferCompleteResponse', () => {
    for (const c of [EVENT.TRANSFER_COMPLETE, EVENT.M_DOWNLOAD, EVENT.M_UPLOAD, EVENT.M_SCHEDULE_DOWNLOAD]) {
      expect(eventPolicy(c).deliveredBy, c).toBe('TransferCompleteResponse');
    }
    expect(eventPolicy(EVENT.BOOTSTRAP).deliveredBy).toBe('InformResponse');
    expect(eventPolicy(EVENT.M_REBOOT).deliveredBy).toBe('InformResponse');
    expect(eventPolicy(EVENT.M_CHANGE_DU_STATE).deliveredBy).toBe('DUStateChangeCompleteResponse');
    expect(eventPolicy(EVENT.AUTONOMOUS_TRANSFER_COMPLETE).deliveredBy).toBe('AutonomousTransferCompleteResponse');
  });
  it('0 BOOTSTRAP is single, retried and kept', () => {
    expect(eventPolicy(EVENT.BOOTSTRAP)).toEqual({ multiple: false, deliveredBy: 'InformResponse', retryOnFailure: true, keptOverReboot: true });
  });
  it('vendor codes: M X_ multiple, X <OUI> single', () => {
    expect(eventPolicy('M X_ACME_Kick').multiple).toBe(true);
    expect(eventPolicy('X 00D09E Wakeup').multiple).toBe(false);
  });
  it('throws for codes it cannot place, naming the code', () => {
    expect(() => eventPolicy('BOOT')).toThrow(/unknown EventCode "BOOT"/);
    expect(() => eventPolicy('15 FUTURE EVENT')).toThrow(/unknown EventCode/);
    expect(() => eventPolicy('M Kick')).toThrow(expect.objectContaining({ code: 'CPESIM_CWMP_EVENT_INVALID' }));
  });
});
