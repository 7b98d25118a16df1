import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../src/cpe/events.js';

describe('EventQueue (TR-069 §3.7.1.5)', () => {
  it('merges repeated single events and keeps one multiple event per CommandKey', () => {
    const q = new EventQueue();
    expect(q.add('6 CONNECTION REQUEST')).toBe(true);
    expect(q.add('6 CONNECTION REQUEST')).toBe(false);
    expect(q.add('M Reboot', 'a')).toBe(true);
    expect(q.add('M Reboot', 'b')).toBe(true);
    expect(q.add('M Reboot', 'a')).toBe(false);
    expect(q.events).toEqual([
      { eventCode: '6 CONNECTION REQUEST', commandKey: '' },
      { eventCode: 'M Reboot', commandKey: 'a' },
      { eventCode: 'M Reboot', commandKey: 'b' },
    ]);
  });

  it('drops a CommandKey given to a single event', () => {
    const q = new EventQueue();
    q.add('2 PERIODIC', 'ignored');
    expect(q.events).toEqual([{ eventCode: '2 PERIODIC', commandKey: '' }]);
  });

  it('InformResponse delivers everything but transfer-complete events', () => {
    const q = new EventQueue();
    q.add('1 BOOT');
    q.add('7 TRANSFER COMPLETE');
    q.add('M Download', 'fw');
    const sent = q.events;
    q.add('2 PERIODIC'); // queued after the Inform was built: not delivered
    q.deliveredByInformResponse(sent);
    expect(q.events.map((e) => e.eventCode)).toEqual(['7 TRANSFER COMPLETE', 'M Download', '2 PERIODIC']);
  });

  it('a failed session drops 6 CONNECTION REQUEST and keeps 0 BOOTSTRAP across any number of failures', () => {
    const q = new EventQueue();
    q.add('0 BOOTSTRAP');
    q.add('1 BOOT');
    q.add('6 CONNECTION REQUEST');
    for (let i = 0; i < 5; i++) q.sessionFailed(q.events);
    expect(q.events.map((e) => e.eventCode)).toEqual(['0 BOOTSTRAP', '1 BOOT']);
  });

  it('a reboot drops events not kept over reboot', () => {
    const q = new EventQueue();
    for (const c of ['0 BOOTSTRAP', '1 BOOT', '2 PERIODIC', '4 VALUE CHANGE', '6 CONNECTION REQUEST']) q.add(c);
    q.add('M Reboot', 'k');
    q.rebooted();
    expect(q.events.map((e) => e.eventCode)).toEqual(['0 BOOTSTRAP', '2 PERIODIC', 'M Reboot']);
  });

  it('remove() takes out one CommandKey or every instance', () => {
    const q = new EventQueue();
    q.add('M Download', 'a');
    q.add('M Download', 'b');
    q.remove('M Download', 'a');
    expect(q.events).toEqual([{ eventCode: 'M Download', commandKey: 'b' }]);
    q.remove('M Download');
    expect(q.size).toBe(0);
  });

  it('shares one frozen struct per code for events without a CommandKey, across queues', () => {
    const a = new EventQueue();
    const b = new EventQueue();
    a.add('1 BOOT');
    b.add('1 BOOT');
    a.add('M Download', 'k1');
    b.add('M Download', 'k1');
    expect(a.events[0]).toBe(b.events[0]);
    expect(Object.isFrozen(a.events[0])).toBe(true);
    // A CommandKey makes the event the CPE's own.
    expect(a.events[1]).not.toBe(b.events[1]);
    expect(a.events[1]).toEqual({ eventCode: 'M Download', commandKey: 'k1' });
  });

  it('rejects codes that are not EventCodes', () => {
    expect(() => new EventQueue().add('BOOT')).toThrow(/EventCode/);
  });
});
