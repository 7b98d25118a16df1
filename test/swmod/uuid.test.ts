import { describe, expect, it } from 'vitest';
import { deploymentUnitUuid, UUID_SHAPE, uuidV5 } from '../../src/swmod/uuid.js';

describe('deployment-unit UUID (ref §8.5)', () => {
  it('matches the reference check values', () => {
    expect(deploymentUnitUuid('example', 'demo-app')).toBe('ffa0fa99-1cfe-5af6-bc87-bf35c54d5d81');
    expect(deploymentUnitUuid('', 'demo-app')).toBe('2c637338-cae3-5bc3-87c0-1fa87ce5af2c');
  });

  it('is RFC 4122 version 5: the DNS-namespace example of RFC 9562 §A.4', () => {
    expect(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('recognises the RFC 4122 shape only', () => {
    expect(UUID_SHAPE.test('FFA0FA99-1CFE-5AF6-BC87-BF35C54D5D81')).toBe(true);
    expect(UUID_SHAPE.test('ffa0fa991cfe5af6bc87bf35c54d5d81')).toBe(false);
    expect(UUID_SHAPE.test('ffa0fa99-1cfe-5af6-bc87-bf35c54d5d8')).toBe(false);
  });
});
