const EARTH_RADIUS_KM = 6371.0088;
/** Far above haversineKm's rounding error, even near antipodes where asin magnifies it. */
const FLOOR_MARGIN = 1e-6;

/** Great-circle distance in kilometres between two points given in degrees. */
export function haversineKm(from: { lat: number; lng: number }, to: { lat: number; lng: number }): number {
  const rad = (degrees: number) => (degrees * Math.PI) / 180;
  const dLat = rad(to.lat - from.lat);
  const dLng = rad(to.lng - from.lng);
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(rad(from.lat)) * Math.cos(rad(to.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

/**
 * Never more than haversineKm, and a subtraction to compute: no path between two parallels
 * is shorter than the meridian arc between them. Zero for latitudes off the globe.
 */
export function latitudeGapKm(fromLat: number, toLat: number): number {
  if (!(Math.abs(fromLat) <= 90 && Math.abs(toLat) <= 90)) return 0;
  return ((Math.abs(toLat - fromLat) * Math.PI) / 180) * EARTH_RADIUS_KM * (1 - FLOOR_MARGIN);
}
