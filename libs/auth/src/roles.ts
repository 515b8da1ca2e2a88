/**
 * Who calls Fil over HTTP. `ops` run the network (orders, stock, locations), `staff` work
 * at their own locations, `channel` is a sales channel's service account acting for its
 * own orders, `admin` may do everything.
 */
export const ROLES = ['admin', 'ops', 'staff', 'channel'] as const;
export type Role = (typeof ROLES)[number];

/** The verified claims of a bearer token (PRODUCT.md: `sub`, `role`, `locations` for staff). */
export interface Principal {
  sub: string;
  role: Role;
  /** The location ids a `staff` member may act on. */
  locations?: string[];
  /** The channels (as in an order's `channel`) a `channel` account acts for. */
  channels?: string[];
}

/** Whether the caller may act at one of `locationIds`: staff only at their own, other roles as their route allows. */
export function mayActAt(caller: Principal, ...locationIds: (string | null | undefined)[]): boolean {
  return caller.role !== 'staff' || locationIds.some((id) => !!id && caller.locations!.includes(id));
}

/** Whether the caller may see an order of `channel`: a channel account only its own, other roles as their route allows. */
export function mayActForChannel(caller: Principal, channel: string | null | undefined): boolean {
  return caller.role !== 'channel' || (!!channel && caller.channels!.includes(channel));
}
