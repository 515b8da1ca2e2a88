import { haversineKm } from './haversine';

describe('haversineKm', () => {
  it('is zero from a point to itself', () => {
    expect(haversineKm({ lat: 48.8566, lng: 2.3522 }, { lat: 48.8566, lng: 2.3522 })).toBe(0);
  });

  it('measures Paris to Lyon as about 392 km, the same both ways', () => {
    const paris = { lat: 48.8566, lng: 2.3522 };
    const lyon = { lat: 45.764, lng: 4.8357 };
    expect(haversineKm(paris, lyon)).toBeCloseTo(391.5, 0);
    expect(haversineKm(lyon, paris)).toBeCloseTo(haversineKm(paris, lyon), 9);
  });

  it('measures a quarter of the equator as a quarter of the circumference', () => {
    expect(haversineKm({ lat: 0, lng: 0 }, { lat: 0, lng: 90 })).toBeCloseTo((Math.PI * 6371.0088) / 2, 6);
  });
});
