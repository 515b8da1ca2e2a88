export * from './haversine';
