import { policyDocumentFromEnv, policyDocumentProblems } from './dto/routing-policy.document';
import { DEFAULT_POLICY, policyFor, type PolicyDocument } from './routing-policy';

describe('policyFor: defaults < mode < channel < channel and mode', () => {
  const document: PolicyDocument = {
    defaults: { weights: { perKm: 0.02 }, maxShipments: 3, excludedLocations: ['WH-OLD'] },
    modes: { CLICK_AND_COLLECT: { weights: { baseCost: { STORE: 1 } } } },
    channels: [
      { channel: 'marketplace', shortage: 'REJECT', weights: { baseCost: { WAREHOUSE: 9 } }, modes: { HOME_DELIVERY: { maxShipments: 1, excludedLocations: [] } } },
      { channel: 'outlet', maxShipments: null },
    ],
  };

  it('gives the built-in defaults to an empty document', () => {
    expect(policyFor({}, 'web', 'HOME_DELIVERY')).toEqual(DEFAULT_POLICY);
  });

  it('applies each level over the one below, weights field by field', () => {
    expect(policyFor(document, 'web', 'CLICK_AND_COLLECT')).toEqual({
      weights: { baseCost: { WAREHOUSE: 4, STORE: 1 }, perKm: 0.02 },
      shortage: 'BACKORDER',
      maxShipments: 3,
      excludedLocations: ['WH-OLD'],
    });
    expect(policyFor(document, 'marketplace', 'HOME_DELIVERY')).toEqual({
      weights: { baseCost: { WAREHOUSE: 9, STORE: 6 }, perKm: 0.02 },
      shortage: 'REJECT',
      maxShipments: 1,
      excludedLocations: [],
    });
    expect(policyFor(document, 'marketplace', 'CLICK_AND_COLLECT')).toMatchObject({ weights: { baseCost: { WAREHOUSE: 9, STORE: 1 } }, maxShipments: 3, excludedLocations: ['WH-OLD'] });
  });

  it('lets a level lift a cap with null, and leaves it when the field is absent', () => {
    expect(policyFor(document, 'outlet', 'HOME_DELIVERY').maxShipments).toBeNull();
    expect(policyFor(document, undefined, undefined).maxShipments).toBe(3);
  });
});

describe('policyDocumentProblems', () => {
  it('accepts the empty document and a full one', () => {
    expect(policyDocumentProblems({})).toEqual([]);
    expect(policyDocumentProblems({ defaults: { maxShipments: 2 }, modes: { E_RESERVATION: { shortage: 'REJECT' } }, channels: [{ channel: 'web', excludedLocations: ['ST-1'], modes: { HOME_DELIVERY: { maxShipments: null } } }] })).toEqual([]);
  });

  it('names the field and the rule of each problem', () => {
    const problems = policyDocumentProblems({
      defaults: { weights: { perKm: -1, baseCost: { STORE: 'six' } }, maxShipments: 0 },
      modes: { DRONE: {} },
      channels: [{ channel: 'web', shortage: 'MAYBE', excludedLocations: ['bad id!'] }, { channel: 'web' }],
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'defaults.weights.perKm: perKm must not be less than 0',
        'defaults.weights.baseCost.STORE: STORE must be a number conforming to the specified constraints',
        'defaults.maxShipments: maxShipments must not be less than 1',
        'modes.DRONE: property DRONE should not exist',
        'channels: channels must name each channel once',
        'channels.0.shortage: shortage must be one of BACKORDER, REJECT',
        'channels.0.excludedLocations: excludedLocations must be 1-64 letters, digits, dots, dashes or underscores, the first a letter or digit',
      ]),
    );
  });

  it('refuses a document that is not an object', () => {
    expect(policyDocumentProblems([1])).toEqual(['the policy document must be a JSON object']);
  });
});

describe('policyDocumentFromEnv: FIL_ROUTING_POLICIES, keyed by channel', () => {
  it('reads as a document with one entry per channel', () => {
    expect(policyDocumentFromEnv('{"marketplace":{"shortage":"REJECT"}}')).toEqual({ channels: [{ channel: 'marketplace', shortage: 'REJECT' }] });
    expect(policyDocumentFromEnv('')).toBeUndefined();
  });

  it('stops the start-up on a malformed value, naming the channel', () => {
    expect(() => policyDocumentFromEnv('{"web":{"shortage":"MAYBE"}}')).toThrow('FIL_ROUTING_POLICIES: web.shortage: shortage must be one of BACKORDER, REJECT');
    expect(() => policyDocumentFromEnv('[1]')).toThrow(/JSON object keyed by channel/);
    expect(() => policyDocumentFromEnv('{"web":{"weights":{"perKm":-1}}}')).toThrow('web.weights.perKm: perKm must not be less than 0');
  });
});
