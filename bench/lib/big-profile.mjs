// A generated seed-format profile of about `bytes` bytes, shaped like the reference devices
// (fixtures/profiles/*.yaml): flow-mapping `parameters` rows (some with an inline generator,
// some `{i}` template rows), `objects` tables in block style with flow-mapping rows, and a
// `generators` list. Every path is unique, so the profile validates. Used by the
// `profile-parse` bench case and its memory test.

const HEAD = `# generated: a large seed-format profile (bench/lib/big-profile.mjs)
deviceIdPaths: {manufacturer: Device.DeviceInfo.Manufacturer, oui: Device.DeviceInfo.ManufacturerOUI, productClass: Device.DeviceInfo.ProductClass, serialNumber: Device.DeviceInfo.SerialNumber}

fleet:
  count: 3
  serialPattern: "BIG{cpe:ALNUM:9}"

connectionRequest:
  scheme: digest
  realm: Bench
  usernameParameter: Device.ManagementServer.ConnectionRequestUsername
  passwordParameter: Device.ManagementServer.ConnectionRequestPassword

parameters:
  - {path: Device.DeviceInfo.Manufacturer, value: Example Bench Systems}
  - {path: Device.DeviceInfo.ManufacturerOUI, value: "00005E"}
  - {path: Device.DeviceInfo.ProductClass, value: BENCH}
  - {path: Device.DeviceInfo.SerialNumber, value: BIG}
  - {path: Device.ManagementServer.ConnectionRequestUsername, value: "cr-{cpe_id}", writable: true}
  - {path: Device.ManagementServer.ConnectionRequestPassword, value: secret, writable: true}
`;

/** One chunk (~2 KiB) of each list, for block `k`. */
function chunk(k) {
  const b = `Device.X_BENCH_Block.${k}`;
  const params = [
    `  # ---- block ${k} ----------------------------------------------------------------`,
    `  - {path: ${b}.Enable, type: xsd:boolean, value: "true", writable: true}`,
    `  - {path: ${b}.Status, value: Up}`,
    `  - {path: ${b}.Name, value: "block-${k}-{cpe:hex:4}", writable: true}`,
    `  - {path: ${b}.Description, value: "Generated block number ${k}, with a longer description text"}`,
    `  - {path: ${b}.Uptime, type: xsd:unsignedInt, value: "0", generator: {type: uptime, interval: 5s}}`,
    `  - {path: ${b}.Temperature, type: xsd:int, value: "55"}`,
    `  - {path: "${b}.Server{i}", value: "{i}.pool.example", instances: 2, writable: true}`,
  ];
  const objects = [
    `  - path: ${b}.Interface`,
    `    instances: 3`,
    `    parameters:`,
    `      - {path: Enable, type: xsd:boolean, value: "true", writable: true}`,
    `      - {path: Alias, value: "cpe-if{i}", writable: true}`,
    `      - {path: MACAddress, value: "00:00:5e:{cpe:mac:3}"}`,
    `      - {path: Stats.BytesSent, type: xsd:unsignedInt, value: "0", generator: {type: counter, interval: 30s, min: 0, max: 4294967295, step: 3000000, jitter: 0.8}}`,
    `      - {path: Stats.ErrorsReceived, type: xsd:unsignedInt, value: "0"}`,
  ];
  const gens = [
    `  - {path: ${b}.Temperature, type: drift, interval: 60s, min: 41, max: 78, stepMax: 2}`,
    `  - {path: ${b}.Status, type: enum, interval: 2m, values: ["Up", "Up", "Down"], mode: random}`,
  ];
  return { params, objects, gens };
}

/** The profile text, at least `bytes` long (UTF-8 = UTF-16 length: it is ASCII). */
export function bigProfile(bytes) {
  const params = [];
  const objects = [];
  const gens = [];
  let size = HEAD.length + 40;
  for (let k = 1; size < bytes; k++) {
    const c = chunk(k);
    for (const [into, lines] of [[params, c.params], [objects, c.objects], [gens, c.gens]]) {
      for (const l of lines) {
        into.push(l);
        size += l.length + 1;
      }
    }
  }
  return `${HEAD}${params.join('\n')}\n\nobjects:\n${objects.join('\n')}\n\ngenerators:\n${gens.join('\n')}\n`;
}
