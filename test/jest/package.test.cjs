const { CwmpFault, isCwmpFault } = require('cpe-sim');

test('the CJS build loads under Jest and its error classes work', () => {
  const f = new CwmpFault(9008);
  expect(isCwmpFault(f)).toBe(true);
  expect(f.faultString).toBe('Attempt to set a non-writable parameter');
});
