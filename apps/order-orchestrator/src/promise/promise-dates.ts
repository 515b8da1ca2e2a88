import { haversineKm } from '@fil/geo';

/** A location's promise profile; null fields take the configured defaults. All hours are UTC. */
export interface PromiseProfile {
  id: string;
  lat: number;
  lng: number;
  processingHours: number | null;
  cutOffHour: number | null;
  opensAt: string | null;
  closesAt: string | null;
}

/** Up to `upToKm` (the last band: any distance), a parcel or a transfer travels `days`. */
export interface TransitBand {
  upToKm: number;
  days: number;
}

export interface PromiseSettings {
  processingHours: number;
  cutOffHour: number;
  transitBands: TransitBand[];
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

const startOfDay = (time: Date) => new Date(Math.floor(time.getTime() / DAY_MS) * DAY_MS);
const minutesOf = (clock: string) => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));
export const dateOf = (time: Date) => time.toISOString().slice(0, 10);

/** 'a,b' bands as `km:days` pairs, ascending, the last `*:days`: what FIL_PROMISE_TRANSIT_BANDS holds. */
export function parseTransitBands(raw: string): TransitBand[] {
  const bands = raw.split(',').map((band) => {
    const match = /^\s*(\d{1,5}|\*):(\d{1,2})\s*$/.exec(band);
    if (!match) throw new Error(`'${band}' is not km:days`);
    return { upToKm: match[1] === '*' ? Infinity : Number(match[1]), days: Number(match[2]) };
  });
  if (bands.at(-1)?.upToKm !== Infinity) throw new Error('the last band must be *:days');
  if (bands.some((band, i) => i > 0 && band.upToKm <= bands[i - 1].upToKm)) throw new Error('bands must grow');
  return bands;
}

export function transitDays(distanceKm: number, bands: TransitBand[]): number {
  return bands.find((band) => distanceKm <= band.upToKm)!.days;
}

/** The first moment at or after `time` the location is open (every day, opensAt to closesAt). */
export function nextOpen(location: PromiseProfile, time: Date): Date {
  const day = startOfDay(time);
  const opens = minutesOf(location.opensAt ?? '00:00');
  const closes = location.closesAt ? minutesOf(location.closesAt) : 24 * 60;
  const minute = (time.getTime() - day.getTime()) / 60_000;
  if (minute < opens) return new Date(day.getTime() + opens * 60_000);
  if (minute < closes) return time;
  return new Date(day.getTime() + DAY_MS + opens * 60_000);
}

/** The day what `location` prepares from `now` leaves it: the day it is ready, or the next when ready after the cut-off. */
export function dispatchDay(location: PromiseProfile, now: Date, settings: PromiseSettings): Date {
  const ready = new Date(now.getTime() + (location.processingHours ?? settings.processingHours) * HOUR_MS);
  const cutOff = location.cutOffHour ?? settings.cutOffHour;
  return new Date(startOfDay(ready).getTime() + (ready.getUTCHours() < cutOff ? 0 : DAY_MS));
}

/** The day a parcel from `location` reaches `to`: its dispatch day plus the transit of the distance's band (calendar days). */
export function deliveryDay(location: PromiseProfile, to: { lat: number; lng: number }, now: Date, settings: PromiseSettings): Date {
  return new Date(dispatchDay(location, now, settings).getTime() + transitDays(haversineKm(location, to), settings.transitBands) * DAY_MS);
}

/**
 * When an order is ready at the counter of `store`: its own part once prepared, a transferred
 * part once it has arrived (at the store's opening on the day of arrival) and been prepared, all
 * within opening hours; the latest part decides.
 */
export function readyAtCounter(store: PromiseProfile, sources: PromiseProfile[], now: Date, settings: PromiseSettings): Date {
  const prepared = (from: Date) => nextOpen(store, new Date(nextOpen(store, from).getTime() + (store.processingHours ?? settings.processingHours) * HOUR_MS));
  const parts = sources.map((source) => (source.id === store.id ? prepared(now) : prepared(deliveryDay(source, store, now, settings))));
  return new Date(Math.max(...parts.map((time) => time.getTime())));
}
