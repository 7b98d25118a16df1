const { CwmpFault, isCwmpFault } = require('cpe-sim');

test('the CJS build loads under Jest and its error classes work', () => {
  const f = new CwmpFault(9008);
  expect(isCwmpFault(f)).toBe(true);
  expect(f.faultString).toBe('Attempt to set a non-writable parameter');
});

test('require("cpe-sim") alone registers the matchers on Jest\'s expect', () => {
  // No require('cpe-sim/jest') in this file: without the registration this is
  // "expect(...).toBeAccepted is not a function".
  expect({ status: 204 }).toBeAccepted();
  expect({ status: 401, headers: {} }).not.toBeAccepted();
});
