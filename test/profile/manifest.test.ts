import { describe, expect, it } from 'vitest';
import { ProfileError } from '../../src/errors/index.js';
import { parseManifest, parseProfile } from '../../src/profile/index.js';

const DEMO = `app:
  name: demo-app
  version: 2.1.0
  vendor: example
  description: Demo probe
  executionUnit: demo-probe
parameters:
  - {path: Device.X_EXAMPLE_Probe.Enable, type: xsd:boolean, value: "true", writable: true}
objects:
  - path: Device.X_EXAMPLE_Probe.Target
    instances: 1
    parameters: [{path: Host, value: "example.net", writable: true}, {path: RTT, type: xsd:int, value: "10"}]
generators:
  - {path: Device.X_EXAMPLE_Probe.Target.1.RTT, type: drift, interval: 20s, min: 5, max: 80, stepMax: 4}
`;

function problems(text: string): string[] {
  try {
    parseManifest(text, 'm.yaml');
  } catch (e) {
    if (e instanceof ProfileError) return e.problems.map((p) => `${p.key}: ${p.message}`);
    throw e;
  }
  throw new Error('expected a ProfileError');
}

describe('app manifests (ref §8.4)', () => {
  it('reads the app, its leaves, tables and generators', () => {
    const m = parseManifest(DEMO, 'm.yaml');
    expect(m.app).toEqual({ name: 'demo-app', version: '2.1.0', vendor: 'example', description: 'Demo probe', executionUnit: 'demo-probe' });
    expect(m.parameters.map((p) => p.path)).toEqual(['Device.X_EXAMPLE_Probe.Enable']);
    expect(m.objects.map((o) => [o.path, o.instances])).toEqual([['Device.X_EXAMPLE_Probe.Target.', 1]]);
    expect(m.generators.map((g) => g.path)).toEqual(['Device.X_EXAMPLE_Probe.Target.1.RTT']);
    expect(m.roots).toEqual(['Device']);
  });

  it('defaults vendor and description to "" and the execution unit to the name', () => {
    const m = parseManifest('app: {name: a1, version: "1"}\nparameters: [{path: Device.X_A.On, type: xsd:boolean}]\n', 'm.yaml');
    expect(m.app).toEqual({ name: 'a1', version: '1', vendor: '', description: '', executionUnit: 'a1' });
  });

  it('rejects a profile block, naming it', () => {
    expect(problems(`${DEMO}deviceIdPaths: {manufacturer: Device.X.M, oui: Device.X.O, productClass: Device.X.P, serialNumber: Device.X.S}\n`).join('\n')).toMatch(/unknown key "deviceIdPaths".*expected one of app, parameters, objects, groups, generators/);
  });

  it('requires app with a valid name and version', () => {
    expect(problems('parameters: [{path: Device.X_A.On, type: xsd:boolean}]\n').join('\n')).toMatch(/^app: missing required block app/m);
    expect(problems('app: {name: -bad, version: "1 2"}\nparameters: [{path: Device.X_A.On, type: xsd:boolean}]\n')).toEqual(
      expect.arrayContaining([expect.stringMatching(/^app\.name: "-bad" is not an app name/), expect.stringMatching(/^app\.version: "1 2" contains a space/)]),
    );
    expect(problems('app: {name: a1}\nparameters: [{path: Device.X_A.On, type: xsd:boolean}]\n').join('\n')).toMatch(/app\.version: missing required key "version"/);
    expect(problems('app: {name: a1, version: "1", color: red}\nparameters: [{path: Device.X_A.On, type: xsd:boolean}]\n').join('\n')).toMatch(/unknown key "color"/);
  });

  it('rejects a manifest with no leaf', () => {
    expect(problems('app: {name: a1, version: "1"}\n').join('\n')).toMatch(/declares no leaves/);
    expect(problems('app: {name: a1, version: "1"}\nparameters: []\n').join('\n')).toMatch(/no leaf/);
  });

  it('validates rows and generators with the profile rules, against its own tree', () => {
    expect(problems('app: {name: a1, version: "1"}\nparameters: [{path: Device.X_A.On, type: xsd:boolean, value: maybe}]\n').join('\n')).toMatch(/parameters\[0\]\.value/);
    expect(problems('app: {name: a1, version: "1"}\nparameters: [{path: Device.X_A.On, type: xsd:boolean}]\ngenerators: [{path: Device.X_A.Off, type: drift, interval: 1s, min: 0, max: 9, stepMax: 1}]\n').join('\n')).toMatch(/Device\.X_A\.Off/);
  });

  it('is not YAML: a clear error', () => {
    expect(problems('app: [unclosed\n').length).toBeGreaterThan(0);
  });

  it('a profile carrying app: is rejected', () => {
    expect(() => parseProfile(`${DEMO}deviceIdPaths: {manufacturer: Device.X.M, oui: Device.X.O, productClass: Device.X.P, serialNumber: Device.X.S}\n`, 'p.yaml')).toThrow(/unknown key "app"/);
  });
});
