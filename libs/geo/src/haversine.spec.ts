import { haversineKm, latitudeGapKm } from './haversine';

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

describe('latitudeGapKm', () => {
  it('never exceeds haversineKm, near antipodes and poles included, and is close to it along a meridian', () => {
    let seed = 11;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const points = [{ lat: 90, lng: 0 }, { lat: -90, lng: 180 }, { lat: 0, lng: 0 }, { lat: 0, lng: 180 }, { lat: 1e-12, lng: 180 - 1e-12 }];
    for (let i = 0; i < 5000; i += 1) points.push({ lat: random() * 180 - 90, lng: random() * 360 - 180 });
    for (let i = 0; i < 2000; i += 1) {
      const lat = random() * 180 - 90;
      points.push({ lat, lng: 0 }, { lat: -lat + random() * 1e-6, lng: 180 - random() * 1e-6 });
    }
    for (let i = 0; i + 1 < points.length; i += 1) {
      const [from, to] = [points[i], points[i + 1]];
      expect(latitudeGapKm(from.lat, to.lat)).toBeLessThanOrEqual(haversineKm(from, to));
      expect(latitudeGapKm(from.lat, to.lat)).toBeLessThanOrEqual(haversineKm(from, { lat: to.lat, lng: from.lng + 1e-9 }));
    }
    expect(latitudeGapKm(45, 46)).toBeCloseTo(haversineKm({ lat: 45, lng: 3 }, { lat: 46, lng: 3 }), 3);
  });

  it('gives no bound for a latitude off the globe', () => {
    expect(latitudeGapKm(100, 80)).toBe(0);
    expect(latitudeGapKm(Number.NaN, 80)).toBe(0);
  });
});
