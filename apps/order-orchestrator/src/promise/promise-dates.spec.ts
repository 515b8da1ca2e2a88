import { deliveryDay, dispatchDay, nextOpen, parseTransitBands, readyAtCounter, transitDays, type PromiseProfile } from './promise-dates';

const settings = { processingHours: 4, cutOffHour: 15, transitBands: parseTransitBands('100:1,500:2,*:4') };
const warehouse: PromiseProfile = { id: 'WH-LYON', lat: 45.6967, lng: 4.9439, processingHours: 24, cutOffHour: 16, opensAt: null, closesAt: null };
const store: PromiseProfile = { id: 'ST-PARIS', lat: 48.8606, lng: 2.3376, processingHours: 2, cutOffHour: null, opensAt: '09:00', closesAt: '20:00' };
const at = (iso: string) => new Date(iso);

describe('delivery promise dates', () => {
  it('reads transit bands and refuses malformed ones', () => {
    expect(parseTransitBands('100:1,500:2,*:4')).toEqual([
      { upToKm: 100, days: 1 },
      { upToKm: 500, days: 2 },
      { upToKm: Infinity, days: 4 },
    ]);
    expect(() => parseTransitBands('100:1,500:2')).toThrow('the last band must be *:days');
    expect(() => parseTransitBands('500:1,100:2,*:3')).toThrow('bands must grow');
    expect(() => parseTransitBands('far:2,*:3')).toThrow("'far:2' is not km:days");
    expect([0, 100, 100.1, 499, 501].map((km) => transitDays(km, settings.transitBands))).toEqual([1, 1, 2, 2, 4]);
  });

  it('dispatches the day an order is ready, or the next day when it is ready at or after the cut-off', () => {
    // 24 h of processing: ready Tuesday 10:00, before the 16:00 cut-off.
    expect(dispatchDay(warehouse, at('2026-12-01T10:00:00Z'), settings).toISOString()).toBe('2026-12-02T00:00:00.000Z');
    expect(dispatchDay(warehouse, at('2026-12-01T16:00:00Z'), settings).toISOString()).toBe('2026-12-03T00:00:00.000Z');
    // The store has no cut-off of its own: the default 15:00.
    expect(dispatchDay(store, at('2026-12-01T12:59:00Z'), settings).toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(dispatchDay(store, at('2026-12-01T13:00:00Z'), settings).toISOString()).toBe('2026-12-02T00:00:00.000Z');
  });

  it('adds the transit days of the distance band to the dispatch day', () => {
    // Lyon to Paris is about 390 km: 2 days.
    expect(deliveryDay(warehouse, store, at('2026-12-01T10:00:00Z'), settings).toISOString().slice(0, 10)).toBe('2026-12-04');
    expect(deliveryDay(warehouse, { lat: 45.76, lng: 4.86 }, at('2026-12-01T10:00:00Z'), settings).toISOString().slice(0, 10)).toBe('2026-12-03');
  });

  it('keeps to opening hours', () => {
    expect(nextOpen(store, at('2026-12-01T07:30:00Z')).toISOString()).toBe('2026-12-01T09:00:00.000Z');
    expect(nextOpen(store, at('2026-12-01T12:00:00Z')).toISOString()).toBe('2026-12-01T12:00:00.000Z');
    expect(nextOpen(store, at('2026-12-01T20:00:00Z')).toISOString()).toBe('2026-12-02T09:00:00.000Z');
    expect(nextOpen(warehouse, at('2026-12-01T23:59:00Z')).toISOString()).toBe('2026-12-01T23:59:00.000Z');
  });

  it('has an order ready at the counter once its own part is prepared, or once a transferred part has arrived and been prepared', () => {
    expect(readyAtCounter(store, [store], at('2026-12-01T10:00:00Z'), settings).toISOString()).toBe('2026-12-01T12:00:00.000Z');
    // Prepared after closing: ready at the next opening.
    expect(readyAtCounter(store, [store], at('2026-12-01T19:00:00Z'), settings).toISOString()).toBe('2026-12-02T09:00:00.000Z');
    // From Lyon: leaves Wednesday, 2 days on the road, prepared from Friday's opening.
    expect(readyAtCounter(store, [store, warehouse], at('2026-12-01T10:00:00Z'), settings).toISOString()).toBe('2026-12-04T11:00:00.000Z');
  });
});
