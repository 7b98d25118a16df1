import { Template, createParameterTree } from '../../src/datamodel/index.js';
import type { ParameterTree } from '../../src/datamodel/index.js';
import { leaf, makeProfile, table } from '../datamodel/helpers.js';
import type { UspRequestContext } from '../../src/usp/index.js';

/**
 * A small TR-181 shaped model for the USP tests: a writable table with a unique key
 * (IP.Interface, Name + Alias), a device-managed table (ProcessStatus.Process, all
 * read-only), a table nested in one row (WiFi.AccessPoint.1.AssociatedDevice), a
 * hidden password and a counter generator.
 */
export function uspTemplate(): Template {
  const base = makeProfile();
  return Template.compile(
    makeProfile({
      parameters: [
        ...base.parameters,
        leaf('Device.Users.Password', 'top-secret', { writable: true }),
        leaf('Device.WiFi.RadioNumberOfEntries', '1', { type: 'xsd:unsignedInt' }),
        // A leaf only row 1 has (a profile group): rows Add creates lack it.
        leaf('Device.IP.Interface.1.X_Extra', 'x', { writable: true }),
      ].map((p) => (p.path === 'Device.Users.Password' ? { ...p, hidden: true } : p)),
      objects: [
        ...base.objects,
        {
          ...table('Device.IP.Interface.', 3, [
            leaf('Enable', 'true', { type: 'xsd:boolean', writable: true }),
            leaf('Name', 'eth{i}', { writable: true }),
            leaf('Alias', 'cpe-{i}', { writable: true }),
            leaf('Type', 'Normal'),
            leaf('MTU', '1500', { type: 'xsd:unsignedInt', writable: true }),
            leaf('LastChange', '2025-01-0{i}T00:00:00Z', { type: 'xsd:dateTime' }),
            leaf('Stats.BytesSent', '{i}000', { type: 'xsd:unsignedLong' }),
            leaf('Tags', 'a,b{i}', { writable: true }),
            { ...leaf('X_Key', 'key{i}', { writable: true }), hidden: true },
          ]),
          uniqueKeys: ['Name'],
        },
        table('Device.DeviceInfo.ProcessStatus.Process.', 2, [leaf('PID', '{i}', { type: 'xsd:unsignedInt' }), leaf('Command', 'init{i}')]),
        table('Device.WiFi.AccessPoint.', 2, [leaf('SSIDReference', 'Device.WiFi.SSID.{i}.', { writable: true }), leaf('Enable', 'false', { type: 'xsd:boolean', writable: true })]),
        table('Device.WiFi.AccessPoint.1.AC.', 0, [leaf('AckPolicy', 'true', { type: 'xsd:boolean', writable: true })]),
        table('Device.WiFi.AccessPoint.2.AC.', 0, [leaf('AckPolicy', 'true', { type: 'xsd:boolean', writable: true })]),
        table('Device.WiFi.AccessPoint.1.AssociatedDevice.', 2, [leaf('MACAddress', '00:00:00:00:00:0{i}'), leaf('SignalStrength', '-5{i}', { type: 'xsd:int' })]),
      ],
      generators: [{ type: 'counter', path: 'Device.IP.Interface.1.Stats.BytesSent', intervalMs: 1000, min: 0, max: 1e12, step: 100, jitter: 0 }],
    }),
  );
}

/** A fresh tree and request context over {@link uspTemplate}. */
export function uspContext(over: Partial<UspRequestContext> = {}): UspRequestContext & { tree: ParameterTree } {
  const template = uspTemplate();
  const tree = createParameterTree(template, { index: 1, id: 'cpe-1' });
  return { tree, template, controllerId: 'self::ctl', ...over };
}
