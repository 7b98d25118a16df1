/**
 * The deviceIdPaths block and its four leaves, as YAML text, for profile tests that
 * append their own leaves (`${identityYaml()}  - {path: …}`) and blocks.
 */
export function identityYaml(oui = '00005E', productClass = 'EX'): string {
  return `deviceIdPaths:
  manufacturer: Device.DeviceInfo.Manufacturer
  oui: Device.DeviceInfo.ManufacturerOUI
  productClass: Device.DeviceInfo.ProductClass
  serialNumber: Device.DeviceInfo.SerialNumber
parameters:
  - {path: Device.DeviceInfo.Manufacturer, value: Example}
  - {path: Device.DeviceInfo.ManufacturerOUI, value: "${oui}"}
  - {path: Device.DeviceInfo.ProductClass, value: ${productClass}}
  - {path: Device.DeviceInfo.SerialNumber, value: SN}
`;
}
