import type { LocationProfile } from '../locations/location.entity';

/** The demo network: two ship-only warehouses and eight city-centre stores across France. */
export interface DemoLocation extends LocationProfile {
  id: string;
}

export interface DemoStock {
  locationId: string;
  sku: string;
  onHand: number;
  safetyStock: number;
}

export const DEMO_LOCATIONS: DemoLocation[] = [
  { id: 'wh-saint-priest', name: 'Entrepôt Lyon Saint-Priest', type: 'WAREHOUSE', lat: 45.6957, lng: 4.9437, ship: true, pickup: false, reserve: false, dailyCapacity: 800, priority: 1 },
  { id: 'wh-bonneuil', name: 'Entrepôt Paris Bonneuil-sur-Marne', type: 'WAREHOUSE', lat: 48.7715, lng: 2.4873, ship: true, pickup: false, reserve: false, dailyCapacity: 1000, priority: 1 },
  { id: 'store-paris-rivoli', name: 'Paris Rivoli', type: 'STORE', lat: 48.8606, lng: 2.347, ship: true, pickup: true, reserve: true, dailyCapacity: 40, priority: 2 },
  { id: 'store-lyon-part-dieu', name: 'Lyon Part-Dieu', type: 'STORE', lat: 45.7606, lng: 4.859, ship: true, pickup: true, reserve: true, dailyCapacity: 30, priority: 2 },
  { id: 'store-marseille-canebiere', name: 'Marseille Canebière', type: 'STORE', lat: 43.2973, lng: 5.3797, ship: false, pickup: true, reserve: true, dailyCapacity: null, priority: 3 },
  { id: 'store-lille-grand-place', name: 'Lille Grand Place', type: 'STORE', lat: 50.6369, lng: 3.0634, ship: true, pickup: true, reserve: true, dailyCapacity: 25, priority: 2 },
  { id: 'store-bordeaux-sainte-catherine', name: 'Bordeaux Sainte-Catherine', type: 'STORE', lat: 44.8404, lng: -0.5737, ship: false, pickup: true, reserve: true, dailyCapacity: null, priority: 3 },
  { id: 'store-toulouse-capitole', name: 'Toulouse Capitole', type: 'STORE', lat: 43.6045, lng: 1.4442, ship: true, pickup: true, reserve: true, dailyCapacity: 25, priority: 2 },
  { id: 'store-nantes-commerce', name: 'Nantes Commerce', type: 'STORE', lat: 47.2132, lng: -1.5589, ship: false, pickup: true, reserve: true, dailyCapacity: null, priority: 3 },
  { id: 'store-strasbourg-kleber', name: 'Strasbourg Kléber', type: 'STORE', lat: 48.5834, lng: 7.7458, ship: false, pickup: true, reserve: true, dailyCapacity: null, priority: 3 },
];

export const DEMO_SKUS: string[] = Array.from({ length: 60 }, (_, i) => `SKU-${String(i + 1).padStart(4, '0')}`);

/**
 * Deterministic figures so that demos and bench runs are repeatable: warehouses
 * hold hundreds with a few gaps, stores a handful with many zeros and a small
 * safety stock, so that routing has real choices to make.
 */
export function demoStock(): DemoStock[] {
  return DEMO_LOCATIONS.flatMap((location, l) =>
    DEMO_SKUS.map((sku, s) => {
      if (location.type === 'WAREHOUSE') {
        const onHand = (s + l) % 12 === 5 ? 0 : 80 + ((s * 37 + l * 53) % 420);
        return { locationId: location.id, sku, onHand, safetyStock: 0 };
      }
      return { locationId: location.id, sku, onHand: Math.max(0, ((s * 7 + l * 13) % 11) - 3), safetyStock: 1 + ((s + l) % 2) };
    }),
  );
}
